import Catalog
import Crypto
import Desk
import Foundation
import Hummingbird
import Imaging
import NIOCore
import NIOFileSystem

/// Renditions over HTTP: found through the catalog (never by joining the request onto a path),
/// read through NIO's file system off the event loops, immutable caching for public photos and
/// private caching for editors' views of unpublished ones, strong ETags, conditional requests
/// and byte ranges; files larger than the memory cache's limit are streamed from disk.
struct RenditionRoutes: Sendable {
    let environment: GalleryEnvironment
    var cache: RenditionCache { environment.renditions }

    init(_ environment: GalleryEnvironment) {
        self.environment = environment
    }

    /// The URL of a rendition.
    static func url(id: String, _ rendition: PhotoDocument.RenditionInfo) -> String {
        "/r/\(id)/\(rendition.preset).\(ImageFormat(rawValue: rendition.format)?.fileExtension ?? rendition.format)"
    }

    static func url(id: String, _ rendition: Rendition) -> String {
        "/r/\(id)/\(rendition.preset).\(ImageFormat(rawValue: rendition.format)?.fileExtension ?? rendition.format)"
    }

    func register(on router: Router<GalleryContext>) {
        router.get("/r/:id/:file") { request, context in try await self.serve(request, context, head: false) }
        router.head("/r/:id/:file") { request, context in try await self.serve(request, context, head: true) }
    }

    func serve(_ request: Request, _ context: GalleryContext, head: Bool) async throws -> Response {
        let id = try context.parameters.require("id")
        let file = try context.parameters.require("file")
        if let store = environment.configuration.renditionStore, store.redirects,
            let visible = try await catalogued(id: id, file: file, audience: context.audience),
            let url = store.redirect(for: visible.0.rendition)
        {
            // Visibility was decided above; the URL works for minutes and is never cached.
            return Response(status: .temporaryRedirect, headers: [.location: url, .cacheControl: "private, no-store"])
        }
        guard let found = try await lookup(id: id, file: file, audience: context.audience) else {
            throw GalleryError.notFound("rendition \(id.prefix(64))/\(file.prefix(64))")
        }
        let isPublic = Audience.readers(at: context.now).sees(found.visibility)
        var headers = Self.headers(mimeType: found.mimeType, etag: found.etag, isPublic: isPublic)
        if let match = request.headers[.ifNoneMatch], match.utf8.count <= 4096,
            match.split(separator: ",").contains(where: {
                let tag = $0.trimmingCharacters(in: .whitespaces)
                return tag == found.etag || tag == "*" || tag == "W/" + found.etag
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        let length = Int(clamping: found.stamp.size)
        var range = 0..<length
        var status = HTTPResponse.Status.ok
        if let header = request.headers[.range], request.headers[.ifRange].map({ $0 == found.etag }) ?? true {
            guard let bounds = ByteRange.parse(header, length: length) else {
                headers[.contentRange] = "bytes */\(length)"
                throw GalleryError(
                    .outOfRange, "The range \(header.prefix(100)) is not in the file.", headers: headers)
            }
            status = .partialContent
            range = bounds
            headers[.contentRange] = "bytes \(bounds.lowerBound)-\(bounds.upperBound - 1)/\(length)"
        }
        headers[.contentLength] = String(range.count)
        if head { return Response(status: status, headers: headers, body: .init()) }
        if let bytes = found.bytes {
            let slice = bytes.getSlice(at: bytes.readerIndex + range.lowerBound, length: range.count) ?? ByteBuffer()
            return Response(status: status, headers: headers, body: .init(byteBuffer: slice))
        }
        guard !range.isEmpty else { return Response(status: status, headers: headers, body: .init()) }
        return Response(status: status, headers: headers, body: Self.stream(found.path, range: range))
    }

    /// Bytes read from disk at a time for a streamed rendition.
    static let chunkLength = 64 << 10

    /// A file's bytes in a range, read a chunk at a time as the client takes them: one chunk per
    /// download in memory, however large the file and however many download it at once.
    /// (`readChunks` would read up to eight chunks ahead of a slow client, a megabyte each.)
    static func stream(_ path: String, range: Range<Int>) -> ResponseBody {
        ResponseBody(contentLength: range.count) { writer in
            try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                var offset = range.lowerBound
                while offset < range.upperBound {
                    let chunk = try await handle.readChunk(
                        fromAbsoluteOffset: Int64(offset),
                        length: .bytes(Int64(min(chunkLength, range.upperBound - offset))))
                    guard chunk.readableBytes > 0 else {
                        throw GalleryError(.internal, "The rendition \(path) got shorter while it was sent.")
                    }
                    offset += chunk.readableBytes
                    try await writer.write(chunk)
                }
            }
            try await writer.finish(nil)
        }
    }

    /// The headers every answer for a rendition carries (the fast path's too): a public photo's
    /// rendition is cached by anyone forever (its URL changes with its content); an unpublished
    /// one only by the editor's own browser, and checked again each time.
    static func headers(mimeType: String, etag: String, isPublic: Bool) -> HTTPFields {
        [
            .contentType: mimeType, .eTag: etag,
            .cacheControl: isPublic ? "public, max-age=31536000, immutable" : "private, no-cache",
            .acceptRanges: "bytes",
        ]
    }

    /// The rendition for `/r/<id>/<file>` when the audience may see it: from memory while its
    /// file is unchanged, otherwise through the catalog and NIO's file system.
    func lookup(id: String, file: String, audience: Audience) async throws -> RenditionCache.Entry? {
        // A write anywhere (the CLI beside the server, another node) may have changed who may
        // see what: memory is trusted only at the catalog's current version, read before the
        // catalog is (nil while it cannot be told: then nothing is kept).
        let ticket = cache.entries.ticket()
        let version = try await environment.desk.changes.version()
        let key = id + "/" + file
        if let version, let entry = cache.entries.value(key, at: version), FileStat.of(entry.path) == entry.stamp {
            return audience.sees(entry.visibility) ? entry : nil
        }
        guard let (found, format) = try await catalogued(id: id, file: file, audience: nil) else {
            cache.entries.remove(key)
            return nil
        }
        guard audience.sees(found.visibility) else { return nil }
        var path = environment.library.absolute(found.rendition.path)
        if let store = environment.configuration.renditionStore, FileStat.of(path) == nil {
            // Not in this node's folder: from object storage, through the node's disk cache.
            guard let cached = try await store.localFile(for: found.rendition) else { return nil }
            path = cached
        }
        let etag = "\"\(id)-\(found.rendition.preset)-\(Self.digest(found.rendition.fingerprint))\""
        let limit = cache.maxFileBytes
        let read: (FileStat, ByteBuffer?)
        do {
            read = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                let info = try await handle.info()
                let stamp = FileStat(
                    size: info.size,
                    modifiedAt: Double(info.lastDataModificationTime.seconds) + Double(
                        info.lastDataModificationTime.nanoseconds) / 1_000_000_000,
                    inode: Int64(bitPattern: UInt64(info.platformSpecificStatus?.st_ino ?? 0)))
                guard info.size <= limit else { return (stamp, nil) }
                return (stamp, try await handle.readToEnd(maximumSizeAllowed: .bytes(Int64(limit))))
            }
        } catch {
            cache.entries.remove(key)
            return nil
        }
        let entry = RenditionCache.Entry(
            path: path, stamp: read.0, etag: etag, mimeType: format.mimeType, bytes: read.1,
            visibility: found.visibility)
        if let version { cache.store(key, entry, at: version, ticket: ticket) }
        return entry
    }

