import Catalog
import Desk
import Foundation
import Imaging
import Metadata

/// Checks a library's catalog against its files, and re-makes what can be re-made.
public struct Verifier: Sendable {
    /// One thing wrong with the library.
    public struct Problem: Codable, Sendable, Equatable {
        /// What is wrong.
        public enum Kind: String, Codable, Sendable {
            /// A rendition the catalog lists is not on disk.
            case missingRendition = "missing-rendition"
            /// A rendition is on disk but damaged (size or header disagrees with the catalog).
            case corruptRendition = "corrupt-rendition"
            /// A file under renditions/ that no catalog record names.
            case extraFile = "extra-file"
            /// A location of an asset whose file is gone.
            case missingOriginal = "missing-original"
        }

        public var kind: Kind
        /// The file concerned.
        public var path: String
        /// The asset's short id, when there is one.
        public var id: String?
        /// What was found, for people.
        public var detail: String
        /// Whether `--repair` fixed it.
        public var repaired = false
    }

    /// What a check found.
    public struct Report: Codable, Sendable, Equatable {
        public var problems: [Problem] = []
        public var assets = 0
        public var renditions = 0
        public var originals = 0

        /// Problems that are still there (not repaired).
        public var unresolved: [Problem] { problems.filter { !$0.repaired } }
    }

    let desk: Desk
    let library: Library

    /// Makes a verifier.
    public init(desk: Desk) {
        self.desk = desk
        self.library = desk.library
    }

    /// Checks every rendition, every original and the renditions folder.
    public func check() async throws -> Report {
        try VipsRuntime.start()
        var report = Report()
        let inventory = try await desk.inventory()
        let renditions = inventory.renditions
        report.renditions = renditions.count
        report.assets = inventory.photos
        var known = Set<String>()
        for rendition in renditions {
            known.insert(rendition.path)
            let path = library.absolute(rendition.path)
            let id = String(rendition.sha256.prefix(16))
            guard let stat = FileStat.of(path) else {
                report.problems.append(
                    Problem(
                        kind: .missingRendition, path: path, id: id,
                        detail: "the \(rendition.preset) rendition is missing"))
                continue
            }
            if stat.size != Int64(rendition.bytes) {
                report.problems.append(
                    Problem(
                        kind: .corruptRendition, path: path, id: id,
                        detail:
                            "the \(rendition.preset) rendition has \(stat.size) bytes, the catalog says \(rendition.bytes)"
                    ))
                continue
            }
            do {
                let header = try ImageHeader.read(path: path)
                if header.width != rendition.width || header.height != rendition.height {
                    report.problems.append(
                        Problem(
                            kind: .corruptRendition, path: path, id: id,
                            detail:
                                "the \(rendition.preset) rendition is \(header.width)x\(header.height), the catalog says \(rendition.width)x\(rendition.height)"
                        ))
                }
            } catch {
                report.problems.append(
                    Problem(
                        kind: .corruptRendition, path: path, id: id,
                        detail: "the \(rendition.preset) rendition cannot be read"))
            }
        }
        for location in inventory.locations {
            report.originals += 1
            if FileStat.of(location.path) == nil {
                report.problems.append(
                    Problem(
                        kind: .missingOriginal, path: location.path, id: String(location.sha256.prefix(16)),
                        detail: "the original is gone (moved or deleted); its renditions and captions are kept"))
            }
        }
        let folder = library.root + "/renditions"
        for relative in (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted() {
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: folder + "/" + relative, isDirectory: &isFolder)
            if isFolder.boolValue || known.contains("renditions/" + relative) { continue }
            report.problems.append(
                Problem(
                    kind: .extraFile, path: folder + "/" + relative, id: nil,
                    detail: "no catalog record names this file"))
        }
        return report
    }

