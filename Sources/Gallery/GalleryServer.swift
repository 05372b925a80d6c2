import Catalog
import Foundation
import Hummingbird
import Logging
import Mustache

/// The HTTP gallery and JSON API over one library.
public struct GalleryServer: Sendable {
    /// Where to listen and what to serve.
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// The folder holding `templates/` and `static/`.
        public var assetsPath: String

        /// Makes a configuration.
        public init(host: String = "127.0.0.1", port: Int = 8080, assetsPath: String) {
            self.host = host
            self.port = port
            self.assetsPath = assetsPath
        }
    }

    let catalog: any CatalogStore
    let library: Library
    let configuration: Configuration

    /// Makes a server for a library.
    public init(catalog: any CatalogStore, library: Library, configuration: Configuration) {
        self.catalog = catalog
        self.library = library
        self.configuration = configuration
    }

    /// The router with every route, for tests and for `application`.
    public func router() async throws -> Router<BasicRequestContext> {
        let templates = try await PageRenderer(folder: configuration.assetsPath + "/templates")
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(
            middleware: FileMiddleware(
                configuration.assetsPath + "/static", urlBasePath: "/static", searchForIndexHtml: false))
        router.get("/healthz") { _, _ in "ok\n" }
        ArticleRoutes(catalog: catalog, pages: templates).register(on: router)
        PhotoRoutes(catalog: catalog, pages: templates).register(on: router)
        RenditionRoutes(catalog: catalog, library: library).register(on: router)
        let api = router.group("/api/v1")
        AssetAPIRoutes(catalog: catalog).register(on: api)
        AssetAPIRoutes(catalog: catalog).registerSearch(on: api)
        return router
    }

    /// The application, listening where the configuration says.
    public func application(
        logger: Logger = Logger(label: "photodesk.gallery"), onServerRunning: (@Sendable (Int) async -> Void)? = nil
    ) async throws -> some ApplicationProtocol {
        let router = try await router()
        return Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "Photodesk"),
            onServerRunning: { channel in await onServerRunning?(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
