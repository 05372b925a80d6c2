import ArgumentParser
import Catalog
import Desk
import Foundation
import Imaging
import PhotoModel

/// `photodesk twins`
struct TwinsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twins",
        abstract: "List photos that are the same picture (and, with --burst, frames of one burst).",
        discussion: """
            Each photo has a 64-bit difference hash, made at ingest from a 9x8 grey thumbnail of
            the upright picture. Two photos are the same frame when their hashes differ by at most
            4 bits (a re-save, a re-size, a light crop); frames of a burst differ by at most 10
            bits and were taken within 2 seconds of each other by the same camera. Nearly uniform
            pictures (a black frame, a grey card) have no hash and are never matched by it.
            Identical files are one photo already (a duplicate) and are not listed.

            Photos ingested before hashes were kept are hashed first, from their originals (a
            progress line on a terminal). Nothing is merged, hidden or deleted: this lists groups
            for an editor to decide.

            Examples:
              photodesk twins
              photodesk twins --burst --json
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Flag(help: "List bursts too.") var burst = false
    @Flag(help: "Print JSON.") var json = false

    struct Listing: Encodable {
        var groups: [Group]
        var hashed: Int

        struct Group: Encodable {
            var kind: String
            var photos: [Member]
        }

        struct Member: Encodable {
            var id: String
            var sha256: String
            var takenAt: String?
            var camera: String?
            var distance: Int
            var path: String?
        }
    }

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let hashed = try await Self.hashOlderPhotos(desk)
        let groups = try await desk.twins(bursts: burst)
        var listing = Listing(groups: [], hashed: hashed)
        for group in groups {
            var members: [Listing.Member] = []
            for photo in group.photos {
                let path = try await desk.details(sha256: photo.sha256)?.locations.first?.path
                members.append(
                    Listing.Member(
                        id: photo.id, sha256: photo.sha256, takenAt: photo.takenAt, camera: photo.camera,
                        distance: photo.distance, path: path))
            }
            listing.groups.append(Listing.Group(kind: group.kind.rawValue, photos: members))
        }
        if json {
            Output.line(JSONOutput.pretty(listing))
            return
        }
        for group in listing.groups {
            let kind = group.kind == TwinGroup.Kind.burst.rawValue ? "burst" : "same frame"
            Output.line("\(kind): \(group.photos.count) photos")
            for member in group.photos {
                let when = member.takenAt ?? "no capture time"
                let camera = member.camera ?? "no camera"
                Output.line(
                    "  \(member.id)  \(member.distance == 0 ? "same hash" : "\(member.distance) bits off")  \(when)  \(camera)  \(member.path ?? "")"
                )
            }
        }
        let frames = listing.groups.count { $0.kind == TwinGroup.Kind.sameFrame.rawValue }
        let bursts = listing.groups.count - frames
        Output.line(
            listing.groups.isEmpty
                ? "No twins found."
                : "\(listing.groups.count) groups: \(frames) same frame" + (burst ? ", \(bursts) bursts" : ""))
    }

    /// Hashes photos catalogued before their look was kept, from their originals: a photo whose
    /// original cannot be read keeps no hash (it is not matched) and is said once.
    static func hashOlderPhotos(_ desk: Desk) async throws -> Int {
        let maker = RenditionMaker()
        let terminal = isatty(STDERR_FILENO) == 1
        var done = 0
        var unreadable = 0
        while true {
            let batch = try await desk.photosWithoutLook(limit: 200)
            if batch.isEmpty { break }
            var looks: [PhotoLook] = []
            for sha in batch {
                let paths = try await desk.details(sha256: sha)?.locations.map(\.path) ?? []
                var hash: DifferenceHash?
                var read = false
                for path in paths where FileManager.default.isReadableFile(atPath: path) {
                    if let made = try? await Blocking.run({ try maker.differenceHash(of: path) }) {
                        hash = made
                        read = true
                        break
                    }
                }
                if !read { unreadable += 1 }
                looks.append(PhotoLook(sha256: sha, hash: hash))
            }
            try await desk.saveLooks(looks)
            done += looks.count
            if terminal { FileHandle.standardError.write(Data("\rhashed \(done) photos ingested before twins".utf8)) }
        }
        if terminal && done > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
        if unreadable > 0 {
            Output.error(
                "note: \(unreadable) photos have no hash: their originals could not be read (photodesk verify lists them)"
            )
        }
        return done
    }
}
