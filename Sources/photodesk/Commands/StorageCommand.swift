import ArgumentParser
import Catalog
import Desk
import Foundation
import Imaging
import Ingest
import ObjectStorage

/// `photodesk storage ...`
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage", abstract: "Object storage (S3-compatible) for a library's files.",
        discussion: """
            A location is written s3://BUCKET/PREFIX?endpoint=URL&region=R (or set in
            $PHOTODESK_STORAGE). Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
            (and AWS_SESSION_TOKEN), or from the file $PHOTODESK_S3_CREDENTIALS names; never from
            the command line.

            Renditions are stored under keys that carry the photo's whole SHA-256
            (renditions/ab/<sha256>-<preset>.<ext>), so a reader who knows a photo's public id
            cannot guess the key of a private one; originals kept in the library under
            originals/ab/<sha256>.<ext>.
            """,
        subcommands: [StorageCopyCommand.self, StorageShowCommand.self])
}

/// `photodesk storage show`
struct StorageShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the object storage the catalog names, if any.")

    @OptionGroup var libraryOptions: LibraryOptions

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        guard let setting = try await desk.storageLocation() else {
            Output.line("The library's files are in its folder (\(desk.library.root)); no object storage is named.")
            return
        }
        Output.line(
            "\(setting.value) (named by \(setting.by) at \(ISO8601DateFormatter().string(from: setting.at)))")
    }
}

/// `photodesk storage copy --to s3://...`
struct StorageCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a library's renditions and kept originals into a bucket, then name it in the catalog.",
        discussion: """
            Every file the catalog knows in the library folder goes up once: an object already in
            the bucket with the same size and SHA-256 is left as it is, so an interrupted copy
            is resumed by running it again. Each upload carries its MD5 (the service refuses a
            changed body) and its SHA-256, and each object is checked after it lands. Files over
            16 MiB go up in parts. When every file is in the bucket, the catalog names it: gallery
            nodes (photodesk serve) then read renditions from it when their folder lacks them.
            The library folder is left untouched.

            Examples:
              AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \\
                photodesk storage copy --to "s3://photos/desk?endpoint=https://s3.eu-west-1.amazonaws.com&region=eu-west-1"
              photodesk storage copy --to "s3://photos/desk?endpoint=http://127.0.0.1:8333" --json
            """)

    @OptionGroup var libraryOptions: LibraryOptions

    @Option(name: .long, help: ArgumentHelp("The bucket.", valueName: "s3://BUCKET/PREFIX?endpoint=URL&region=R"))
    var to: String

    @Flag(help: "Print a JSON summary instead of sentences.")
    var json = false

    struct Summary: Encodable {
        var location: String
        var files = 0
        var copied = 0
        var alreadyThere = 0
        var failed = 0
        var bytesCopied: Int64 = 0
        var failures: [String] = []
        var named = false
    }

    func run() async throws {
        let location = try S3Location(parsing: to)
        let credentials = try S3Credentials.load()
        let desk = try await libraryOptions.openDesk(create: false)
        let client = S3Client(location: location, credentials: credentials)
        do {
            let summary = try await copy(desk: desk, client: client, location: location)
            try await client.shutdown()
            report(summary)
            if summary.failed > 0 { throw ExitCode(1) }
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func copy(desk: Desk, client: S3Client, location: S3Location) async throws -> Summary {
        var summary = Summary(location: location.description)
        let inventory = try await desk.inventory()
        let originals = desk.library.root + "/originals/"
        // (local path, key): the renditions by their object keys, the originals as they are.
        var files = inventory.renditions.map { (desk.library.absolute($0.path), $0.objectKey) }
        for found in inventory.locations where found.path.hasPrefix(originals) {
            files.append((found.path, String(found.path.dropFirst(desk.library.root.count + 1))))
        }
        files.sort { $0.1 < $1.1 }
        var seen = Set<String>()
        files.removeAll { !seen.insert($0.1).inserted }
        summary.files = files.count
        let present = Dictionary(
            try await client.listAll().map { ($0.key, $0.size) }, uniquingKeysWith: { first, _ in first })
        let interactive = isatty(STDERR_FILENO) == 1 && !json
        var lastDraw = Date.distantPast
        for (index, (path, key)) in files.enumerated() {
            if interactive, Date().timeIntervalSince(lastDraw) > 0.1 {
                lastDraw = Date()
                FileHandle.standardError.write(
                    Data("\r\u{1B}[2K\(index)/\(files.count) files, \(summary.copied) copied: \(key)".prefix(200).utf8))
            }
            do {
                let local = try Self.digest(of: path)
                if present[key] == local.size, let stored = try await client.head(key), stored.size == local.size,
                    stored.sha256 == local.sha256
                {
                    summary.alreadyThere += 1
                    continue
                }
                try await client.upload(file: path, to: key, sha256: local.sha256)
                guard let landed = try await client.head(key), landed.size == local.size, landed.sha256 == local.sha256
                else {
                    throw S3Error(
                        .refused, "\(client.name(key)) does not hold the file's size and SHA-256 after its upload")
                }
                summary.copied += 1
                summary.bytesCopied += local.size
            } catch let error as S3Error where error.cause == .denied || error.cause == .unreachable {
                // Every other file would fail the same way.
                throw error
            } catch {
                summary.failed += 1
                summary.failures.append("\(path): \(error)")
            }
        }
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        if summary.failed == 0 {
            try await desk.saveStorageLocation(location.description, by: Editor.name)
            summary.named = true
        }
        return summary
    }

    /// A file's size and SHA-256 (the ingest's `ContentHasher`).
    static func digest(of path: String) throws -> (size: Int64, sha256: String) {
        guard let stat = FileStat.of(path) else {
            throw CommandError("cannot read \(path): \(String(cString: strerror(errno)))", kind: .notFound)
        }
        return (stat.size, try ContentHasher.sha256(path: path))
    }

    func report(_ summary: Summary) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Output.line(String(decoding: (try? encoder.encode(summary)) ?? Data(), as: UTF8.self))
            return
        }
        for failure in summary.failures { Output.line("failed     \(failure)") }
        Output.line(
            "\(summary.files) files: \(summary.copied) copied (\(summary.bytesCopied) bytes), \(summary.alreadyThere) already in the bucket, \(summary.failed) failed."
        )
        Output.line(
            summary.named
                ? "The catalog now names \(summary.location): photodesk serve reads renditions from it when its folder lacks them."
                : "The catalog still names the library folder: run the copy again to finish it.")
    }
}
