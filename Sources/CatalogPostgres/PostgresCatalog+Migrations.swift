import Catalog
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalog {
    /// One numbered schema change, from `Schema/NNNN-name.sql`.
    struct Migration: Sendable {
        var version: Int
        var name: String
        var sql: String
    }

    /// The migrations this version knows, in order.
    static let migrations: [Migration] = [
        Migration(version: 1, name: "catalog", sql: String(decoding: PackageResources._001_catalog_sql, as: UTF8.self)),
        Migration(version: 2, name: "search", sql: String(decoding: PackageResources._002_search_sql, as: UTF8.self)),
        Migration(version: 3, name: "jobs", sql: String(decoding: PackageResources._003_jobs_sql, as: UTF8.self)),
        Migration(
            version: 4, name: "phrase-pairs",
            sql: String(decoding: PackageResources._004_phrase_pairs_sql, as: UTF8.self)),
        Migration(
            version: 5, name: "search-words",
            sql: String(decoding: PackageResources._005_search_words_sql, as: UTF8.self)),
        Migration(
            version: 6, name: "search-tokens",
            sql: String(decoding: PackageResources._006_search_tokens_sql, as: UTF8.self)),
        Migration(
            version: 7, name: "publication-times",
            sql: String(decoding: PackageResources._007_publication_times_sql, as: UTF8.self)),
        Migration(
            version: 8, name: "rights", sql: String(decoding: PackageResources._008_rights_sql, as: UTF8.self)),
        Migration(
            version: 9, name: "looks", sql: String(decoding: PackageResources._009_looks_sql, as: UTF8.self)),
        Migration(
            version: 10, name: "provenance",
            sql: String(decoding: PackageResources._010_provenance_sql, as: UTF8.self)),
        Migration(
            version: 11, name: "article-order",
            sql: String(decoding: PackageResources._011_article_order_sql, as: UTF8.self)),
    ]

    /// The advisory lock every node takes to migrate: "photodsk" read as a big-endian Int64.
    static let migrationLock: Int64 = 8_099_846_475_701_580_651

    /// Applies the missing migrations on one connection of its own, in ONE transaction under a
    /// transaction-level advisory lock (see `Schema/migrations.sql`): a second node opening at the
    /// same time waits for the first to commit, then finds nothing to do.
    static func migrate(_ configuration: Configuration, logger: Logger) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try configuration.connectionConfiguration(), id: 0, logger: logger)
        } catch {
            throw CatalogError(
                .open,
                "cannot connect to PostgreSQL at \(configuration.place) as \(configuration.username), database "
                    + "\(configuration.database): check that the server runs, the URL and the login "
                    + "(the database must exist, and the user must own it or may create extensions in it)",
                cause: describe(error))
        }
        do {
            try await connection.run("BEGIN", logger: logger)
            // A migration may rewrite a large table (4 recomputes every search vector): the
            // statement timeout set for the desk's own queries does not apply to it.
            try await connection.run("SET LOCAL statement_timeout = 0", logger: logger)
            try await connection.run("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.run(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<Int>()
            for row in try await connection.rows("SELECT version FROM schema_migrations", logger: logger) {
                applied.insert(try row["version"].decode(Int.self))
            }
            let known = migrations.map(\.version).max() ?? 0
            if let newest = applied.max(), newest > known {
                throw CatalogError(
                    .open,
                    "the catalog database \(configuration.database) has schema version \(newest), newer than "
                        + "this Photodesk knows (\(known)): upgrade Photodesk on this machine")
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in statements(migration.sql) {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.run(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
                logger.info("applied catalog migration \(migration.version) (\(migration.name))")
            }
            try await connection.run("COMMIT", logger: logger)
            try? await connection.close()
        } catch {
            try? await connection.close()
            if let error = error as? CatalogError { throw error }
            throw CatalogError(
                .open, "cannot migrate the catalog database \(configuration.database) at \(configuration.place)",
                cause: describe(error))
        }
    }

    /// The statements of a migration file: split after each `;` that ends a line outside a `$$`
    /// body (a function's), comment lines outside one dropped (migration files hold no quoted
    /// semicolons at line ends).
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current: [Substring] = []
        // Inside a `$$` body (a function's), a line ending in `;` ends one of its statements.
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !inBody && (trimmed.hasPrefix("--") || trimmed.isEmpty) { continue }
            current.append(line)
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody && trimmed.hasSuffix(";") {
                statements.append(current.joined(separator: "\n"))
                current = []
            }
        }
        if !current.isEmpty { statements.append(current.joined(separator: "\n")) }
        return statements
    }

    /// An error's details for a message: the server's words, or postgres-nio's full description.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError, let info = error.serverInfo {
            return [info[.sqlState], info[.message], info[.detail]].compactMap { $0 }.joined(separator: ": ")
        }
        return String(reflecting: error)
    }
}
