import Catalog
import Foundation
import HTTPTypes
import Imaging
import NIOCore

/// Renditions kept in memory (the bytes of small ones), so a thumbnail costs a `stat` and no
/// query or read: a `VersionedCache` of entries, answered only at the catalog version they were
/// read at (a photo taken back from publication must stop being served to readers at once).
/// The version is the catalog's change signal's cheap reading, so the fast paths, which cannot
/// wait for a query, ask it for every answer: a reader's request right after `photodesk article
/// unpublish` (another process) finds another version and goes to the router.
final class RenditionCache: Sendable {
    struct Entry: Sendable {
        let path: String
        /// The file as it was when read: a different size, time or inode means it was replaced.
        let stamp: FileStat
        let etag: String
        let mimeType: String
        /// The whole file, for small ones; nil for those streamed from disk.
        let bytes: ByteBuffer?
        /// When readers may see its photo (`Photo.visibility`).
        let visibility: Visibility
        /// Every header of a 200 answer to a reader but `Date`, made once for the fast path.
        let answerHeaders: HTTPFields
        /// The same answer's status line and headers as bytes, for `RawRenditionPath`.
        let rawHead: ByteBuffer

        init(path: String, stamp: FileStat, etag: String, mimeType: String, bytes: ByteBuffer?, visibility: Visibility)
        {
            self.path = path
            self.stamp = stamp
            self.etag = etag
            self.mimeType = mimeType
            self.bytes = bytes
            self.visibility = visibility
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

    let entries: VersionedCache<Entry>
    /// The catalog's change signal.
    let signal: any ChangeSignal
    /// Files larger than this are streamed from disk per request rather than kept.
    let maxFileBytes: Int

    init(
        signal: any ChangeSignal, maxEntries: Int = 20_000, maxBytes: Int = 128 << 20,
        maxFileBytes: Int = 512 << 10
    ) {
        self.signal = signal
        self.maxFileBytes = maxFileBytes
        entries = VersionedCache(maxEntries: maxEntries, maxBytes: maxBytes) { $0.bytes?.readableBytes ?? 0 }
    }

    /// The entry for `key` when it may be answered from memory alone, to anyone, now: held in
    /// memory at the catalog's current version (read without a query), public, and its file
    /// unchanged (one `stat` of the inode cache, not a read: it notices a rendition re-made on
    /// disk).
    func servable(_ key: String) -> Entry? {
        guard case .current(let version) = signal.currentVersion(), let entry = entries.value(key, at: version),
            entry.bytes != nil, entry.visibility.contains(Date()),
            FileStat.of(entry.path) == entry.stamp
        else { return nil }
        return entry
    }

    /// Keeps an entry read at `version` (small files only).
    func store(_ key: String, _ entry: Entry, at version: CatalogVersion, ticket: VersionedCache<Entry>.Ticket) {
        guard let size = entry.bytes?.readableBytes, size <= maxFileBytes else { return }
        // Renditions need no horizon: whether each is public yet is checked as it is answered.
        if entries.needsHorizon(at: version, now: Date()) { entries.reset(to: version) }
        entries.store(key, entry, at: version, ticket: ticket)
    }
}
