import Catalog
import Foundation
import HTTPTypes
import Imaging
import NIOCore

/// Renditions kept in memory (the bytes of small ones), so a thumbnail costs a `stat` and no
/// query or read. Bounded in count and bytes; emptied when full, and when the catalog changes
/// (a photo taken back from publication must stop being served to readers at once).
///
/// Another process's write reaches the server as a notification, a moment after it commits; the
/// fast path, which reads no counter, also compares the store's commit mark (`commitMark()`, the
/// SQLite write-ahead log's index header) with the one read before the counter was last read,
/// and answers nothing from memory while they differ: a reader's request right after
/// `photodesk article unpublish` goes to the router, which reads the counter.
final class RenditionCache: @unchecked Sendable {
    // @unchecked: `entries`, `bytes`, `generation`, `counter` and `markAtSync` are only touched
    // with `lock` held; entries are immutable values.
    struct Entry: Sendable {
        let path: String
        /// The file as it was when read: a different size, time or inode means it was replaced.
        let stamp: FileStat
        let etag: String
        let mimeType: String
        /// The whole file, for small ones; nil for those streamed from disk.
        let bytes: ByteBuffer?
        /// See `Photo.publicFrom`.
        let publicFrom: Date?
        /// Every header of a 200 answer to a reader but `Date`, made once for the fast path.
        let answerHeaders: HTTPFields
        /// The same answer's status line and headers as bytes, for `RawRenditionPath`.
        let rawHead: ByteBuffer

        init(path: String, stamp: FileStat, etag: String, mimeType: String, bytes: ByteBuffer?, publicFrom: Date?) {
            self.path = path
            self.stamp = stamp
            self.etag = etag
            self.mimeType = mimeType
            self.bytes = bytes
            self.publicFrom = publicFrom
            var answer = RenditionRoutes.headers(mimeType: mimeType, etag: etag, isPublic: true)
            answer[.contentLength] = String(bytes?.readableBytes ?? 0)
            SecurityHeadersMiddleware.add(to: &answer)
            answer[.server] = GalleryServer.serverName
            answerHeaders = answer
            var raw = ByteBuffer(string: "HTTP/1.1 200 OK\r\n")
            for field in answer {
                raw.writeString(field.name.rawName)
                raw.writeStaticString(": ")
                raw.writeString(field.value)
                raw.writeStaticString("\r\n")
            }
            rawHead = raw
        }
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var bytes = 0
    private var currentGeneration = 0
    private var counter: Int64 = -1
    /// The commit mark read just before the counter was last read; nil when unknown.
    private var markAtSync: CommitMark?
    let maxEntries: Int
    let maxBytes: Int
    /// Files larger than this are streamed from disk per request rather than kept.
    let maxFileBytes: Int
    /// Reads the store's commit mark (none: notifications alone tell of writes).
    let commitMark: (@Sendable () -> CommitMark?)?

    init(
        maxEntries: Int = 20_000, maxBytes: Int = 128 << 20, maxFileBytes: Int = 512 << 10,
        commitMark: (@Sendable () -> CommitMark?)? = nil
    ) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.maxFileBytes = maxFileBytes
        self.commitMark = commitMark
    }

    /// Increases with every `clear`: an entry read before a clear is not stored after it.
    var generation: Int { lock.withLock { currentGeneration } }

    func entry(_ key: String) -> Entry? {
        lock.withLock { entries[key] }
    }

    /// The entry for `key` when it may be answered from memory alone, to anyone, now: held in
    /// memory, public, its file unchanged (one `stat` of the inode cache, not a read: it notices
    /// a rendition re-made on disk) and the catalog's commit mark as it was at the last sync.
    func servable(_ key: String) -> Entry? {
        guard let entry = entry(key), entry.bytes != nil, let publicFrom = entry.publicFrom, publicFrom <= Date(),
            FileStat.of(entry.path) == entry.stamp, catalogUnchanged()
        else { return nil }
        return entry
    }

    func store(_ key: String, _ entry: Entry, generation: Int) {
        guard let size = entry.bytes?.readableBytes, size <= maxFileBytes else { return }
        lock.withLock {
            guard generation == currentGeneration else { return }
            if entries.count >= maxEntries || bytes + size > maxBytes {
                entries.removeAll(keepingCapacity: true)
                bytes = 0
            }
            if let old = entries.updateValue(entry, forKey: key) { bytes -= old.bytes?.readableBytes ?? 0 }
            bytes += size
        }
    }

    func remove(_ key: String) {
        lock.withLock {
            if let old = entries.removeValue(forKey: key) { bytes -= old.bytes?.readableBytes ?? 0 }
        }
    }

    /// The catalog's commit mark now.
    func catalogMark() -> CommitMark? {
        commitMark?()
    }

    /// Whether the catalog's commit mark is the one read before the counter was last read: if
    /// not, another process may have written, and only a fresh read of the counter tells.
    func catalogUnchanged() -> Bool {
        guard let commitMark else { return true }
        guard let now = commitMark() else { return false }
        return lock.withLock { markAtSync == now }
    }

    /// Forgets every entry when the catalog's change counter is not the one they were read at;
    /// `mark` is the commit mark read before `counter` was (nil: unknown).
    func sync(counter: Int64, mark: CommitMark? = nil) {
        lock.withLock {
            markAtSync = mark
            guard counter != self.counter else { return }
            entries.removeAll(keepingCapacity: true)
            bytes = 0
            currentGeneration += 1
            self.counter = counter
        }
    }

    /// Forgets every entry when `counter` is not the one the entries were made at (a poll of the
    /// catalog's counter; the mark noted at the last sync is kept).
    func notice(counter: Int64) {
        lock.withLock {
            guard counter != self.counter else { return }
            entries.removeAll(keepingCapacity: true)
            bytes = 0
            currentGeneration += 1
            self.counter = counter
        }
    }

    /// Forgets every entry (the catalog changed: visibility may have).
    func clear() {
        lock.withLock {
            entries.removeAll(keepingCapacity: true)
            bytes = 0
            currentGeneration += 1
        }
    }
}
