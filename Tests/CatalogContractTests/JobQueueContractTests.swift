import Catalog
import Foundation
import PostgresNIO
import Testing

@testable import CatalogPostgres

/// The job queue and change notifications: PostgreSQL only (SQLite offers no queue). Every time
/// is an injected `now`; nothing here sleeps.
// A lost notification must fail its test, not hang the run: each test is cancelled (and an
// awaited stream then ends) after its time limit, a bound far above any normal run.
@Suite(
    "Job queue and notifications (PostgreSQL)", .enabled(if: Backend.available.contains(.postgres)),
    .timeLimit(.minutes(5)))
struct JobQueueContractTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    static func job(_ key: String, priority: Int = 0, maxAttempts: Int = 5) -> NewJob {
        NewJob(kind: "ingest", payload: "{\"path\":\"\(key)\"}", key: key, priority: priority, maxAttempts: maxAttempts)
    }

    @Test("enqueue skips a key that a live job holds, and the same key twice in one batch")
    func dedup() async throws {
        let queue = try await PostgresTestServer.freshCatalog()
        let now = Self.start
        let first = try await queue.enqueue([Self.job("/a.jpg"), Self.job("/b.jpg"), Self.job("/a.jpg")], now: now)
        #expect(first.count == 2)
        #expect(try await queue.enqueue([Self.job("/a.jpg")], now: now).isEmpty, "a queued job holds its key")
        let claimed = try await queue.claim(worker: "w1", limit: 10, lease: 30, now: now)
        #expect(claimed.count == 2)
        #expect(try await queue.enqueue([Self.job("/a.jpg")], now: now).isEmpty, "a running job holds its key")
        let a = try #require(claimed.first { $0.key == "/a.jpg" })
        #expect(a.payload == "{\"path\":\"/a.jpg\"}" && a.attempts == 1 && a.worker == "w1")
        #expect(try await queue.complete(a.id, worker: "w1", now: now))
        #expect(try await queue.enqueue([Self.job("/a.jpg")], now: now).count == 1, "a done job does not")
        await queue.shutdown()
    }

    @Test("claims take the highest priority first, then the oldest")
    func priority() async throws {
        let queue = try await PostgresTestServer.freshCatalog()
        let now = Self.start
        _ = try await queue.enqueue(
            [
                Self.job("bulk-1", priority: -10), Self.job("normal-1"), Self.job("upload", priority: 10),
                Self.job("normal-2"),
            ],
            now: now)
        let order = try await queue.claim(worker: "w", limit: 10, lease: 30, now: now).map(\.key)
        #expect(order == ["upload", "normal-1", "normal-2", "bulk-1"])
        _ = try await queue.enqueue([Self.job("later", priority: 0), Self.job("urgent", priority: 5)], now: now)
        #expect(try await queue.claim(worker: "w", limit: 1, lease: 30, now: now).map(\.key) == ["urgent"])
        await queue.shutdown()
    }

    @Test("four claimers over 200 jobs: each job is claimed exactly once")
    func concurrentClaims() async throws {
        let queue = try await PostgresTestServer.freshCatalog()
        let now = Self.start
        let ids = try await queue.enqueue((0..<200).map { Self.job("/photos/\($0).jpg") }, now: now)
        #expect(ids.count == 200)
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var mine: [Int64] = []
                    while true {
                        let jobs = try await queue.claim(worker: "w\(worker)", limit: 3, lease: 60, now: now)
                        if jobs.isEmpty { break }
                        for job in jobs {
                            mine.append(job.id)
                            #expect(try await queue.complete(job.id, worker: "w\(worker)", now: now))
                        }
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [Int64]()) { $0 += $1 }
        }
        #expect(claimed.count == 200)
        #expect(Set(claimed) == Set(ids))
        #expect(try await queue.jobCounts()[.done] == 200)
        await queue.shutdown()
    }

    @Test("an expired lease lets another worker claim the job; the first can then neither renew nor complete it")
    func leaseExpiry() async throws {
        let queue = try await PostgresTestServer.freshCatalog()
        let now = Self.start
        let id = try #require(try await queue.enqueue([Self.job("/x.jpg")], now: now).first)
        #expect(try await queue.claim(worker: "a", limit: 1, lease: 30, now: now).map(\.id) == [id])
        #expect(try await queue.claim(worker: "b", limit: 1, lease: 30, now: now.addingTimeInterval(10)).isEmpty)
        #expect(
            try await queue.renew([id], worker: "a", lease: 30, now: now.addingTimeInterval(20)).isEmpty, "a holds it")
        // Renewed at +20 for 30 s: still held at +45; expired at +50.
        #expect(try await queue.claim(worker: "b", limit: 1, lease: 30, now: now.addingTimeInterval(45)).isEmpty)
        let taken = try await queue.claim(worker: "b", limit: 1, lease: 30, now: now.addingTimeInterval(51))
        #expect(taken.map(\.id) == [id] && taken.first?.attempts == 2 && taken.first?.worker == "b")
        #expect(try await queue.renew([id], worker: "a", lease: 30, now: now.addingTimeInterval(52)) == [id])
        #expect(try await queue.complete(id, worker: "a", now: now.addingTimeInterval(52)) == false)
        #expect(
            try await queue.fail(id, worker: "a", error: "late", retryAt: nil, now: now.addingTimeInterval(52)) == false
        )
        #expect(try await queue.complete(id, worker: "b", now: now.addingTimeInterval(53)))
        #expect(try await queue.jobs(in: .done, limit: 10).map(\.id) == [id])
        await queue.shutdown()
    }

    @Test("a lease that expires on the last attempt makes the job dead, with the reason")
    func leaseExpiryOnLastAttempt() async throws {
        let queue = try await PostgresTestServer.freshCatalog()
        let now = Self.start
        let id = try #require(try await queue.enqueue([Self.job("/y.jpg", maxAttempts: 1)], now: now).first)
        _ = try await queue.claim(worker: "a", limit: 1, lease: 5, now: now)
        #expect(try await queue.claim(worker: "b", limit: 1, lease: 5, now: now.addingTimeInterval(6)).isEmpty)
        let dead = try await queue.jobs(in: .dead, limit: 10)
        #expect(dead.map(\.id) == [id])
        #expect(dead.first?.lastError?.contains("lease expired") == true)
        await queue.shutdown()
    }

    @Test("failures wait out their backoff, then the last attempt makes the job dead; retry queues it again")
    func retriesAndDead() async throws {
        let queue = try await PostgresTestServer.freshCatalog()
        var now = Self.start
        let id = try #require(try await queue.enqueue([Self.job("/z.jpg", maxAttempts: 3)], now: now).first)
        for attempt in 1...3 {
            let claimed = try await queue.claim(worker: "w", limit: 1, lease: 30, now: now)
            #expect(claimed.map(\.id) == [id] && claimed.first?.attempts == attempt)
            let backoff = 5 * pow(2, Double(attempt - 1))
            #expect(
                try await queue.fail(
                    id, worker: "w", error: "decode failed \(attempt)", retryAt: now.addingTimeInterval(backoff),
                    now: now))
            if attempt < 3 {
                let waiting = try #require(try await queue.jobs(in: .queued, limit: 10).first)
                #expect(
                    waiting.runAfter == now.addingTimeInterval(backoff)
                        && waiting.lastError == "decode failed \(attempt)")
                #expect(
                    try await queue.claim(worker: "w", limit: 1, lease: 30, now: now.addingTimeInterval(backoff - 1))
                        .isEmpty,
                    "not before its backoff")
                now = now.addingTimeInterval(backoff)
            }
        }
        let counts = try await queue.jobCounts()
        #expect(counts[.dead] == 1 && counts[.queued] == 0 && counts[.running] == 0)
        #expect(try await queue.jobs(in: .dead, limit: 10).first?.lastError == "decode failed 3")
        // A failure without a retry time is dead at once.
        let other = try #require(try await queue.enqueue([Self.job("/bad.jpg")], now: now).first)
        _ = try await queue.claim(worker: "w", limit: 1, lease: 30, now: now)
        #expect(try await queue.fail(other, worker: "w", error: "not an image", retryAt: nil, now: now))
        #expect(try await queue.jobCounts()[.dead] == 2)
        // Retry one, then all: attempts start again.
        #expect(try await queue.retry([id], now: now) == 1)
        let again = try await queue.claim(worker: "w", limit: 5, lease: 30, now: now)
        #expect(again.map(\.id) == [id] && again.first?.attempts == 1)
        #expect(try await queue.retry(nil, now: now) == 1)
        #expect(try await queue.jobCounts()[.queued] == 1)
        // A dead job whose key has a live job again is left dead: the live one covers it.
        _ = try await queue.claim(worker: "w", limit: 5, lease: 30, now: now)
        #expect(try await queue.fail(other, worker: "w", error: "still bad", retryAt: nil, now: now))
        _ = try await queue.enqueue([Self.job("/bad.jpg")], now: now)
        #expect(try await queue.retry(nil, now: now) == 0)
        await queue.shutdown()
    }

    @Test("counts by state, and pruning removes only jobs done before the time")
    func countsAndPrune() async throws {
        let queue = try await PostgresTestServer.freshCatalog()
        let now = Self.start
        _ = try await queue.enqueue((0..<5).map { Self.job("k\($0)") }, now: now)
        let claimed = try await queue.claim(worker: "w", limit: 3, lease: 30, now: now)
        #expect(try await queue.complete(claimed[0].id, worker: "w", now: now))
        #expect(try await queue.complete(claimed[1].id, worker: "w", now: now.addingTimeInterval(100)))
        #expect(try await queue.jobCounts() == [.queued: 2, .running: 1, .done: 2, .dead: 0])
        #expect(try await queue.prune(doneBefore: now.addingTimeInterval(50)) == 1)
        #expect(try await queue.jobCounts() == [.queued: 2, .running: 1, .done: 1, .dead: 0])
        #expect(try await queue.jobs(in: .queued, limit: 10).map(\.key) == ["k3", "k4"])
        await queue.shutdown()
    }

    @Test("a worker listening for wake-ups is woken when jobs are queued")
    func wakeups() async throws {
        let queue = try await PostgresTestServer.freshCatalog()
        var wakeups = queue.jobWakeups().makeAsyncIterator()
        // The first wake-up says the listener is in place (and covers what came before it).
        #expect(await wakeups.next() != nil)
        _ = try await queue.enqueue([Self.job("/w.jpg")], now: Self.start)
        #expect(await wakeups.next() != nil)
        await queue.shutdown()
        #expect(await wakeups.next() == nil, "the stream ends at shutdown")
    }

    @Test("two nodes opening a new database at once: one migrates, both open")
    func migrationRace() async throws {
        let configuration = try await PostgresTestServer.freshDatabase()
        let catalogs = try await withThrowingTaskGroup(of: PostgresCatalog.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresCatalog.open(configuration) } }
            return try await group.reduce(into: [PostgresCatalog]()) { $0.append($1) }
        }
        #expect(catalogs.count == 3)
        let versions = try await PostgresTestServer.connect(configuration) { connection in
            try await connection.rows(
                "SELECT version FROM schema_migrations ORDER BY version", logger: PostgresTestServer.logger
            )
            .map { try $0["version"].decode(Int.self) }
        }
        #expect(versions == PostgresCatalog.migrations.map(\.version))
        for catalog in catalogs {
            #expect(try await catalog.photoCount(filters: SearchFilters(), audience: .editors) == 0)
            await catalog.shutdown()
        }
    }

    @Test("catalog URLs: TCP, a socket directory two ways, settings; mistakes are named")
    func urls() throws {
        let tcp = try PostgresCatalog.Configuration(
            url: "postgres://desk:secret@db.example:6432/photos?pool_size=5&statement_timeout=2s")
        #expect(tcp.endpoint == .tcp(host: "db.example", port: 6432))
        #expect(tcp.username == "desk" && tcp.password == "secret" && tcp.database == "photos")
        #expect(tcp.poolSize == 5 && tcp.statementTimeout == .seconds(2))
        let socket = try PostgresCatalog.Configuration(url: "postgres://desk@/photos?host=/run/postgresql")
        #expect(socket.endpoint == .unixSocket(directory: "/run/postgresql", port: 5432))
        let bare = try PostgresCatalog.Configuration(url: "postgres:///photos?host=/tmp/pg&statement_timeout=0")
        #expect(bare.endpoint == .unixSocket(directory: "/tmp/pg", port: 5432) && bare.statementTimeout == nil)
        for (url, words) in [
            ("mysql://a@b/c", "postgres://"), ("postgres://a@b", "names no database"),
            ("postgres://a@b/c?host=relative", "absolute socket directory"), ("postgres://a@b/c?pool=3", "pool"),
            ("postgres://a@b:99999/c", "port"), ("postgres://a@b/c?sslmode=maybe", "sslmode"),
            ("postgres://a:pw@/c", "names no host"),
        ] {
            do {
                _ = try PostgresCatalog.Configuration(url: url)
                Issue.record("\(url) was accepted")
            } catch let error as CatalogError {
                #expect(error.code == .open && error.message.contains(words), "\(error.message)")
                #expect(!error.message.contains(":pw@"), "the password is not shown")
            }
        }
    }

    @Test("the statement timeout cancels a long statement with an error that says so")
    func statementTimeout() async throws {
        var configuration = try await PostgresTestServer.freshDatabase()
        configuration.statementTimeout = .milliseconds(200)
        let catalog = try await PostgresCatalog.open(configuration)
        do {
            _ = try await catalog.read { connection in
                try await connection.value(
                    "SELECT pg_sleep(2)::text", as: String.self, logger: PostgresTestServer.logger)
            }
            Issue.record("a 2 s statement outlived a 200 ms timeout")
        } catch let error as CatalogError {
            #expect(error.message.contains("statement timeout"))
        }
        await catalog.shutdown()
    }
}