    /// Checks, then re-makes missing and damaged renditions from an original that is still there
    /// (recognised by its hash) and removes extra files. Missing originals cannot be re-made and
    /// stay reported. Holds the library's lock, so it never runs beside an ingest.
    public func repair() async throws -> Report {
        let lock = try LibraryLock(library: library)
        defer { lock.release() }
        lock.removeStaleTemporaryFiles()
        var report = try await check()
        let damaged = Dictionary(
            grouping: report.problems.indices.filter {
                [.missingRendition, .corruptRendition].contains(report.problems[$0].kind)
            }
        ) { report.problems[$0].id ?? "" }
        let all = try await desk.inventory().renditions
        for (id, indices) in damaged {
            guard let asset = try await desk.findPhoto(id) else { continue }
            let paths = Set(indices.map { report.problems[$0].path })
            let damagedHere = all.filter { $0.sha256 == asset.sha256 && paths.contains(library.absolute($0.path)) }
            // A crop is made again from its rectangle, kept in its fingerprint.
            var remade = 0
            for crop in damagedHere where crop.preset.hasPrefix(Crops.prefix) {
                guard let chosen = Self.crop(from: crop.fingerprint) else { continue }
                _ = try? FileManager.default.removeItem(atPath: library.absolute(crop.path))
                let made = try? await CropRenditions(desk: desk).make(sha256: asset.sha256, crop: chosen)
                if made != nil { remade += 1 }
            }
            if remade > 0 {
                for index in indices
                where damagedHere.contains(where: {
                    $0.preset.hasPrefix(Crops.prefix) && library.absolute($0.path) == report.problems[index].path
                }) {
                    report.problems[index].repaired = true
                }
            }
            let records = damagedHere.filter { !$0.preset.hasPrefix(Crops.prefix) }
            guard !records.isEmpty else { continue }
            guard
                let original = try await desk.details(sha256: asset.sha256)?.locations.first(where: {
                    Self.holds(asset.sha256, location: $0)
                })
            else { continue }
            let specs = records.compactMap { record -> RenditionSpec? in
                guard let format = ImageFormat(rawValue: record.format) else { return nil }
                let box = Self.box(from: record.fingerprint) ?? (record.width, record.height)
                let quality = Self.quality(from: record.fingerprint) ?? 85
                return RenditionSpec(name: record.preset, width: box.0, height: box.1, format: format, quality: quality)
            }
            let fields = try await desk.caption(of: asset.sha256).fields
            let credits = EmbeddedMetadata.renditions(of: fields)
            let made = try RenditionMaker().make(from: original.path, specs: specs, embedded: credits.blobs) { spec in
                library.absolute(
                    Library.renditionPath(
                        sha256: asset.sha256, preset: spec.name, fileExtension: spec.format.fileExtension))
            }
            try await desk.saveRenditions(
                made.map {
                    Rendition(
                        sha256: asset.sha256, preset: $0.spec.name, format: $0.spec.format.rawValue, width: $0.width,
                        height: $0.height, bytes: $0.bytes,
                        path: Library.renditionPath(
                            sha256: asset.sha256, preset: $0.spec.name, fileExtension: $0.spec.format.fileExtension),
                        fingerprint: $0.spec.fingerprint)
                }, of: asset.sha256)
            for index in indices { report.problems[index].repaired = true }
        }
        for index in report.problems.indices where report.problems[index].kind == .extraFile {
            if unlink(report.problems[index].path) == 0 { report.problems[index].repaired = true }
        }
        return report
    }

    /// The crop a crop rendition's fingerprint records ("crop 0,125,2400,1350,hero 1600x1600 jpeg q85").
    static func crop(from fingerprint: String) -> Crop? {
        let parts = fingerprint.split(separator: " ")
        guard parts.count >= 2, parts[0] == "crop" else { return nil }
        let fields = parts[1].split(separator: ",")
        let numbers = fields.prefix(4).compactMap { Int($0) }
        guard numbers.count == 4, fields.count == 5 else { return nil }
        let preset = fields[4] == "free" ? nil : String(fields[4])
        return Crop(x: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3], preset: preset)
    }

    /// Whether the file at a location still holds the asset's bytes: same size, then same hash.
    static func holds(_ sha256: String, location: FileLocation) -> Bool {
        guard FileStat.of(location.path)?.size == location.size else { return false }
        return (try? ContentHasher.sha256(path: location.path)) == sha256
    }

    /// The fit box of a fingerprint ("320x320 webp q80").
    static func box(from fingerprint: String) -> (Int, Int)? {
        let parts = fingerprint.split(separator: " ").first?.split(separator: "x").compactMap { Int($0) } ?? []
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    static func quality(from fingerprint: String) -> Int? {
        fingerprint.split(separator: " ").last.flatMap { $0.hasPrefix("q") ? Int($0.dropFirst()) : nil }
    }
}
