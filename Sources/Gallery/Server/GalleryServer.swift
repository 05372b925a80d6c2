import Catalog
import Desk
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Mustache
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The HTTP gallery and JSON API over one library.
public struct GalleryServer: Sendable {
    /// Where to listen, what to serve, and how defensively.
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// The folder holding `templates/`, `static/` and `api/`.
        public var assetsPath: String
        /// Mark the session cookie `Secure` even without a proxy saying the client used TLS.
        public var secureCookies = false
        /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
        public var trustedProxies = TrustedProxies()
        /// How precisely readers see where photos were taken.
        public var location: LocationPrecision = .city
        /// Connections open at once; more wait in the listen queue.
        public var maxConnections = 1024
        /// A connection idle (nothing read or written) this long is closed.
        public var idleTimeout: TimeAmount = .seconds(60)
        /// A request's head must arrive within this long of the connection opening (or of the
        /// previous answer on it), so a slow client cannot hold a connection forever.
        public var headerTimeout: TimeAmount = .seconds(20)
        /// The sign-in throttle: five free attempts a name and address, then a wait that
        /// doubles with each attempt (2 s first, by default), counted in the catalog.
        public var loginThrottle = ThrottlePolicy()
        /// The aspects editors may crop photos to (the pipeline's `crops:`).
        public var crops: [CropAspect] = []
        /// What ingests uploaded files (`photodesk serve` gives the CLI's ingest); without one,
        /// uploads are answered 503.
        public var uploads: (any UploadIngesting)?
        /// Where renditions are read when the library folder does not hold them (object
        /// storage); nil: the folder only.
        public var renditionStore: (any RenditionStore)?

