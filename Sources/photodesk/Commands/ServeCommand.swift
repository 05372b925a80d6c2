import ArgumentParser
import Catalog
import CatalogSQLite
import Desk
import Foundation
import Gallery
import Hummingbird
import Ingest
import Logging
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

    static let timeoutRange = 1...3600

    func validate() throws {
        guard Self.timeoutRange.contains(headerTimeout) else {
            throw ValidationError("--header-timeout must be 1 to 3600 seconds, not \(headerTimeout)")
        }
        guard (1...900).contains(loginDelay) else {
            throw ValidationError("--login-delay must be 1 to 900 seconds, not \(loginDelay)")
        }
        guard Self.timeoutRange.contains(idleTimeout) else {
            throw ValidationError("--idle-timeout must be 1 to 3600 seconds, not \(idleTimeout)")
        }
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
        configuration.uploads = UploadIngest(desk: desk, pipeline: chosenPipeline)
        let server = GalleryServer(
            desk: desk, configuration: configuration, accessLog: level <= .info, workshop: CropRenditions(desk: desk))
        let photos = try await desk.photoCount(audience: .editors)
        let library = libraryOptions.resolved.root
        let app = try await server.application(logger: logger) { boundPort in
            Output.line("Photodesk gallery: http://\(chosenHost):\(boundPort)/ (\(photos) photos, library \(library))")
        }
        defer { server.flushLogs() }
        try await app.runService()
    }
}

extension CropRenditions: RenditionWorkshop {
    public func makeCrop(sha256: String, crop: Crop) async throws {
        try await make(sha256: sha256, crop: crop)
    }
}
