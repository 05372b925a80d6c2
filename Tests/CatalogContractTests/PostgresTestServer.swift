import Catalog
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import CatalogPostgres

/// The PostgreSQL server the tests use (`$PHOTODESK_TEST_POSTGRES`, a role that may create
/// databases): each test gets a fresh, empty database of its own. Databases of earlier runs are
/// dropped when the first one of a run is made (the throwaway server of `scripts/with-postgres`
/// goes with everything at the end anyway).
enum PostgresTestServer {
    static let variable = "PHOTODESK_TEST_POSTGRES"

    static var isConfigured: Bool { ProcessInfo.processInfo.environment[variable].map { !$0.isEmpty } ?? false }

    /// The server's configuration, for its admin database.
    static func adminConfiguration() throws -> PostgresCatalog.Configuration {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else {
            throw CatalogError(
                .open,
                "\(variable) is not set: run the tests under scripts/with-postgres (make test does), "
                    + "or set it to postgres://user@host:port/db of a role that may create databases")
        }
        return try PostgresCatalog.Configuration(url: url)
    }

    /// A configuration for a new, empty database of its own.
    static func freshDatabase() async throws -> PostgresCatalog.Configuration {
        var configuration = try adminConfiguration()
        let name = "pdc_\(ProcessInfo.processInfo.processIdentifier)_\(Counter.shared.next())"
        try await admin { connection in
            if Counter.shared.isFirst() {
                let stale = try await connection.rows(
                    "SELECT datname FROM pg_database WHERE datname LIKE 'pdc\\_%' AND datname NOT LIKE \("pdc\\_\(ProcessInfo.processInfo.processIdentifier)\\_%")",
                    logger: logger)
                for row in stale {
                    let old = try row["datname"].decode(String.self)
                    try await connection.run(
                        PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(old) WITH (FORCE)"), logger: logger)
                }
            }
            try await connection.run(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        configuration.database = name
        configuration.poolSize = 4
        return configuration
    }

    /// An open catalog over a fresh database.
    static func freshCatalog() async throws -> PostgresCatalog {
        try await PostgresCatalog.open(try await freshDatabase(), logger: logger)
    }

    /// Runs statements on a connection to the admin database.
    static func admin<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await connect(try adminConfiguration(), body)
    }

    /// Runs statements on a connection of its own to a database.
    static func connect<T>(
        _ configuration: PostgresCatalog.Configuration, _ body: (PostgresConnection) async throws -> T
    )
        async throws -> T
    {
        let connection = try await PostgresConnection.connect(
            configuration: try configuration.connectionConfiguration(), id: 1, logger: logger)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Errors only: migrations and the pool's start-up are not news in a test log.
    static let logger: Logger = {
        var logger = Logger(label: "photodesk.tests.postgres")
        logger.logLevel = .error
        return logger
    }()

    /// Numbers databases within this process.
    final class Counter: @unchecked Sendable {
        // @unchecked: `value` and `cleaned` are only touched with `lock` held.
        static let shared = Counter()
        private let lock = NSLock()
        private var value = 0
        private var cleaned = false

        func next() -> Int {
            lock.withLock {
                value += 1; return value
            }
        }

        /// True once per process: the first caller cleans up after earlier runs.
        func isFirst() -> Bool {
            lock.withLock {
                defer { cleaned = true }; return !cleaned
            }
        }
    }
}
