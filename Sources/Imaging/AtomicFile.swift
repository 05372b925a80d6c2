import Foundation

/// Writes files under a temporary name in the same folder, then renames them into place, so a
/// reader or a crash never sees half a file.
public enum AtomicFile {
    /// Calls `body` with a temporary path beside `path`, then renames it to `path`.
    public static func write(_ path: String, _ body: (String) throws -> Void) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let name = (path as NSString).lastPathComponent
        let ext = (name as NSString).pathExtension
        let temporary = (folder as NSString).appendingPathComponent(
            ".\(name).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0 ... .max)).tmp"
                + (ext.isEmpty ? "" : ".\(ext)"))
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

    /// Writes bytes atomically.
    public static func write(_ data: Data, to path: String) throws {
        try write(path) { temporary in
            try data.write(to: URL(fileURLWithPath: temporary))
        }
    }
}
