import Catalog
import Foundation
import GRDB

extension SQLiteCatalog: ChangeNotifying {
    /// The catalog and its write-ahead log: a commit anywhere writes to one of them.
    public var changedFiles: [String] { [path, path + "-wal"] }

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
