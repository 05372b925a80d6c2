import ArgumentParser
import Catalog
import CatalogSQLite
import Desk
import Foundation
import Gallery
import Hummingbird
import Ingest
import Logging
import ObjectStorage
import Yams

extension LocationPrecision: ExpressibleByArgument {}

/// `photodesk serve`
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the gallery and the JSON API over HTTP.",
        discussion: """
            Stops cleanly on Ctrl-C or SIGTERM: requests in flight are finished first.

            Examples:
              photodesk serve                       http://127.0.0.1:8080
              PORT=9000 photodesk serve --host 0.0.0.0
              photodesk serve --library /srv/photos/library --port 9000
              photodesk serve --trusted-proxy 127.0.0.1 --secure-cookies     behind nginx with TLS
              photodesk serve --header-timeout 5 --idle-timeout 30   cut slow clients off sooner

            Readers see only what is published; editors sign in at /login (add them with
            photodesk user add). Every request is logged as one line on standard error
            (PHOTODESK_LOG=warning silences them); /metrics serves Prometheus metrics and
            /healthz answers "ok" while the catalog answers.

            Editors upload photos and folders at /desk/upload; scripts POST them to
            /api/v1/uploads with a bearer token (photodesk user token NAME). Uploads are kept
            in the library's originals/ by content and ingested with --pipeline, as
            photodesk ingest does; its limits.maxBytes caps each file.

            Settings can also come from a YAML file (--config, or photodesk.yml in the library):
              gallery:
                location: city              exact, city (0.1 degree) or none, for readers
                trustedProxies: [10.0.0.0/8]
                secureCookies: true
            Options given on the command line win over the file.
            """)

    @OptionGroup var libraryOptions: LibraryOptions

    @Option(name: .long, help: "Address to listen on (default: $HOST, else 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "Port to listen on; 0 picks a free one (default: $PORT, else 8080).")
    var port: Int?

    @Flag(
        help:
            "Mark the session cookie Secure even when no proxy sends X-Forwarded-Proto: https (default: $PHOTODESK_SECURE_COOKIES=1)."
    )
    var secureCookies = false

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "A proxy (an address or CIDR block) whose X-Forwarded-For and X-Forwarded-Proto are believed; repeat for several.",
            valueName: "cidr"))
    var trustedProxies: [String] = []

    @Option(
        name: .long, help: "How precisely readers see where photos were taken: exact, city or none (default: city).")
    var location: LocationPrecision?

    @Option(name: .long, help: "A YAML settings file (default: photodesk.yml in the library, when there is one).")
    var config: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The pipeline whose crop aspects editors choose from (and uploads are ingested with).",
            valueName: "name|file"))
    var pipeline = "default"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds a client has to send a request's headers (1 to 3600).",
            discussion: """
                Counted from the connection's opening, and again from the end of each answer on it. A \
                client that sends its headers a byte at a time is cut off all the same, so a few slow \
                clients cannot hold every connection. Raise it only for very slow links.
                """,
            valueName: "seconds"))
    var headerTimeout = 20

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds a connection may sit unused before it is closed (1 to 3600).",
            discussion: """
                Unused means no request in progress and nothing sent either way: a browser's keep-alive \
                connection between two requests, or a client that connected and went quiet.
                """,
            valueName: "seconds"))
    var idleTimeout = 60

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds a sign-in waits after five failed ones (1 to 900); the wait doubles with each attempt after.",
            discussion: """
                Counted per name and address, and per address, in the catalog, so every gallery node \
                sharing it counts the same attempts. The wait stops doubling at 15 minutes.
                """,
            valueName: "seconds"))
    var loginDelay = 2

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Answer searches from a copy of the search index in memory (SQLite catalogs of up to 500,000 photos).",
            discussion: """
                On by default. The copy is loaded in the background at start, then follows the catalog: \
                after each change it reads only the photos that changed and applies them. Until it is \
                loaded, while it is behind, and for searches with filters, the catalog's full-text index \
                answers, with the same results. The copy and the searches it answers are per process. \
                PostgreSQL catalogs always search in the database server.
                """))
    var memorySearch = true

    @OptionGroup var storageOptions: StorageOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The disk cache of renditions read from object storage (default: the library's storage-cache folder).",
            valueName: "dir"))
    var cacheDir: String?

    @Option(
        name: .long, help: ArgumentHelp("The disk cache's size in MiB (default 1024).", valueName: "MiB"))
    var cacheSize = 1024

    @Flag(
        help: ArgumentHelp(
            "Answer renditions read from object storage with a redirect to a presigned URL (5 minutes) instead of their bytes.",
            discussion:
                "For a CDN in front of the bucket. Who may see a rendition is decided first, as always; the URL is never cached."
        ))
    var storageRedirect = false

    static let timeoutRange = 1...3600

    func validate() throws {
        guard Self.timeoutRange.contains(headerTimeout) else {
            throw ValidationError("--header-timeout must be 1 to 3600 seconds, not \(headerTimeout)")
        }
        guard (1...900).contains(loginDelay) else {
            throw ValidationError("--login-delay must be 1 to 900 seconds, not \(loginDelay)")
        }
        guard (16...1_048_576).contains(cacheSize) else {
            throw ValidationError("--cache-size must be 16 to 1048576 MiB, not \(cacheSize)")
        }
        guard Self.timeoutRange.contains(idleTimeout) else {
            throw ValidationError("--idle-timeout must be 1 to 3600 seconds, not \(idleTimeout)")
        }
    }

    /// Renditions from the object storage --storage, $PHOTODESK_STORAGE or the catalog names;
    /// nil when none is named.
    func storageRenditions(desk: Desk, environment: [String: String]) async throws -> StorageRenditions? {
        guard let client = try await storageOptions.client(desk: desk, environment: environment) else { return nil }
        let cache = ObjectCache(
            client: client, folder: cacheDir ?? libraryOptions.resolved.root + "/storage-cache",
            maxBytes: Int64(cacheSize) << 20)
        return StorageRenditions(cache: cache, redirects: storageRedirect)
    }

    /// The settings file's shape.
    struct Settings: Decodable {
        struct GallerySettings: Decodable {
            var location: LocationPrecision?
            var trustedProxies: [String]?
            var secureCookies: Bool?
        }
        var gallery: GallerySettings?
    }

    func settings() throws -> Settings.GallerySettings {
        let path = config ?? libraryOptions.resolved.root + "/photodesk.yml"
        guard config != nil || FileManager.default.fileExists(atPath: path) else { return .init() }
        let data = try SafeRead.file(path, limit: 1 << 20, what: "the settings file")
        do {
            return try YAMLDecoder().decode(Settings.self, from: String(decoding: data, as: UTF8.self)).gallery
                ?? .init()
        } catch {
            throw ValidationError("the settings file \(path) is not valid: \(error)")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let chosenPort = port ?? environment["PORT"].flatMap { Int($0) } ?? 8080
        let chosenHost = host ?? environment["HOST"] ?? "127.0.0.1"
        guard (0...65535).contains(chosenPort) else { throw ValidationError("--port must be 0 to 65535") }
        let file = try settings()
        let proxies = try TrustedProxies(trustedProxies.isEmpty ? file.trustedProxies ?? [] : trustedProxies)
        let chosenPipeline = try Pipeline.load(nameOrPath: pipeline, folder: ProjectFolders.find("Pipelines"))
        let desk = try await libraryOptions.openDesk(create: true, memorySearch: memorySearch)
        var logger = Logger(label: "photodesk.serve")
        let level = Logger.Level(rawValue: environment["PHOTODESK_LOG"] ?? "") ?? .info
        logger.logLevel = level
        var configuration = GalleryServer.Configuration(
            host: chosenHost, port: chosenPort, assetsPath: ProjectFolders.find("Assets"),
            secureCookies: secureCookies || file.secureCookies == true
                || environment["PHOTODESK_SECURE_COOKIES"] == "1",
            trustedProxies: proxies, location: location ?? file.location ?? .city)
        configuration.crops = chosenPipeline.crops
        configuration.headerTimeout = .seconds(Int64(headerTimeout))
        configuration.idleTimeout = .seconds(Int64(idleTimeout))
        configuration.loginThrottle = ThrottlePolicy(firstDelay: TimeInterval(loginDelay))
        let store = try await storageRenditions(desk: desk, environment: environment)
        configuration.renditionStore = store
        configuration.uploads = UploadIngest(
            desk: desk, pipeline: chosenPipeline, uploader: store.map { S3Uploader(client: $0.cache.client) })
        let server = GalleryServer(
            desk: desk, configuration: configuration, accessLog: level <= .info, workshop: CropRenditions(desk: desk))
        let photos = try await desk.photoCount(audience: .editors)
        let library = libraryOptions.resolved.root
        let app = try await server.application(logger: logger) { boundPort in
            Output.line(
                "Photodesk gallery: http://\(chosenHost):\(boundPort)/ (\(photos) photos, library \(library)"
                    + (store.map { ", renditions also from \($0.cache.client.location)" } ?? "") + ")")
        }
        defer { server.flushLogs() }
        do {
            try await app.runService()
        } catch {
            try? await store?.cache.client.shutdown()
            throw error
        }
        try? await store?.cache.client.shutdown()
    }
}

extension CropRenditions: RenditionWorkshop {
    public func makeCrop(sha256: String, crop: Crop) async throws {
        try await make(sha256: sha256, crop: crop)
    }
}

/// Renditions from object storage, through the node's disk cache (or, with --storage-redirect,
/// a presigned URL of five minutes).
struct StorageRenditions: RenditionStore {
    let cache: ObjectCache
    let redirects: Bool

    func localFile(for rendition: Rendition) async throws -> String? {
        try await cache.file(for: rendition.objectKey)
    }

    func redirect(for rendition: Rendition) -> String? {
        redirects ? cache.client.presignedURL(rendition.objectKey, expires: 300) : nil
    }
}
