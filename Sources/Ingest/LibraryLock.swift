import Catalog
import Foundation

/// One ingest or repair at a time per library: an advisory lock on `library/.ingest.lock`.
final class LibraryLock: Sendable {
    private let descriptor: Int32
    private let library: Library

    init(library: Library) throws {
        try library.create()
        self.library = library
        let path = library.root + "/.ingest.lock"
        // The process's umask decides the mode: 0600, or 0660 for a library shared with a group.
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o660)
        guard descriptor >= 0 else {
            throw IngestError(
                .usage, "cannot write in the library \(library.root): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw IngestError(
                .busy, "another ingest or repair is running on \(library.root); wait for it to finish")
        }
    }

    /// Removes temporary files a killed run left behind: only safe while holding the lock. The
    /// lock file says "clean" after a run that finished, so an ordinary run skips the walk over
    /// every rendition (the largest part of a re-scan's time otherwise).
    func removeStaleTemporaryFiles() {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        let finishedCleanly = count == 5 && String(decoding: buffer.prefix(5), as: UTF8.self) == "clean"
        mark("running")
        if finishedCleanly { return }
        let folder = library.root + "/renditions"
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return }
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") && name.contains(".tmp") {
                unlink(folder + "/" + relative)
            }
        }
    }

    private func mark(_ state: String) {
        _ = ftruncate(descriptor, 0)
        _ = state.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// Releases the lock after a run that finished (a killed run never gets here).
    func release() {
        mark("clean")
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