    /// The catalog's rendition for `/r/<id>/<file>` and its format, when the id and file name are
    /// well formed and name one (and, given an audience, when it may see it).
    func catalogued(id: String, file: String, audience: Audience?) async throws -> (RenditionLookup, ImageFormat)? {
        let parts = file.split(separator: ".", omittingEmptySubsequences: false)
        guard id.utf8.count == 16, id.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
            parts.count == 2, parts[0].utf8.count <= 80,
            let found = try await environment.desk.rendition(shortId: id, preset: String(parts[0])),
            let format = ImageFormat(rawValue: found.rendition.format), format.fileExtension == parts[1]
        else { return nil }
        if let audience, !audience.sees(found.visibility) { return nil }
        return (found, format)
    }

    static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
    }
}

/// One `Range: bytes=...` request (RFC 9110, 14.1.2); several ranges are served as the first.
/// Numbers too large for the machine are read as "past the end", never trapped on.
package enum ByteRange {
    /// The bytes a `Range` header asks for in a file of `length` bytes; nil when it is malformed
    /// or asks for none of them (416).
    package static func parse(_ header: String, length: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), length > 0, header.utf8.count <= 1024 else { return nil }
        let spec = header.dropFirst(6).split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let ends = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard ends.count == 2 else { return nil }
        if ends[0].isEmpty {
            guard let suffix = number(ends[1]), suffix > 0 else { return nil }
            return (length - min(suffix, length))..<length
        }
        guard let start = number(ends[0]), start < length else { return nil }
        if ends[1].isEmpty { return start..<length }
        guard let end = number(ends[1]), end >= start else { return nil }
        return start..<(min(end, length - 1) + 1)
    }

    /// Decimal digits as a number, capped at `Int.max` (nil for anything but digits).
    static func number(_ text: some StringProtocol) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        var value = 0
        for digit in text.utf8 {
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (plus, overflowPlus) = times.addingReportingOverflow(Int(digit - 48))
            if overflowTimes || overflowPlus { return Int.max }
            value = plus
        }
        return value
    }
}
