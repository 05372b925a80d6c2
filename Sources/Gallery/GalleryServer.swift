import Catalog
import Foundation
import Hummingbird
import Logging
import Mustache
import NIOCore
import NIOPosix

/// The HTTP gallery and JSON API over one library.
public struct GalleryServer: Sendable {
    /// Where to listen and what to serve.
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// The folder holding `templates/`, `static/` and `api/`.
        public var assetsPath: String
        /// Mark the session cookie `Secure` even without a proxy saying the client used TLS.
        public var secureCookies = false

        /// Makes a configuration.
        public init(host: String = "127.0.0.1", port: Int = 8080, assetsPath: String, secureCookies: Bool = false) {
            self.host = host
            self.port = port
            self.assetsPath = assetsPath
            self.secureCookies = secureCookies
        }
    }

    /// Runs Swift concurrency's jobs on the server's event loops, so that a request's handler does
    /// not hop from an event loop to Swift's own thread pool and back (two thread switches per
    /// request, the largest cost of serving a small file). It must run on the main thread before
    /// any task has started, once per process; it returns whether it took effect.
    @discardableResult
    public static func runTasksOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// The `Server` header's value.
    static let serverName = "Photodesk"

    let catalog: any CatalogStore
    let library: Library
    let configuration: Configuration
    let metrics = GalleryMetrics()
    let renditions = RenditionCache()
    let throttle = LoginThrottle()

    /// Makes a server for a library.
    public init(catalog: any CatalogStore, library: Library, configuration: Configuration) {
        self.catalog = catalog
        self.library = library
        self.configuration = configuration
    }

    /// The router with every route, for tests and for `application`.
    public func router(logger: Logger = Logger(label: "photodesk.access")) async throws -> Router<GalleryContext> {
        let templates = try await PageRenderer(folder: configuration.assetsPath + "/templates")
        let openAPIPath = configuration.assetsPath + "/api/openapi.json"
        guard let openAPI = FileManager.default.contents(atPath: openAPIPath) else {
            throw GalleryError(message: "no API description at \(openAPIPath)")
        }
        let router = Router(context: GalleryContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: SessionMiddleware(accounts: catalog))
        router.add(middleware: AccessLogMiddleware(metrics: metrics, logger: logger))
        router.add(
            middleware: FileMiddleware(
                configuration.assetsPath + "/static",
                urlBasePath: "/static", searchForIndexHtml: false))
        router.get("/healthz") { _, _ in
            _ = try self.catalog.assetCount()
            return "ok\n"
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(
                    byteBuffer: ByteBuffer(string: self.metrics.exposition(catalog: try self.catalog.statistics()))))
        }
        ArticleRoutes(catalog: catalog, pages: templates).register(on: router)
        PhotoRoutes(catalog: catalog, pages: templates).register(on: router)
        SearchRoutes(catalog: catalog, pages: templates).register(on: router)
        FeedRoutes(catalog: catalog, pages: templates).register(on: router)
        AuthRoutes(
            accounts: catalog, pages: templates, throttle: throttle, metrics: metrics,
            secureCookies: configuration.secureCookies
        ).register(on: router)
        RenditionRoutes(catalog: catalog, library: library, cache: renditions).register(on: router)
        let api = router.group("/api/v1")
        AssetAPIRoutes(catalog: catalog).register(on: api)
        api.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: openAPI)))
        }
        return router
    }

    /// The application, listening where the configuration says.
    public func application(
        logger: Logger = Logger(label: "photodesk.gallery"), onServerRunning: (@Sendable (Int) async -> Void)? = nil
    ) async throws -> some ApplicationProtocol {
        let router = try await router(logger: logger)
        return Application(
            router: router,
            // Each connection gets its own fast path for renditions held in memory.
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [RenditionFastPath(cache: renditions, metrics: metrics, logger: logger)])),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: Self.serverName),
            onServerRunning: { channel in await onServerRunning?(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