        /// Makes a configuration.
        public init(
            host: String = "127.0.0.1", port: Int = 8080, assetsPath: String, secureCookies: Bool = false,
            trustedProxies: TrustedProxies = TrustedProxies(), location: LocationPrecision = .city,
            uploads: (any UploadIngesting)? = nil
        ) {
            self.host = host
            self.port = port
            self.assetsPath = assetsPath
            self.secureCookies = secureCookies
            self.trustedProxies = trustedProxies
            self.location = location
            self.uploads = uploads
        }
    }

    /// Runs Swift concurrency's jobs on the server's event loops, so that a request's handler does
    /// not hop from an event loop to Swift's own thread pool and back (two thread switches per
    /// request, the largest cost of serving a small file). Blocking work never runs there: the
    /// catalog is read on GRDB's (or postgres-nio's) own threads, files through NIO's thread pool.
    /// It must run on the main thread before any task has started, once per process; it returns
    /// whether it took effect.
    @discardableResult
    public static func runTasksOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// The `Server` header's value.
    static let serverName = "Photodesk"

    let desk: Desk
    let configuration: Configuration
    let metrics = GalleryMetrics()
    let renditions: RenditionCache
    let readerCache: ReaderCache
    let uploadGate = UploadGate()
    let accessLog: AccessLog?
    let workshop: (any RenditionWorkshop)?

    /// Makes a server for a desk; `accessLog` false keeps requests out of standard error;
    /// `workshop` makes crop renditions (without one, crops are refused).
    public init(
        desk: Desk, configuration: Configuration, accessLog: Bool = true, workshop: (any RenditionWorkshop)? = nil
    ) {
        self.desk = desk
        self.configuration = configuration
        renditions = RenditionCache(signal: desk.changes)
        readerCache = ReaderCache()
        self.accessLog = accessLog ? AccessLog() : nil
        self.workshop = workshop
    }

    /// The router with every route, for tests and for `application`.
    public func router(logger: Logger = Logger(label: "photodesk.gallery")) async throws -> Router<GalleryContext> {
        let pages = try await PageRenderer(folder: configuration.assetsPath + "/templates")
        let openAPIPath = configuration.assetsPath + "/api/openapi.json"
        guard let file = FileManager.default.contents(atPath: openAPIPath) else {
            throw GalleryError(.internal, "no API description at \(openAPIPath)")
        }
        let openAPI = try OpenAPIDocument.served(file)
        let uploads = configuration.uploads.map { UploadReceiver(desk: desk, ingesting: $0, gate: uploadGate) }
        if let uploads { IncomingFile.removeStale(in: uploads.folder) }
        let environment = GalleryEnvironment(
            desk: desk, pages: pages, configuration: configuration, metrics: metrics, renditions: renditions,
            readerCache: readerCache, bcrypt: BcryptGate(), workshop: workshop, uploads: uploads)
        let router = Router(context: GalleryContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(
            middleware: AccessLogMiddleware(metrics: metrics, log: accessLog, proxies: configuration.trustedProxies))
        router.add(middleware: ErrorPageMiddleware(pages: pages, logger: logger))
        router.add(middleware: SessionMiddleware(accounts: desk.accounts))
        router.add(middleware: ReaderCacheMiddleware(desk: desk, cache: readerCache, metrics: metrics))
        router.add(
            middleware: StaticFiles(
                files: FileMiddleware(
                    configuration.assetsPath + "/static", urlBasePath: "/static", searchForIndexHtml: false)))
        router.get("/healthz") { _, _ in
            // The answer a load balancer reads: ok while the catalog answers, 503 when it does not.
            let backend = self.desk.backend
            do {
                let counter = try await self.desk.changes.changeCounter()
                return PlainText.response(.ok, "ok\ncatalog: \(backend), answering (change \(counter))")
            } catch {
                return PlainText.response(.serviceUnavailable, "catalog: \(backend), not answering: \(error)")
            }
        }
        router.get("/metrics") { _, context in
            let statistics = try await self.desk.statistics(audience: context.audience)
            var queue: [JobState: Int]?
            if let jobs = self.desk.jobQueue { queue = try await jobs.jobCounts() }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: self.metrics.exposition(catalog: statistics, queue: queue))))
        }
        ArticleRoutes(environment).register(on: router)
        ArticleDeskRoutes(environment).register(on: router)
        DeskRoutes(environment).register(on: router)
        PhotoRoutes(environment).register(on: router)
        SearchRoutes(environment).register(on: router)
        FeedRoutes(environment).register(on: router)
        AuthRoutes(environment).register(on: router)
        RenditionRoutes(environment).register(on: router)
        let api = router.group("/api/v1")
        AssetAPIRoutes(environment).register(on: api)
        RightsAPIRoutes(environment: environment).register(on: api)
        UploadRoutes(environment).register(on: router, api: api)
        api.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: openAPI)))
        }
        MethodGuard.register(on: router)
        return router
    }

    /// The application, listening where the configuration says.
    public func application(
        logger: Logger = Logger(label: "photodesk.gallery"), onServerRunning: (@Sendable (Int) async -> Void)? = nil
    ) async throws -> some ApplicationProtocol {
        let router = try await router(logger: logger)
        let renditions = self.renditions
        let metrics = self.metrics
        let accessLog = self.accessLog
        let headerTimeout = configuration.headerTimeout
        let idleTimeout = configuration.idleTimeout
        let readerCache = self.readerCache
        let services: [any Service] = [
            CatalogWatcher(signal: desk.changes, readerCache: readerCache, renditions: renditions)
        ]
        return Application(
            router: router,
            // Each connection gets its timers and its fast paths for renditions in memory: one on
            // the bytes read, before the HTTP decoder, and one on the decoded requests after it.
            // The timers are HeaderTimeoutHandler's (it hears of the raw path's answers), so
            // Hummingbird's own idle timer is off.
            server: HTTPServerBuilder { responder in
                GalleryChannel(
                    http: HTTP1Channel(
                        responder: responder,
                        configuration: .init(
                            additionalChannelHandlers: [
                                HeaderTimeoutHandler(timeout: headerTimeout, idleTimeout: idleTimeout),
                                RenditionFastPath(cache: renditions, metrics: metrics, log: accessLog),
                            ], idleTimeout: nil)),
                    first: { RawRenditionPath(cache: renditions, metrics: metrics, log: accessLog) })
            },
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: Self.serverName,
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)),
            services: services,
            onServerRunning: { channel in
                readerCache.clear()
                await onServerRunning?(channel.localAddress?.port ?? 0)
            },
            logger: logger)
    }

    /// Writes out what the access log holds (at shutdown).
    public func flushLogs() {
        accessLog?.close()
    }
}

/// What every route needs: the desk, the pages, the settings and the shared caches.
struct GalleryEnvironment: Sendable {
    let desk: Desk
    let pages: PageRenderer
    let configuration: GalleryServer.Configuration
    let metrics: GalleryMetrics
    let renditions: RenditionCache
    let readerCache: ReaderCache
    let bcrypt: BcryptGate
    let workshop: (any RenditionWorkshop)?
    /// Takes uploads; nil when the server has no ingest for them.
    let uploads: UploadReceiver?
    var throttle: ThrottlePolicy { configuration.loginThrottle }

    var library: Library { desk.library }
    var crops: [CropAspect] { configuration.crops }

    /// What the viewer may see, for documents.
    func viewpoint(_ context: GalleryContext) -> Viewpoint {
        context.viewer == nil
            ? Viewpoint(audience: .readers(at: context.now), location: configuration.location) : .editors
    }

    /// After a write made here: readers' pages and the renditions' visibility are made again.
    func changed() {
        readerCache.clear()
        renditions.entries.clear()
    }

