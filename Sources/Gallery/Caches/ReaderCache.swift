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
/// change counter stays the same and until the next scheduled publication (an embargo lifting
/// changes what readers see without any write). Editors' pages are never cached: they carry
/// their session's token.
///
/// Over SQLite, the counter is not read again while the store's commit mark (the write-ahead
/// log's index header, which every commit rewrites before readers see it) is the one read just
/// before the counter was: a request that finds it unchanged is answered at that counter with
/// no query and no wait for the catalog's threads.
final class ReaderCache: @unchecked Sendable {
    // @unchecked: every field is read and written with `lock` held.
    private let lock = NSLock()
    private var entries: [String: CachedPage] = [:]
    private var bytes = 0
    /// The counter the entries were made at, and the time they stop being valid.
    private var counter: Int64 = -1
    private var validUntil: Date = .distantPast
    /// The mark read just before `counter` was; nil when unknown.
    private var stampAtCounter: Stamp?
    /// How many times `clear` ran: a stamp taken before a clear is not kept after it.
    private var clears = 0
    let maxEntries: Int
    let maxBytes: Int
    /// Reads the store's commit mark (none: the counter is read on every request).
    let commitMark: (@Sendable () -> CommitMark?)?

    /// The store's commit mark at one moment, and the clears so far.
    struct Stamp: Equatable {
        var mark: CommitMark?
        var clears: Int
    }

    init(maxEntries: Int = 4_000, maxBytes: Int = 64 << 20, commitMark: (@Sendable () -> CommitMark?)? = nil) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.commitMark = commitMark
    }

    /// The commit mark now, taken before the counter is read.
    func stamp() -> Stamp {
        let clears = lock.withLock { self.clears }
        return Stamp(mark: commitMark?(), clears: clears)
    }

    /// The counter the entries were made at, when the commit mark is the one read just before
    /// that counter was and nothing was cleared since: no write has committed meanwhile. Nil:
    /// read the counter.
    func knownCounter(_ stamp: Stamp) -> Int64? {
        lock.withLock {
            guard stamp.mark != nil, counter >= 0, stampAtCounter == stamp else { return nil }
            return counter
        }
    }

    /// Notes `stamp`, taken just before `counter` was read, when `counter` is the entries' one
    /// and nothing was cleared since.
    func note(_ stamp: Stamp, counter: Int64) {
        lock.withLock { if counter == self.counter, stamp.clears == clears { stampAtCounter = stamp } }
    }

    /// The page for `key` when it is still valid at `counter` and `now`.
    func page(_ key: String, counter: Int64, now: Date) -> CachedPage? {
        lock.withLock {
            guard counter == self.counter, now < validUntil else { return nil }
            return entries[key]
        }
    }

    /// Whether entries made at `counter` need the next publication time to be known.
    func needsHorizon(counter: Int64, now: Date) -> Bool {
        lock.withLock { counter != self.counter || now >= validUntil }
    }

    /// Starts a new generation: every entry goes; `stamp` was taken just before `counter` was read.
    func reset(counter: Int64, validUntil: Date, stamp: Stamp? = nil) {
        lock.withLock {
            entries.removeAll(keepingCapacity: true)
            bytes = 0
            self.counter = counter
            self.validUntil = validUntil
            stampAtCounter = stamp?.clears == clears ? stamp : nil
        }
    }

    /// Keeps a page made at `counter` (dropped when the generation moved on meanwhile).
    func store(_ key: String, _ page: CachedPage, counter: Int64) {
        lock.withLock {
            guard counter == self.counter, page.body.readableBytes <= maxBytes / 8 else { return }
            if entries.count >= maxEntries || bytes + page.body.readableBytes > maxBytes {
                entries.removeAll(keepingCapacity: true)
                bytes = 0
            }
            if let old = entries.updateValue(page, forKey: key) { bytes -= old.body.readableBytes }
            bytes += page.body.readableBytes
        }
    }

    /// Forgets everything (a write in this process, seen before the counter is read again).
    func clear() {
        lock.withLock {
            entries.removeAll(keepingCapacity: true)
            bytes = 0
            counter = -1
            stampAtCounter = nil
            clears += 1
        }
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
        let stamp = cache.stamp()
        let counter: Int64
        if let known = cache.knownCounter(stamp) {
            counter = known
        } else {
            counter = try await desk.store.changeCounter()
            cache.note(stamp, counter: counter)
        }
        let key = (request.head.authority ?? "") + " " + request.uri.string
        let cached = cache.page(key, counter: counter, now: context.now)
        metrics.readerCache(hit: cached != nil)
        if let page = cached {
            var response = page.response
            response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-cache"
            return response
        }
        if cache.needsHorizon(counter: counter, now: context.now) {
            let next = try await desk.store.nextPublication(after: context.now)
            cache.reset(counter: counter, validUntil: next ?? .distantFuture, stamp: stamp)
        }
        let capture = ResponseCapture()
        let response = try await ResponseCapture.$current.withValue(capture) {
            try await ObservedChanges.$counter.withValue(counter) { try await next(request, context) }
        }
        guard response.status == .ok || response.status == .notFound, let body = capture.body,
            body.readableBytes == response.body.contentLength
        else { return response }
        cache.store(key, CachedPage(status: response.status, headers: response.headers, body: body), counter: counter)
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
