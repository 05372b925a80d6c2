import Foundation

/// Writes files under a temporary name in the same folder, then renames them into place, so a
/// reader or a crash never sees half a file.
public enum AtomicFile {
    /// Calls `body` with a temporary path beside `path`, then renames it to `path`.
    public static func write(_ path: String, _ body: (String) throws -> Void) throws {
        // The path's parts in plain Swift: this runs on many threads at once (renditions are made in
        // parallel), and NSString's path methods once crashed there in swift-corelibs-foundation
        // (a bad read in `_stringByFixingSlashes` under `pathExtension`, in a test run).
        let parts = Self.parts(path)
        if !parts.folder.isEmpty {
            try FileManager.default.createDirectory(atPath: parts.folder, withIntermediateDirectories: true)
        }
        let temporaryName =
            ".\(parts.name).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0 ... .max)).tmp"
            + (parts.extension.isEmpty ? "" : ".\(parts.extension)")
        let temporary =
            parts.folder.isEmpty
            ? temporaryName : parts.folder + (parts.folder.hasSuffix("/") ? "" : "/") + temporaryName
        do {
            try body(temporary)
            guard rename(temporary, path) == 0 else {
                throw ImagingError(
                    .io, "cannot be moved into place: \(String(cString: strerror(errno)))", path: path)
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// A file path's folder ("" for a bare name, "/" at the root), its last component and that
    /// component's extension ("" for none, or for a name that only starts with a dot).
    package static func parts(_ path: String) -> (folder: String, name: String, extension: String) {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let folder: String
        let name: Substring
        if let slash = trimmed.lastIndex(of: "/") {
            folder = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
            name = trimmed[trimmed.index(after: slash)...]
        } else {
            folder = ""
            name = trimmed
        }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (folder, String(name), "") }
        return (folder, String(name), String(name[name.index(after: dot)...]))
    }

    /// Writes bytes atomically.
    public static func write(_ data: Data, to path: String) throws {
        try write(path) { temporary in
            try data.write(to: URL(fileURLWithPath: temporary))
        }
    }
}
