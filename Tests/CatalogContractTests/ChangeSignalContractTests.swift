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

    @Test(
        "PostgreSQL's feed: a counter read through the pool moves the version a silent listener missed, never vouches for one that is down"
    )
    func pollBehindSilentListener() {
        let feed = ChangeFeed()
        #expect(feed.reading() == .unreadable)
        feed.polled(3)
        #expect(feed.reading() == .unreadable, "no listener yet")
        feed.received(5)
        #expect(feed.reading() == .current(CatalogVersion(5)))
        feed.polled(7)
        #expect(feed.reading() == .current(CatalogVersion(7)), "a write the notifications did not bring")
        feed.polled(6)
        feed.received(6)
        #expect(feed.reading() == .current(CatalogVersion(7)), "never back")
        feed.lost()
        feed.polled(9)
        #expect(feed.reading() == .unreadable, "down stays down until the listener is back")
        feed.received(9)
        #expect(feed.reading() == .current(CatalogVersion(9)))
    }

    @Test(
        "SQLite: with the WAL-index header read first or not (PHOTODESK_WAL_INDEX=off), the same counter after every commit"
    )
    func walIndexShortcut() async throws {
        let h = try await Harness.make(.sqlite)
        let catalog = try #require(h.store as? SQLiteCatalog)
        let watches = [true, false].map { CommitWatch(path: catalog.path, readingWALIndex: $0) }
        for round in 0..<12 {
            let counter = try await catalog.changeCounter()
            for watch in watches { #expect(watch.counter() == counter, "round \(round), before the commit") }
            if round % 4 == 3 {
                try await catalog.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            }
            try await catalog.addAccount(Account(name: "user\(round)", role: .editor, passwordHash: "x"))
            let after = try await catalog.changeCounter()
            #expect(after > counter)
            for watch in watches { #expect(watch.counter() == after, "round \(round), after the commit") }
        }
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
        // A reading already on its way (the poll's, of the same counter) may still come out of the
        // stream's buffer; then it ends (the suite's time limit fails a stream that never does).
        var late = 0
        while let reading = await changes.next() {
            #expect(reading.value <= counter, "only what was on its way before the shutdown")
            late += 1
            if late > 16 {
                Issue.record("the stream goes on after shutdown")
                break
            }
        }
        #expect(catalog.currentVersion() == .unreadable)
    }
}
