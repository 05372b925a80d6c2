import Foundation
import PhotoModel

/// Reads the small side files that people and photographers' folders supply (XMP and caption
/// sidecars, caption sheets, code lists, article files, pipelines) without being led astray: only
/// a regular file is read (never a FIFO, a device or a folder, so nothing blocks), never more than
/// a cap, checked before anything is allocated, and, given a folder, only a file that stays inside
/// it (a link is followed only to a target in that folder).
public enum SafeFile {
    /// Why a side file was not read.
    public struct Refusal: PhotodeskError, Equatable {
        /// What kind of refusal this is.
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            let name: String
            /// Nothing is at the path (or a link there leads nowhere).
            public static let missing = Code(name: "missing")
            /// The path, or the link it is, leads outside the folder it must stay in.
            public static let outside = Code(name: "outside")
            /// A FIFO, a device, a socket or a folder.
            public static let notRegular = Code(name: "not-regular")
            /// Larger than the cap for this kind of file.
            public static let tooLarge = Code(name: "too-large")
            /// The system refused to open or read it.
            public static let unreadable = Code(name: "unreadable")
            public var description: String { name }
        }

        /// What kind of refusal this is.
        public var code: Code
        /// The file as it was named.
        public var path: String
        /// What is wrong with it, without its path ("a FIFO, not a regular file").
        public var reason: String

        /// Makes a refusal.
        public init(_ code: Code, path: String, reason: String) {
            self.code = code
            self.path = path
            self.reason = reason
        }

        /// The file and what is wrong with it.
        public var message: String { "\(path): \(reason)" }

        /// A missing file is `notFound`, a large one `tooLarge`; a link out of its folder, a FIFO or a
        /// device is `invalid` (never read); a file the system refused is `unavailable`.
        public var kind: ErrorKind {
            switch code {
            case .missing: .notFound
            case .tooLarge: .tooLarge
            case .unreadable: .unavailable
            default: .invalid
            }
        }
    }

    /// The bytes of the regular file at `path`, at most `maxBytes` of them.
    ///
    /// With `folder`, the file must be inside it once every link is resolved; links to anything
    /// outside (`~/.ssh/id_ed25519`, `/dev/zero`) are refused. Without it (a file a person named
    /// on the command line), links are followed.
    public static func read(path: String, maxBytes: Int, within folder: String? = nil) throws(Refusal) -> Data {
        var target = path
        var flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC
        if let folder {
            guard let real = realPath(path) else { throw refusal(path: path, errno: errno) }
            let root = realPath(folder) ?? folder
            guard contains(real, in: root) else {
                throw Refusal(.outside, path: path, reason: "a link to a file outside \(root), not followed")
            }
            target = real
            flags |= O_NOFOLLOW
        }
        let descriptor = open(target, flags)
        guard descriptor >= 0 else { throw refusal(path: path, errno: errno) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw refusal(path: path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw Refusal(.notRegular, path: path, reason: "\(kind(info.st_mode)), not a regular file")
        }
        let limit = min(max(0, maxBytes), Int.max - 1)
        guard info.st_size <= limit else {
            throw Refusal(.tooLarge, path: path, reason: "\(info.st_size) bytes, over the \(limit)-byte limit")
        }
        // The size may change after fstat: read at most one byte past the cap to notice.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var count = 0
        while count <= limit {
            if count == bytes.count { bytes += [UInt8](repeating: 0, count: min(bytes.count, limit + 1 - count)) }
            let got = bytes.withUnsafeMutableBytes { buffer in
                readDescriptor(descriptor, buffer.baseAddress.map { $0 + count }, buffer.count - count)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw refusal(path: path, errno: errno)
            }
            if got == 0 { break }
            count += got
        }
        guard count <= limit else {
            throw Refusal(.tooLarge, path: path, reason: "over the \(limit)-byte limit (it grew while being read)")
        }
        return Data(bytes.prefix(count))
    }

    /// Like `read(path:maxBytes:within:)`, but nil when nothing is at `path`.
    public static func readIfPresent(path: String, maxBytes: Int, within folder: String? = nil) throws(Refusal)
        -> Data?
    {
        do throws(Refusal) {
            return try read(path: path, maxBytes: maxBytes, within: folder)
        } catch  where error.code == .missing {
            return nil
        }
    }

    private static func refusal(path: String, errno code: Int32) -> Refusal {
        switch code {
        case ENOENT, ENOTDIR: Refusal(.missing, path: path, reason: "not there")
        case ELOOP: Refusal(.outside, path: path, reason: "a link that changed while being opened, not followed")
        default: Refusal(.unreadable, path: path, reason: "cannot be read (\(String(cString: strerror(code))))")
        }
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFDIR: "a folder"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }

    /// The path with every link, `.` and `..` resolved, or nil when nothing is there.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path`, every link resolved, is inside `folder` (itself resolved).
    public static func isInside(_ path: String, folder: String) -> Bool {
        guard let real = realPath(path) else { return false }
        return contains(real, in: realPath(folder) ?? folder)
    }

    private static func contains(_ real: String, in root: String) -> Bool {
        root == "/" || real.hasPrefix(root + "/")
    }
}

/// read(2), out of reach of `SafeFile.read`'s name.
private func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
