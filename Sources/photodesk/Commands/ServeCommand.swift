import ArgumentParser
import Catalog
import Foundation
import Gallery
import Hummingbird
import Logging

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

            Editors sign in at /login (add them with photodesk user add). Every request is logged
            as one structured line on standard error (PHOTODESK_LOG=warning silences them);
            /metrics serves Prometheus metrics and /healthz answers "ok" while the catalog opens.
            """)

    @OptionGroup var libraryOptions: LibraryOptions

    @Option(name: .long, help: "Address to listen on (default: $HOST, else 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "Port to listen on; 0 picks a free one (default: $PORT, else 8080).")
    var port: Int?

    @Flag(
        help: "Mark the session cookie Secure even when no proxy sends X-Forwarded-Proto: https (default: $PHOTODESK_SECURE_COOKIES=1).")
    var secureCookies = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let chosenPort = port ?? environment["PORT"].flatMap { Int($0) } ?? 8080
        let chosenHost = host ?? environment["HOST"] ?? "127.0.0.1"
        guard (0...65535).contains(chosenPort) else { throw ValidationError("--port must be 0 to 65535") }
        let catalog = try libraryOptions.openCatalog(create: true)
        let server = GalleryServer(
            catalog: catalog, library: libraryOptions.resolved,
            configuration: .init(
                host: chosenHost, port: chosenPort, assetsPath: ProjectFolders.find("Assets"),
                secureCookies: secureCookies || environment["PHOTODESK_SECURE_COOKIES"] == "1"))
        var logger = Logger(label: "photodesk.serve")
        logger.logLevel = Logger.Level(rawValue: environment["PHOTODESK_LOG"] ?? "") ?? .info
        let photos = try catalog.assetCount()
        let app = try await server.application(logger: logger) { boundPort in
            Output.line(
                "Photodesk gallery: http://\(chosenHost):\(boundPort)/ (\(photos) photos, library \(libraryOptions.resolved.root))"
            )
        }
        try await app.runService()
    }
}
