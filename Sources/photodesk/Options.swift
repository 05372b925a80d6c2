import ArgumentParser
import Catalog
import CatalogPostgres
import CatalogSQLite
import Desk
import Foundation
import Gallery
import Ingest
import SearchMemory

/// The library option every command shares.
struct LibraryOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The library folder.", discussion: "Default: $PHOTODESK_LIBRARY, else ./library.", valueName: "dir"))
    var library: String?

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "Let the library's group read and write it.",
            discussion:
                "Folders 0770 and files 0660 instead of 0700 and 0600. A library made so keeps group access."))
    var sharedGroup = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A PostgreSQL catalog instead of the library's SQLite file.",
            discussion:
                "postgres://user[:password]@host[:port]/database, or a Unix socket directory: postgres:///database?host=/run/postgresql. Settings: ?pool_size=N&statement_timeout=30s. Default: $PHOTODESK_CATALOG, else the library's catalog.sqlite.",
            valueName: "url"))
    var catalog: String?

    var resolved: Library { Library.resolve(library) }

    /// The PostgreSQL catalog's URL, when one is named.
    var catalogURL: String? {
        let named = catalog ?? ProcessInfo.processInfo.environment["PHOTODESK_CATALOG"]
        return named.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Who may read and write the library: its group when asked, or when it was made shared.
    var access: Library.Access { sharedGroup || resolved.existingAccess == .group ? .group : .owner }

    /// Opens the library's catalog and the desk over it, creating the library when asked to.
    /// Every file made from here on (the catalog, the lock, renditions, exports) gets the
    /// library's access through the umask; a command that creates sets the modes of the folder,
    /// catalog and lock as well.
    /// `memorySearch` puts a copy of a SQLite catalog's search index in memory in front of it
    /// (`serve`): loaded in the background, then following the catalog's changes.
    func openDesk(create: Bool, memorySearch: Bool = false) async throws -> Desk {
        let library = resolved
        if let url = catalogURL {
            // The files (renditions, originals) still live in the library folder, shared by every
            // node; the catalog is the server's.
            let access = self.access
            umask(access.umask)
            if create {
                try library.create(access: access)
                library.apply(access)
            }
            return Desk(store: try await PostgresCatalog.open(url: url), library: library)
        }
        if !create && !FileManager.default.fileExists(atPath: library.catalogPath) {
            throw CommandError(
                "no library at \(library.root): ingest a folder first (photodesk ingest DIR), or give --library",
                kind: .notFound)
        }
        let access = self.access
        umask(access.umask)
        if create { try library.create(access: access) }
        let catalog = try SQLiteCatalog(library: library)
        if create { library.apply(access) }
        guard memorySearch else { return Desk(store: catalog, library: library) }
        let copy = MemorySearch(feed: catalog, fallback: catalog, signal: catalog)
        Task.detached(priority: .utility) { await copy.follow() }
        return Desk(store: catalog, library: library, search: copy)
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
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func line<T: Encodable>(_ value: T) -> String {
        (try? encoder(pretty: false).encode(value)).map(escaped) ?? "{}"
    }

    static func pretty<T: Encodable>(_ value: T) -> String {
        (try? encoder(pretty: true).encode(value)).map(escaped) ?? "{}"
    }

    /// The encoder's text with the characters it leaves raw but a terminal acts on (DEL, C1
    /// controls, bidirectional overrides) written as `\uXXXX`: the same JSON, safe to print.
    /// Outside strings JSON is ASCII, so only strings change.
    static func escaped(_ data: Data) -> String {
        var out = String.UnicodeScalarView()
        for scalar in String(decoding: data, as: UTF8.self).unicodeScalars {
            if TerminalText.neutralised(scalar) {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}

/// Writes to standard output line by line, so that JSON Lines stream as files finish. Whatever
/// is written goes through `TerminalText.safe`, so no caption, path or error can drive the
/// terminal (JSON comes out unchanged: `JSONOutput` escapes those characters itself).
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((TerminalText.safe(text) + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((TerminalText.safe(text) + "\n").utf8))
    }
}

/// The person making a change from the command line.
enum Editor {
    static var name: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["PHOTODESK_USER"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "cli"
    }
}
