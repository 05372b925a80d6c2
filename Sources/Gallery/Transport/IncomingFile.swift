import Catalog
import Crypto
import Foundation
import Imaging
import NIOCore
import NIOPosix
import PhotoModel

/// Why one uploaded file was not kept; `message` does not repeat the file's name.
struct UploadFileError: PhotodeskError {
    /// What kind of refusal this is.
    enum Code: Sendable, Equatable {
        /// Over the pipeline's size cap.
        case tooLarge
        /// The library's disk refused it (full, read-only, no permission).
        case storage
    }

    var code: Code
    var message: String
    /// For a refusal of the disk: whether it was for want of room.
    var full = false

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Too large, or the disk's refusal: for want of room, or for another reason.
    var kind: ErrorKind {
        switch code {
        case .tooLarge: .tooLarge
        case .storage: full ? .noSpace : .unavailable
        }
    }

    /// The refusal of a file over `limit` bytes.
    static func tooLarge(limit: Int) -> UploadFileError {
        UploadFileError(
            .tooLarge,
            "over the \(limit)-byte limit, refused while it arrived (set limits.maxBytes in the pipeline to allow it)")
    }

    /// A system call's failure on the library's disk, with what to do.
    static func storage(_ what: String, path: String) -> UploadFileError {
        let full = WriteFailure.isFull(errno)
        var error = UploadFileError(
            .storage,
            "the library could not \(what) \(path): \(WriteFailure.words(errno))"
        )
        error.full = full
        return error
    }
}

/// A file arriving in an upload: its bytes are written, as they come, to a temporary file in the
/// library's `originals/` folder (on NIO's thread pool, never on an event loop) and hashed on
/// the way, up to a cap. Complete, it is moved into place by its content; a file never placed
/// is removed.
final class IncomingFile: @unchecked Sendable {
    // Safe to send: one request's task owns the file and awaits each thread-pool job before it
    // starts the next, so the mutable state below is never used by two threads at once.

    /// The name the client gave (sanitised), for the answer.
    let name: String
    /// Where the bytes are written until the file is placed.
    let temporaryPath: String
    /// The cap: more bytes than this and the file is refused.
    let maxBytes: Int
    private let pool: NIOThreadPool
    private var descriptor: Int32
    private var hasher = SHA256()
    /// The first bytes, to tell the format from.
    private var leading: [UInt8] = []
    /// Bytes received, not yet written: written together once there are `batchBytes` of them.
    private var pending: [ByteBuffer] = []
    private var pendingBytes = 0
    /// Set once the file is moved into place or removed: nothing is left to clean.
    private var settled = false
    /// Bytes received so far.
    private(set) var byteCount = 0
    /// The SHA-256 of the bytes, once complete.
    private(set) var sha256: String?

    /// Bytes gathered before one write: fewer thread-pool hops than one per network read.
    static let batchBytes = 256 << 10
    /// Temporary files start so (hidden, so no scan takes them for photos).
    static let temporaryPrefix = ".incoming-"

    private init(name: String, temporaryPath: String, maxBytes: Int, descriptor: Int32, pool: NIOThreadPool) {
        self.name = name
        self.temporaryPath = temporaryPath
        self.maxBytes = maxBytes
        self.descriptor = descriptor
        self.pool = pool
    }

    deinit {
        // A request that ended early (a refusal, a client gone) leaves nothing behind.
        if descriptor >= 0 { close(descriptor) }
        if !settled { unlink(temporaryPath) }
    }