    /// The site's address as the client reached it, for absolute URLs in feeds and structured data.
    func base(_ request: Request, _ context: GalleryContext) -> String {
        let scheme =
            SessionCookie.isSecure(request, context, proxies: configuration.trustedProxies, forced: false)
            ? "https" : "http"
        let host = request.head.authority ?? "localhost"
        let safe =
            host.utf8.count <= 255
                && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }
            ? host : "localhost"
        return "\(scheme)://\(safe)"
    }

    /// Whether the session cookie should be marked Secure.
    func secureCookie(_ request: Request, _ context: GalleryContext) -> Bool {
        SessionCookie.isSecure(
            request, context, proxies: configuration.trustedProxies, forced: configuration.secureCookies)
    }
}

/// The static files (CSS, the lightbox's script), asked for under `/static/` only: no other
/// address ever reaches the file middleware (which would answer its own 400 to a `..`).
struct StaticFiles<Files: RouterMiddleware>: RouterMiddleware where Files.Context == GalleryContext {
    typealias Context = GalleryContext
    let files: Files

    func handle(_ request: Request, context: GalleryContext, next: (Request, GalleryContext) async throws -> Response)
        async throws -> Response
    {
        guard request.uri.path.hasPrefix("/static/") else { return try await next(request, context) }
        // The file system reads a name up to its first NUL: `site.css%00.png` would be served as
        // site.css. No static file has a control character in its name.
        guard let name = request.uri.path.removingPercentEncoding,
            !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { throw GalleryError.notFound("file") }
        return try await files.handle(request, context: context, next: next)
    }
}

/// Frees the caches' memory as soon as the catalog's version moves (a write in another process,
/// on another node), rather than at the next request that reads the version.
struct CatalogWatcher: Service {
    let signal: any ChangeSignal
    let readerCache: ReaderCache
    let renditions: RenditionCache

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await version in signal.changes() {
                readerCache.advance(to: version)
                renditions.entries.advance(to: version)
            }
        }
    }
}

/// Answers 405 with `Allow` for a known address asked with a method it does not take (instead
/// of 404), as HTTP says.
enum MethodGuard {
    static let routes: [(String, [HTTPRequest.Method])] = [
        ("/", [.get, .head]), ("/photos", [.get, .head]), ("/search", [.get, .head]), ("/feed.xml", [.get, .head]),
        ("/login", [.get, .head, .post]), ("/logout", [.post]), ("/healthz", [.get, .head]),
        ("/metrics", [.get, .head]),
        ("/api/v1/assets", [.get, .head]), ("/api/v1/search", [.get, .head]), ("/api/v1/articles", [.get, .head]),
        ("/api/v1/openapi.json", [.get, .head]), ("/api/v1/assets/:id", [.get, .head]),
        ("/api/v1/assets/:id/caption", [.get, .head, .patch]), ("/api/v1/assets/:id/history", [.get, .head]),
        ("/api/v1/assets/:id/revert", [.post]), ("/api/v1/articles/:slug", [.get, .head]),
        ("/api/v1/articles/:slug/photos", [.post]), ("/api/v1/articles/:slug/photos/:id", [.delete]),
        ("/api/v1/uploads", [.post]), ("/desk/upload", [.get, .head, .post]), ("/desk", [.get, .head]),
        ("/articles/:slug/crop/:position", [.get, .head, .post]), ("/articles/:slug/publish", [.post]),
        ("/photos/:id/publish", [.post]), ("/photos/:id/lease", [.post]), ("/photos/:id/kill", [.post]),
        ("/api/v1/assets/:id/rights", [.get, .head]), ("/api/v1/assets/:id/leases", [.post]),
        ("/api/v1/assets/:id/leases/:lease/revoke", [.post]), ("/api/v1/assets/:id/kill", [.post]),
        ("/api/v1/assets/:id/unkill", [.post]), ("/api/v1/kills", [.get, .head]),
        ("/api/v1/articles/:slug/publish", [.post]), ("/api/v1/ninjs/photos/:id", [.get, .head]),
        ("/api/v1/ninjs/articles/:slug", [.get, .head]),
    ]
    static let all: [HTTPRequest.Method] =
        [.get, .head, .post, .put, .patch, .delete, .options, .trace]
        + [
            HTTPRequest.Method("QUERY")
        ].compactMap { $0 }

    static func register(on router: Router<GalleryContext>) {
        for (path, allowed) in routes {
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            for method in all where !allowed.contains(method) {
                router.on(RouterPath(path), method: method) { _, _ -> Response in
                    throw GalleryError(
                        .notAllowed, "\(method.rawValue) is not allowed here; use \(allow)",
                        headers: [.allow: allow])
                }
            }
        }
    }
}

/// Hummingbird's HTTP/1 child channel with one more handler in front of its HTTP decoder.
struct GalleryChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http: HTTP1Channel
    /// Made for each connection, placed first in its pipeline.
    let first: @Sendable () -> RawRenditionPath

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        http.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try channel.pipeline.syncOperations.addHandler(first(), position: .first)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http.handle(value: value, logger: logger)
    }
}
