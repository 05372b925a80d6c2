import Catalog
import Crypto
import Foundation
import Hummingbird
import Imaging

/// Renditions over HTTP: found through the catalog (never by joining the request onto a path),
/// immutable caching, strong ETags, conditional requests and byte ranges.
struct RenditionRoutes: Sendable {
    let catalog: any CatalogStore
    let library: Library
    let cache: RenditionCache

    /// The URL of a rendition.
    static func url(id: String, _ rendition: AssetDocument.Rendition) -> String {
        "/r/\(id)/\(rendition.preset).\(ImageFormat(rawValue: rendition.format)?.fileExtension ?? rendition.format)"
    }

    static func url(id: String, _ rendition: RenditionRecord) -> String {
        "/r/\(id)/\(rendition.preset).\(ImageFormat(rawValue: rendition.format)?.fileExtension ?? rendition.format)"
    }

    func register(on router: Router<GalleryContext>) {
        router.get("/r/:id/:file") { request, context in try self.serve(request, context, head: false) }
        router.head("/r/:id/:file") { request, context in try self.serve(request, context, head: true) }
    }

    func serve(_ request: Request, _ context: GalleryContext, head: Bool) throws -> Response {
        let id = try context.parameters.require("id")
        let file = try context.parameters.require("file")
        guard let entry = try lookup(id: id, file: file) else { return Response(status: .notFound) }
        var headers = Self.headers(for: entry)
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: {
                let tag = $0.trimmingCharacters(in: .whitespaces)
                return tag == entry.etag || tag == "*" || tag == "W/" + entry.etag
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        var body = entry.bytes
        let length = body.readableBytes
        var status = HTTPResponse.Status.ok
        if let range = request.headers[.range], request.headers[.ifRange].map({ $0 == entry.etag }) ?? true {
            guard let bounds = ByteRange.parse(range, length: length) else {
                headers[.contentRange] = "bytes */\(length)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            status = .partialContent
            body = body.getSlice(at: body.readerIndex + bounds.lowerBound, length: bounds.count) ?? ByteBuffer()
            headers[.contentRange] = "bytes \(bounds.lowerBound)-\(bounds.upperBound - 1)/\(length)"
        }
        headers[.contentLength] = String(body.readableBytes)
        if head { return Response(status: status, headers: headers, body: .init()) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// The headers every answer for a rendition carries (the fast path's too).
    static func headers(for entry: RenditionCache.Entry) -> HTTPFields {
        headers(mimeType: entry.mimeType, etag: entry.etag)
    }

    static func headers(mimeType: String, etag: String) -> HTTPFields {
        [.contentType: mimeType, .eTag: etag, .cacheControl: "public, max-age=31536000, immutable", .acceptRanges: "bytes"]
    }

    /// The rendition for `/r/<id>/<file>`: from memory while its file is unchanged (one `stat`),
    /// otherwise through the catalog and the file.
    func lookup(id: String, file: String) throws -> RenditionCache.Entry? {
        let key = id + "/" + file
        if let entry = cache.entry(key), FileStat.of(entry.path) == entry.stamp {
            return entry
        }
        let parts = file.split(separator: ".", omittingEmptySubsequences: false)
        guard id.count == 16, id.allSatisfy(\.isHexDigit), parts.count == 2,
            let rendition = try catalog.rendition(shortId: id, preset: String(parts[0])),
            let format = ImageFormat(rawValue: rendition.format), format.fileExtension == parts[1]
        else {
            cache.remove(key)
            return nil
        }
        let path = library.absolute(rendition.path)
        guard let stamp = FileStat.of(path), let data = FileManager.default.contents(atPath: path) else {
            cache.remove(key)
            return nil
        }
        let entry = RenditionCache.Entry(
            path: path, stamp: stamp, etag: "\"\(id)-\(rendition.preset)-\(Self.digest(rendition.fingerprint))\"",
            mimeType: format.mimeType, bytes: ByteBuffer(bytes: data))
        cache.store(key, entry)
        return entry
    }

    static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
    }
}

/// Renditions kept in memory (the bytes of small ones), so a thumbnail costs a `stat` and no
/// query or read. Bounded in count and bytes; emptied when full.
final class RenditionCache: @unchecked Sendable {
    struct Entry: Sendable {
        let path: String
        /// The file as it was when read: a different size, time or inode means it was replaced.
        let stamp: FileStat
        let etag: String
        let mimeType: String
        let bytes: ByteBuffer
        /// Every header of a 200 answer but `Date`, made once for the fast path.
        let answerHeaders: HTTPFields

        init(path: String, stamp: FileStat, etag: String, mimeType: String, bytes: ByteBuffer) {
            self.path = path
            self.stamp = stamp
            self.etag = etag
            self.mimeType = mimeType
            self.bytes = bytes
            var answer = RenditionRoutes.headers(mimeType: mimeType, etag: etag)
            answer[.contentLength] = String(bytes.readableBytes)
            SecurityHeadersMiddleware.add(to: &answer)
            answer[.server] = GalleryServer.serverName
            answerHeaders = answer
        }
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var bytes = 0
    let maxEntries: Int
    let maxBytes: Int
    /// Files larger than this are read per request rather than kept.
    let maxFileBytes: Int

    init(maxEntries: Int = 20_000, maxBytes: Int = 128 << 20, maxFileBytes: Int = 512 << 10) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.maxFileBytes = maxFileBytes
    }

    func entry(_ key: String) -> Entry? {
        lock.withLock { entries[key] }
    }

    func store(_ key: String, _ entry: Entry) {
        guard entry.bytes.readableBytes <= maxFileBytes else { return }
        lock.withLock {
            if entries.count >= maxEntries || bytes + entry.bytes.readableBytes > maxBytes {
                entries.removeAll(keepingCapacity: true)
                bytes = 0
            }
            if let old = entries.updateValue(entry, forKey: key) { bytes -= old.bytes.readableBytes }
            bytes += entry.bytes.readableBytes
        }
    }

    func remove(_ key: String) {
        lock.withLock {
            if let old = entries.removeValue(forKey: key) { bytes -= old.bytes.readableBytes }
        }
    }
}

/// One `Range: bytes=...` request (RFC 9110, 14.1.2); several ranges are served as the first.
enum ByteRange {
    static func parse(_ header: String, length: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), length > 0 else { return nil }
        let spec = header.dropFirst(6).split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let ends = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard ends.count == 2 else { return nil }
        if ends[0].isEmpty {
            guard let suffix = Int(ends[1]), suffix > 0 else { return nil }
            return max(0, length - suffix)..<length
        }
        guard let start = Int(ends[0]), start >= 0, start < length else { return nil }
        if ends[1].isEmpty { return start..<length }
        guard let end = Int(ends[1]), end >= start else { return nil }
        return start..<min(end + 1, length)
    }
}
