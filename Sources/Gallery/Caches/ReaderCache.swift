import Catalog
import Desk
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A response made once and answered many times.
struct CachedPage: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer

    /// The response (a copy of the headers, the same bytes).
    var response: Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}

/// Readers' pages and API answers that depend only on the catalog, kept while the catalog's
/// version stays the same and until the next scheduled publication (an embargo lifting changes
/// what readers see without any write). Editors' pages are never cached: they carry their
/// session's token.
typealias ReaderCache = VersionedCache<CachedPage>

extension VersionedCache where Value == CachedPage {
    /// A cache of readers' pages: 4,000 pages or 64 MiB.
    convenience init(maxEntries: Int = 4_000, maxBytes: Int = 64 << 20) {
        self.init(maxEntries: maxEntries, maxBytes: maxBytes) { $0.body.readableBytes }
    }
}

/// Answers readers' GETs from the cache, and fills it.
struct ReaderCacheMiddleware: RouterMiddleware {
    typealias Context = GalleryContext
    let desk: Desk
    let cache: ReaderCache
    let metrics: GalleryMetrics
    /// The longest query string a cached page may have.
    static let maxKeyBytes = 1024

    func handle(_ request: Request, context: GalleryContext, next: (Request, GalleryContext) async throws -> Response)
        async throws -> Response
    {
        guard request.method == .get, context.viewer == nil, request.headers[.authorization] == nil,
            Self.isCacheable(request.uri.path), request.uri.string.utf8.count <= Self.maxKeyBytes
        else { return try await next(request, context) }
        let ticket = cache.ticket()
        // Nil while the catalog's version cannot be told: the page is made and not kept.
        guard let version = try await desk.changes.version() else { return try await next(request, context) }
        let key = (request.head.authority ?? "") + " " + request.uri.string
        let cached = cache.value(key, at: version, now: context.now)
        metrics.readerCache(hit: cached != nil)
        if let page = cached {
            var response = page.response
            response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-cache"
            return response
        }
        if cache.needsHorizon(at: version, now: context.now) {
            // One request finds the next publication; those arriving meanwhile answer uncached.
            guard cache.claimHorizon(at: version) else { return try await next(request, context) }
            do {
                let next = try await desk.nextPublication(after: context.now)
                cache.reset(to: version, horizon: next ?? .distantFuture)
            } catch {
                cache.releaseHorizonClaim(version)
                throw error
            }
        }
        let capture = ResponseCapture()
        let response = try await ResponseCapture.$current.withValue(capture) {
            try await next(request, context)
        }
        guard response.status == .ok || response.status == .notFound, let body = capture.body,
            body.readableBytes == response.body.contentLength
        else { return response }
        cache.store(
            key, CachedPage(status: response.status, headers: response.headers, body: body), at: version,
            ticket: ticket)
        return response
    }

    /// The addresses whose answers depend only on the catalog (and the time).
    static func isCacheable(_ path: String) -> Bool {
        path == "/" || path.hasPrefix("/articles/") || path == "/photos" || path.hasPrefix("/photos/")
            || path == "/search" || path == "/feed.xml" || path.hasPrefix("/api/v1/articles")
            || path.hasPrefix("/api/v1/assets") || path == "/api/v1/search"
    }
}

/// The body a handler made, seen by the cache: the renderers that make whole bodies (pages,
/// JSON, feeds) leave it here while a request is being cached.
final class ResponseCapture: @unchecked Sendable {
    // @unchecked: written and read by the one task that handles the request.
    var body: ByteBuffer?

    @TaskLocal static var current: ResponseCapture?

    /// Notes a body the current request answers with.
    static func note(_ body: ByteBuffer) { current?.body = body }
}
