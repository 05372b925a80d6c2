import Catalog
import Foundation
import GRDB
import PhotoModel
import Testing

@testable import CatalogPostgres
@testable import CatalogSQLite

@Suite("Catalog contract: the change signal", .timeLimit(.minutes(5)))
struct ChangeSignalContractTests {
    @Test(
        "the version moves with every counted commit from another connection, not with reads or bookkeeping",
        arguments: Backend.available)
    func moves(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        let beside = try await h.beside()
        var changes = h.store.changes().makeAsyncIterator()
        let first = try #require(await changes.next())
        #expect(first.value == (try await h.store.changeCounter()))
        #expect(h.store.currentVersion() == .current(first))
        var current = first
        for round in 0..<24 {
            _ = try await beside.accounts()
            _ = try await beside.chargeLoginAttempt(keys: ["address:\(round)"], policy: ThrottlePolicy(), now: Date())
            #expect(h.store.currentVersion() == .current(current), "reads and sign-in attempts (round \(round))")
            if let sqlite = beside as? SQLiteCatalog, round % 8 == 7 {
                // The next commit writes the log from its start again.
                try await sqlite.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            }
            try await beside.addAccount(Account(name: "user\(round)", role: .editor, passwordHash: "x"))
            let counter = try await beside.changeCounter()
            // SQLite tells at once; PostgreSQL once the notification has come: the stream says when.
            var seen = try #require(await changes.next())
            while seen.value < counter { seen = try #require(await changes.next()) }
            #expect(seen.value == counter, "round \(round)")
            #expect(h.store.currentVersion() == .current(seen), "round \(round)")
            current = seen
        }
        if let postgres = beside as? PostgresCatalog { await postgres.shutdown() }
    }

    @Test("PostgreSQL: unreadable until the notification connection is up; after it drops, the counter as it is then")
    func postgresReconnects() async throws {
        guard Backend.available.contains(.postgres) else { return }
        let catalog = try await PostgresTestServer.freshCatalog()
        #expect(catalog.currentVersion() == .unreadable, "the listener has only just been started")
        var changes = catalog.changes().makeAsyncIterator()
        let initial = try #require(await changes.next())
        #expect(initial.value == (try await catalog.changeCounter()))
        #expect(catalog.currentVersion() == .current(initial))
        // Drop every connection of the catalog from the server's side: the stream reconnects and
        // yields the counter as it is then, and the pool makes new connections for the writes.
        try await PostgresTestServer.connect(catalog.configuration) { connection in
            try await connection.run(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                """, logger: PostgresTestServer.logger)
        }
        try await catalog.addAccount(Account(name: "an", role: .editor, passwordHash: "h"))
        let counter = try await catalog.changeCounter()
        var seen = try #require(await changes.next())
        while seen.value < counter { seen = try #require(await changes.next()) }
        #expect(seen.value == counter)
        #expect(catalog.currentVersion() == .current(seen))
        await catalog.shutdown()
        #expect(await changes.next() == nil, "the stream ends at shutdown")
        #expect(catalog.currentVersion() == .unreadable)
    }
}
