import Catalog
import Foundation
import GRDB
import Synchronization

extension SQLiteCatalog: ChangeNotifying {
    /// Yields the change counter when another connection (this process or another) commits: the
    /// catalog's files are watched with inotify, so a server drops its caches as soon as a
    /// `photodesk` command run beside it writes, without polling.
    public func changeNotifications() -> AsyncStream<Int64> {
        let folder = (path as NSString).deletingLastPathComponent
        let names = Set([(path as NSString).lastPathComponent, (path as NSString).lastPathComponent + "-wal"])
        let pool = self.pool
        return AsyncStream { continuation in
            guard let watch = FolderWatch(folder: folder) else {
                continuation.finish()
                return
            }
            let thread = Thread {
                var last: Int64 = -1
                while let changed = watch.next() {
                    guard changed.contains(where: names.contains) else { continue }
                    guard
                        let counter = try? pool.read({ db in
                            try Int64.fetchOne(db, sql: "SELECT changes FROM catalogState WHERE id = 1")
                        }) ?? nil,
                        counter != last
                    else { continue }
                    last = counter
                    continuation.yield(counter)
                }
                continuation.finish()
            }
            thread.name = "photodesk-catalog-watch"
            continuation.onTermination = { _ in watch.stop() }
            thread.start()
        }
    }
}

/// The names of files written in a folder, as inotify reports them, until stopped.
final class FolderWatch: @unchecked Sendable {
    // @unchecked: the descriptors are only read by the watching thread; `stop` writes to the
    // wake-up pipe, which is safe from any thread.
    private let inotify: Int32
    private let wake: [Int32]

    init?(folder: String) {
        inotify = inotify_init1(Int32(IN_CLOEXEC))
        guard inotify >= 0 else { return nil }
        guard inotify_add_watch(inotify, folder, UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO)) >= 0
        else {
            close(inotify)
            return nil
        }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            close(inotify)
            return nil
        }
        wake = pipeEnds
    }

    /// Blocks until files change; their names, or nil once stopped.
    func next() -> [String]? {
        var descriptors = [
            pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&descriptors, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if descriptors[1].revents != 0 {
                close(inotify)
                close(wake[0])
                return nil
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(inotify, &buffer, buffer.count)
            guard count > 0 else { return nil }
            var names: [String] = []
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                let length = buffer.withUnsafeBytes { raw in
                    Int(raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self).len)
                }
                let start = offset + header
                let end = min(count, start + length)
                if end > start {
                    names.append(String(decoding: buffer[start..<end].prefix { $0 != 0 }, as: UTF8.self))
                }
                offset = start + length
            }
            return names
        }
    }

    /// Stops the watch: `next` returns nil.
    func stop() {
        var byte: UInt8 = 1
        _ = write(wake[1], &byte, 1)
        close(wake[1])
    }
}

extension SQLiteCatalog {
    /// The write-ahead log's index header (SQLite's file format, "WAL-Index Format"): every
    /// commit rewrites it, increasing its change count and frame count, before any reader can
    /// see the commit, so the header read before a query of the counter and again later tells
    /// whether anything committed in between.
    public func commitMark() -> CommitMark? { walIndex.mark() }
}

/// Reads the header at the start of the catalog's `-shm` file: two copies of 48 bytes that
/// SQLite writes one after the other; a read that finds them different caught a commit midway
/// and gives no mark. A `pread` of shared memory already in the page cache: no disk, no lock.
final class WALIndexHeader: Sendable {
    private let path: String
    /// The open file, -1 until it could be opened.
    private let descriptor = Mutex<Int32>(-1)

    init(catalog: String) {
        path = catalog + "-shm"
    }

    deinit {
        descriptor.withLock { if $0 >= 0 { close($0) } }
    }

    func mark() -> CommitMark? {
        descriptor.withLock { descriptor -> CommitMark? in
            if descriptor < 0 {
                descriptor = open(path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { return nil }
            }
            return withUnsafeTemporaryAllocation(byteCount: 96, alignment: 8) { header -> CommitMark? in
                guard let base = header.baseAddress, pread(descriptor, base, 96, 0) == 96,
                    memcmp(base, base + 48, 48) == 0, header[12] == 1
                else { return nil }
                // The change count, the frame and page counts, the checksum and the salts.
                let word = { (index: Int) in header.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) }
                return CommitMark(word(1), word(2), word(3), word(4))
            }
        }
    }
}
