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

    /// The URL of a rendition.
    static func url(id: String, _ rendition: AssetDocument.Rendition) -> String {
        "/r/\(id)/\(rendition.preset).\(ImageFormat(rawValue: rendition.format)?.fileExtension ?? rendition.format)"
    }

    static func url(id: String, _ rendition: RenditionRecord) -> String {
        "/r/\(id)/\(rendition.preset).\(ImageFormat(rawValue: rendition.format)?.fileExtension ?? rendition.format)"
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/r/:id/:file") { request, context in try self.serve(request, context, head: false) }
        router.head("/r/:id/:file") { request, context in try self.serve(request, context, head: true) }
    }

    func serve(_ request: Request, _ context: BasicRequestContext, head: Bool) throws -> Response {
        let id = try context.parameters.require("id")
        let file = try context.parameters.require("file")
        let parts = file.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let rendition = try catalog.rendition(shortId: id, preset: String(parts[0])),
            let format = ImageFormat(rawValue: rendition.format), format.fileExtension == parts[1]
        else { return Response(status: .notFound) }
        let etag = "\"\(id)-\(rendition.preset)-\(Self.digest(rendition.fingerprint))\""
        var headers: HTTPFields = [
            .contentType: format.mimeType, .eTag: etag, .cacheControl: "public, max-age=31536000, immutable",
            .acceptRanges: "bytes",
        ]
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: {
                let tag = $0.trimmingCharacters(in: .whitespaces)
                return tag == etag || tag == "*" || tag == "W/" + etag
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        guard let data = FileManager.default.contents(atPath: library.absolute(rendition.path)) else {
            return Response(status: .notFound)
        }
        var status = HTTPResponse.Status.ok
        var body = data[...]
        if let range = request.headers[.range], request.headers[.ifRange].map({ $0 == etag }) ?? true {
            guard let bounds = ByteRange.parse(range, length: data.count) else {
                headers[.contentRange] = "bytes */\(data.count)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            status = .partialContent
            body = data[bounds]
            headers[.contentRange] = "bytes \(bounds.lowerBound)-\(bounds.upperBound - 1)/\(data.count)"
        }
        headers[.contentLength] = String(body.count)
        if head { return Response(status: status, headers: headers, body: .init()) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
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
