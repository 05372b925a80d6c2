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
            do {
                try FileManager.default.createDirectory(atPath: parts.folder, withIntermediateDirectories: true)
            } catch {
                let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
                let code = underlying?.domain == NSPOSIXErrorDomain ? underlying.map { Int32($0.code) } : nil
                throw ImagingError.notWritten(parts.folder, systemError: code, cause: "\(error)")
            }
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
                throw ImagingError.notWritten(path, systemError: errno)
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
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
            guard descriptor >= 0 else { throw ImagingError.notWritten(path, systemError: errno) }
            defer { close(descriptor) }
            try data.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(descriptor, base + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw ImagingError.notWritten(path, systemError: errno)
                    }
                    offset += written
                }
            }
        }
    }
}
