import Catalog
import CatalogPostgres
import Desk
import Foundation
import Logging
import PhotoModel
import PostgresNIO

/// The PostgreSQL server the benchmark measures on: `$PHOTODESK_TEST_POSTGRES`, a role that may
/// create databases (`make bench` runs the benchmark under `scripts/with-postgres`, which starts
/// a throwaway server and names it there). Each measurement gets a database of its own.
enum BenchPostgres {
    static let variable = "PHOTODESK_TEST_POSTGRES"

    /// The admin URL, or nil when no server is named.
    static var adminURL: String? {
        ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }

    static let logger: Logger = {
        var logger = Logger(label: "photodesk.bench.postgres")
        logger.logLevel = .error
        return logger
    }()

    /// Makes the database `name` anew (dropped first when it exists); its URL.
    static func freshDatabase(_ name: String) async throws -> String {
        guard let admin = adminURL else {
            throw ProcessRunner.Failure(
                description: "\(variable) is not set: run the benchmark under scripts/with-postgres")
        }
        try await connect(admin) { connection in
            try await run(connection, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            try await run(connection, "CREATE DATABASE \(name)")
        }
        guard var components = URLComponents(string: admin) else {
            throw ProcessRunner.Failure(description: "\(variable) is not a URL: \(admin)")
        }
        components.path = "/" + name
        return components.string ?? admin
    }

    /// Drops a database the benchmark made.
    static func drop(_ name: String) async throws {
        guard let admin = adminURL else { return }
        try await connect(admin) { connection in
            try await run(connection, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    static func run(_ connection: PostgresConnection, _ sql: String) async throws {
        _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
    }

    /// Runs `body` on a connection of its own to the database `url` names.
    static func connect(_ url: String, _ body: (PostgresConnection) async throws -> Void) async throws {
        let configuration = try PostgresCatalog.Configuration(url: url).connectionConfiguration()
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await body(connection)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// The search corpus (`SearchCorpus`'s captions) in a PostgreSQL catalog: the rows the store's
/// `record` writes for a new photo that search reads (asset, caption, search document), written
/// 10,000 at a time with one statement per table instead of one statement per photo.
enum PostgresSearchCorpus {
    static let batch = 10_000

    /// A migrated database holding `count` published photos with generated captions; its URL.
    static func build(count: Int) async throws -> String {
        let url = try await BenchPostgres.freshDatabase("bench_search_\(count)")
        let catalog = try await PostgresCatalog.open(url: url, logger: BenchPostgres.logger)
        await catalog.shutdown()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await BenchPostgres.connect(url) { connection in
            for start in stride(from: 0, to: count, by: batch) {
                let indexes = start..<min(count, start + batch)
                var hashes: [String] = []
                var fields: [String] = []
                var texts: [String] = []
                var created: [Int64] = []
                for index in indexes {
                    let photo = SearchCorpus.photo(index)
                    let caption = SearchCorpus.fields(index)
                    hashes.append(photo.sha256)
                    fields.append(String(decoding: try encoder.encode(caption), as: UTF8.self))
                    texts.append(SearchText.photoText(caption))
                    created.append(Int64((photo.createdAt.timeIntervalSince1970 * 1000).rounded()))
                }
                let published = SearchCorpus.published
                try await BenchPostgres.run(connection, "BEGIN")
                _ = try await connection.query(
                    """
                    INSERT INTO asset (sha256, format, bytes, width, height, orientation, created_at, published_at, public_from)
                    SELECT sha256, 'jpeg', 1, 1, 1, 1, timestamptz 'epoch' + created_ms * interval '1 millisecond',
                      \(published), \(published)
                    FROM unnest(\(hashes)::text[], \(created)::bigint[]) AS new(sha256, created_ms)
                    """, logger: BenchPostgres.logger
                ).collect()
                try await insertCaptions(
                    connection, hashes: hashes, fields: fields, texts: texts,
                    shown: Array(repeating: true, count: hashes.count), publishedAt: published)
                try await BenchPostgres.run(connection, "COMMIT")
            }
            try await BenchPostgres.run(connection, "VACUUM (ANALYZE) asset, caption, search_document")
        }
        return url
    }
}

extension PostgresSearchCorpus {
    /// Photos' captions (fields as JSON) and search documents (their text), public from
    /// `publishedAt` where `shown`, as the store's `record` writes them.
    static func insertCaptions(
        _ connection: PostgresConnection, hashes: [String], fields: [String], texts: [String], shown: [Bool],
        publishedAt: Date
    ) async throws {
        _ = try await connection.query(
            """
            INSERT INTO caption (sha256, fields, revision)
            SELECT sha256, fields::jsonb, 1 FROM unnest(\(hashes)::text[], \(fields)::text[]) AS new(sha256, fields)
            """, logger: BenchPostgres.logger
        ).collect()
        // In index order: a document's number is its place in "newest first".
        _ = try await connection.query(
            """
            INSERT INTO search_document (sha256, public_from, photo_text)
            SELECT sha256, CASE WHEN shown THEN \(publishedAt) END, photo_text
            FROM unnest(\(hashes)::text[], \(texts)::text[], \(shown)::boolean[])
              WITH ORDINALITY AS new(sha256, photo_text, shown, position)
            ORDER BY position
            """, logger: BenchPostgres.logger
        ).collect()
    }
}

/// The job queue's own cost: a job enqueued, claimed and completed through the store, one
/// client, nothing done in between.
enum QueueOverhead {
    /// Milliseconds per job over `jobs` jobs.
    static func measure(_ catalog: PostgresCatalog, jobs: Int, label: String) async throws -> Double {
        let started = DispatchTime.now().uptimeNanoseconds
        for index in 0..<jobs {
            let ids = try await catalog.enqueue(
                [NewJob(kind: "bench", payload: "{}", key: "bench:\(label):\(index)")], now: Date())
            let claimed = try await catalog.claim(worker: "bench", limit: 1, lease: 60, now: Date())
            guard let job = claimed.first, job.id == ids.first,
                try await catalog.complete(job.id, worker: "bench", now: Date())
            else {
                throw ProcessRunner.Failure(
                    description: "queue overhead: job \(index) was not enqueued, claimed and completed")
            }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6 / Double(jobs)
    }
}
