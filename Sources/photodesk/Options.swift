import ArgumentParser
import Catalog
import CatalogSQLite
import Desk
import Foundation
import Gallery
import Ingest

/// The library option every command shares.
struct LibraryOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The library folder.", discussion: "Default: $PHOTODESK_LIBRARY, else ./library.", valueName: "dir"))
    var library: String?

    var resolved: Library { Library.resolve(library) }

    /// Opens the library's catalog and the desk over it, creating the library when asked to.
    func openDesk(create: Bool) throws -> Desk {
        let library = resolved
        if !create && !FileManager.default.fileExists(atPath: library.catalogPath) {
            throw CommandError(
                "no library at \(library.root): ingest a folder first (photodesk ingest DIR), or give --library")
        }
        return Desk(store: try SQLiteCatalog(library: library), library: library)
    }
}

/// Finds the project's own folders (Assets, Pipelines) for an installed or built binary.
enum ProjectFolders {
    /// `$PHOTODESK_HOME/NAME`, else NAME beside or above the executable, else NAME in the current folder.
    static func find(_ name: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        if let home = environment["PHOTODESK_HOME"] { return home + "/" + name }
        var folder = URL(fileURLWithPath: executablePath()).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/" + name
    }

    private static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// JSON output with stable keys.
enum JSONOutput {
    static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func line<T: Encodable>(_ value: T) -> String {
        (try? encoder(pretty: false).encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func pretty<T: Encodable>(_ value: T) -> String {
        (try? encoder(pretty: true).encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Writes to standard output line by line, so that JSON Lines stream as files finish.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// The person making a change from the command line.
enum Editor {
    static var name: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["PHOTODESK_USER"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "cli"
    }
}