    /// Opens a new temporary file for `name` in `folder`.
    static func create(name: String, in folder: String, maxBytes: Int, pool: NIOThreadPool = .singleton)
        async throws -> IncomingFile
    {
        let path =
            folder + "/" + temporaryPrefix
            + (0..<4).map { _ in String(format: "%08x", UInt32.random(in: 0 ... .max)) }.joined()
        let descriptor = try await pool.runIfActive { () throws -> Int32 in
            if mkdir(folder, 0o777) != 0, errno != EEXIST {
                throw UploadFileError.storage("make the folder", path: folder)
            }
            let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o666)
            guard descriptor >= 0 else { throw UploadFileError.storage("create", path: path) }
            return descriptor
        }
        return IncomingFile(name: name, temporaryPath: path, maxBytes: maxBytes, descriptor: descriptor, pool: pool)
    }

    /// Takes the next bytes; throws `tooLarge` (writing nothing more) once they pass the cap.
    func append(_ buffer: ByteBuffer) async throws {
        let count = buffer.readableBytes
        guard count > 0 else { return }
        guard count <= maxBytes - byteCount else { throw UploadFileError.tooLarge(limit: maxBytes) }
        byteCount += count
        if leading.count < ImageFormat.sniffedByteCount {
            leading += buffer.readableBytesView.prefix(ImageFormat.sniffedByteCount - leading.count)
        }
        pending.append(buffer)
        pendingBytes += count
        if pendingBytes >= Self.batchBytes { try await flush() }
    }

    /// Writes what is pending, and hashes it, on the thread pool.
    private func flush() async throws {
        guard !pending.isEmpty else { return }
        let buffers = pending
        pending = []
        pendingBytes = 0
        try await pool.runIfActive {
            for buffer in buffers {
                try buffer.withUnsafeReadableBytes { bytes in
                    try self.writeOut(bytes)
                    self.hasher.update(bufferPointer: bytes)
                }
            }
        }
    }

    private func writeOut(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw UploadFileError.storage("write", path: temporaryPath)
            }
            offset += written
        }
    }

    /// Ends the file: writes what is pending, makes it durable (an upload may be the only copy)
    /// and closes it; its hash is then known.
    func complete() async throws {
        try await flush()
        let descriptor = self.descriptor
        self.descriptor = -1
        try await pool.runIfActive {
            defer { close(descriptor) }
            guard fsync(descriptor) == 0 else { throw UploadFileError.storage("write", path: self.temporaryPath) }
        }
        sha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Where a complete file is kept, and whether this upload put it there.
    struct Placed: Sendable {
        /// The absolute path: `library/originals/ab/<sha256>.<ext>`.
        var path: String
        /// False when the library already had the file (it is not rewritten).
        var created: Bool
    }

    /// The extension the file is kept under: the format its bytes announce, else its name's,
    /// else `bin`.
    var fileExtension: String {
        ImageFormat(sniffing: leading)?.fileExtension ?? UploadName.fileExtension(name) ?? "bin"
    }

    /// Moves a complete file to `originals/ab/<sha256>.<ext>`; one already there is kept as it is.
    func place(in library: Library) async throws -> Placed {
        guard let sha256 else { throw UploadFileError(.storage, "the upload of \(name) was not complete") }
        let path = library.absolute(Library.originalPath(sha256: sha256, fileExtension: fileExtension))
        let temporary = temporaryPath
        let created = try await pool.runIfActive { () throws -> Bool in
            let folder = (path as NSString).deletingLastPathComponent
            if mkdir(folder, 0o777) != 0, errno != EEXIST {
                throw UploadFileError.storage("make the folder", path: folder)
            }
            defer { unlink(temporary) }
            // A hard link never replaces a file; where links are not supported, a rename after a look.
            if link(temporary, path) == 0 { return true }
            if errno == EEXIST || access(path, F_OK) == 0 { return false }
            guard rename(temporary, path) == 0 else { throw UploadFileError.storage("move the upload to", path: path) }
            return true
        }
        settled = true
        return Placed(path: path, created: created)
    }

    /// Removes the file (a refusal, a request that failed).
    func discard() async {
        let descriptor = self.descriptor
        self.descriptor = -1
        settled = true
        pending = []
        let path = temporaryPath
        _ = try? await pool.runIfActive {
            if descriptor >= 0 { close(descriptor) }
            unlink(path)
        }
    }

    /// Removes temporary files a killed server left in `folder` more than a day ago (newer ones
    /// may be uploads in progress on another gallery node sharing the library).
    static func removeStale(in folder: String, now: Date = Date()) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(temporaryPrefix) {
            let path = folder + "/" + name
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                now.timeIntervalSince(modified) > 86_400
            else { continue }
            unlink(path)
        }
    }
}
