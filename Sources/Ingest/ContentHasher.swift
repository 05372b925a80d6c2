import Crypto
import Foundation
import PhotoModel

/// The SHA-256 of a file's bytes, read in chunks so memory stays flat.
public enum ContentHasher {
    /// Hashes a regular file. Throws with the path and the reason when it cannot be read; a FIFO
    /// or a device is refused, never waited on.
    public static func sha256(path: String) throws -> String {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw HashError(path: path, reason: "cannot be read: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw HashError(path: path, reason: "not a regular file (a FIFO, device or folder)")
        }
        var hasher = SHA256()
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, chunk)
            if count < 0 {
                if errno == EINTR { continue }
                throw HashError(path: path, reason: "cannot be read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// A file that could not be read.
    public struct HashError: PhotodeskError {
        /// The file.
        public var path: String
        /// What went wrong, without the path ("cannot be read: Permission denied").
        public var reason: String
        /// The file and what went wrong.
        public var message: String { "\(path): \(reason)" }
        /// A file the system would not let be read.
        public var kind: ErrorKind { .unavailable }
    }
}
