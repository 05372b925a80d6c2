import Catalog
import Foundation
import PostgresNIO

/// The job queue: one `job` table (Schema/0003-jobs.sql). A worker names itself uniquely (host,
/// process, slot): its name is the lease holder that `renew`, `complete` and `fail` check.
extension PostgresCatalog {
    static let jobColumns = """
        id, kind, payload, key, priority, state, attempts, max_attempts, run_after, locked_by, locked_until,
        last_error, created_at, updated_at
        """

    static func job(_ row: PostgresRandomAccessRow) throws -> Job {
        Job(
            id: try row["id"].decode(Int64.self), kind: try row["kind"].decode(String.self),
            payload: try row["payload"].decode(String.self), key: try row["key"].decode(String.self),
            priority: try row["priority"].decode(Int.self),
            state: JobState(rawValue: try row["state"].decode(String.self)) ?? .queued,
            attempts: try row["attempts"].decode(Int.self), maxAttempts: try row["max_attempts"].decode(Int.self),
            runAfter: try row["run_after"].decode(Instant.self).date, worker: try row["locked_by"].decode(String?.self),
            leaseUntil: try row["locked_until"].decode(Instant?.self)?.date,
            lastError: try row["last_error"].decode(String?.self),
            createdAt: try row["created_at"].decode(Instant.self).date,
            updatedAt: try row["updated_at"].decode(Instant.self).date)
    }

    /// The lease's end, from a time and a length in seconds (negative lengths count as none).
    static func leaseEnd(_ now: Date, _ lease: TimeInterval) -> Date {
        now.addingTimeInterval(lease.isFinite ? min(max(0, lease), 366 * 86_400) : 0)
    }

    public func enqueue(_ jobs: [NewJob], now: Date) async throws -> [Int64] {
        guard !jobs.isEmpty else { return [] }
        // One statement (see EnqueueStatement): one round trip, its own transaction.
        return try await statement(doing: "could not enqueue jobs") { connection in
            var ids: [Int64] = []
            for try await id in try await connection.execute(
                EnqueueStatement(
                    kinds: jobs.map(\.kind), payloads: jobs.map(\.payload), keys: jobs.map(\.key),
                    priorities: jobs.map(\.priority), maxAttempts: jobs.map { max(1, $0.maxAttempts) },
                    now: now.instant), logger: logger)
            {
                ids.append(id)
            }
            return ids.sorted()
        }
    }

    public func claim(worker: String, limit: Int, lease: TimeInterval, now: Date) async throws -> [Job] {
        let bounded = max(1, min(limit, 1000))
        let until = Self.leaseEnd(now, lease)
        // One statement (see ClaimStatement): one round trip, its own transaction.
        return try await statement(doing: "could not claim jobs") { connection in
            var jobs: [Job] = []
            for try await job in try await connection.execute(
                ClaimStatement(now: now.instant, limit: bounded, worker: worker, until: until.instant), logger: logger)
            {
                jobs.append(job)
            }
            return jobs.sorted { ($0.priority, -$0.id) > ($1.priority, -$1.id) }
        }
    }

    public func renew(_ ids: [Int64], worker: String, lease: TimeInterval, now: Date) async throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        let until = Self.leaseEnd(now, lease)
        return try await statement(doing: "could not renew leases") { connection in
            var held = Set<Int64>()
            for try await (id, ) in try await connection.query(
                """
                UPDATE job SET locked_until = \(until.instant), updated_at = \(now.instant)
                WHERE id = ANY(\(ids)) AND state = 'running' AND locked_by = \(worker)
                RETURNING id
                """, logger: logger
            ).decode((Int64,).self) {
                held.insert(id)
            }
            return ids.filter { !held.contains($0) }
        }
    }

    public func complete(_ id: Int64, worker: String, now: Date) async throws -> Bool {
        try await statement(doing: "could not complete a job") { connection in
            var completed = false
            for try await _ in try await connection.execute(
                CompleteStatement(id: id, worker: worker, now: now.instant), logger: logger)
            {
                completed = true
            }
            return completed
        }
    }

    public func fail(_ id: Int64, worker: String, error: String, retryAt: Date?, now: Date) async throws -> Bool {
        try await statement(doing: "could not record a job's failure") { connection in
            try await connection.value(
                """
                UPDATE job SET
                  state = CASE WHEN \(retryAt == nil) OR attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
                  run_after = COALESCE(\(retryAt.instant), run_after),
                  finished_at = CASE WHEN \(retryAt == nil) OR attempts >= max_attempts THEN \(now.instant) END,
                  updated_at = \(now.instant), last_error = \(error), locked_by = NULL, locked_until = NULL
                WHERE id = \(id) AND state = 'running' AND locked_by = \(worker)
                RETURNING 1
                """, as: Int.self, logger: logger) != nil
        }
    }

    public func retry(_ ids: [Int64]?, now: Date) async throws -> Int {
        try await write(counted: false) { connection in
            // A fresh set of attempts, unless the same key has a live job again (it covers the
            // dead one); of several dead jobs with one key, the newest.
            var retried = 0
            for try await _ in try await connection.query(
                """
                WITH chosen AS (
                  SELECT id FROM job WHERE id IN (
                    SELECT DISTINCT ON (key) id FROM job dead
                    WHERE state = 'dead' AND (\(ids == nil) OR id = ANY(\(ids ?? [])))
                      AND NOT EXISTS (SELECT 1 FROM job live WHERE live.key = dead.key AND live.state IN ('queued', 'running'))
                    ORDER BY key, id DESC)
                  FOR UPDATE SKIP LOCKED)
                UPDATE job SET state = 'queued', attempts = 0, run_after = \(now.instant), updated_at = \(now.instant),
                  finished_at = NULL
                FROM chosen WHERE job.id = chosen.id
                RETURNING job.id
                """, logger: logger)
            {
                retried += 1
            }
            if retried > 0 { try await connection.run("SELECT pg_notify('photodesk_jobs', '')", logger: logger) }
            return retried
        }
    }

    public func jobCounts() async throws -> [JobState: Int] {
        try await read { connection in
            var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
            for try await (state, count) in try await connection.query(
                "SELECT state, count(*) FROM job GROUP BY state", logger: logger
            ).decode((String, Int).self) {
                if let state = JobState(rawValue: state) { counts[state] = count }
            }
            return counts
        }
    }

    public func jobs(in state: JobState, limit: Int) async throws -> [Job] {
        let bounded = max(1, min(limit, 10_000))
        return try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: Self.jobColumns) FROM job WHERE state = \(state.rawValue) ORDER BY id LIMIT \(bounded)
                """, logger: logger
            ).map(Self.job)
        }
    }

    public func prune(doneBefore date: Date) async throws -> Int {
        try await write(counted: false) { connection in
            var removed = 0
            for try await _ in try await connection.query(
                "DELETE FROM job WHERE state = 'done' AND finished_at < \(date.instant) RETURNING 1", logger: logger)
            {
                removed += 1
            }
            return removed
        }
    }

    public func jobWakeups() -> AsyncStream<Void> {
        listen(on: "photodesk_jobs", bufferingNewest: 1) { _ in
            ()
        } onConnect: { _ in
            ()
        }
    }
}

// The queue's three hot statements, prepared once per connection (postgres-nio keeps them by
// name): the server parses and plans each once instead of at every call, which is most of a
// job's overhead when the work itself is small. They name their columns (no `job.*`), so a later
// migration that adds one cannot change a prepared statement's result.

/// Enqueues jobs in one statement (one round trip, its own transaction). A key with a live job is
/// skipped (ON CONFLICT on the partial unique index), and so is the same key twice in one batch.
/// Each new row notifies `photodesk_jobs`; PostgreSQL delivers identical notifications of one
/// transaction once, at commit, and none when nothing was inserted.
struct EnqueueStatement: PostgresPreparedStatement {
    static let name = "photodesk_job_enqueue_1"
    static let sql = """
        WITH new AS (
          INSERT INTO job (kind, payload, key, priority, max_attempts, run_after, created_at, updated_at)
          SELECT kind, payload, key, priority, max_attempts, $6, $6, $6
          FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[])
            WITH ORDINALITY AS new(kind, payload, key, priority, max_attempts, position)
          ORDER BY position
          ON CONFLICT (key) WHERE state IN ('queued', 'running') DO NOTHING
          RETURNING id)
        SELECT new.id FROM new
          CROSS JOIN LATERAL (SELECT pg_notify('photodesk_jobs', '') WHERE new.id IS NOT NULL) AS woke
        """
    typealias Row = Int64

    var kinds: [String]
    var payloads: [String]
    var keys: [String]
    var priorities: [Int]
    var maxAttempts: [Int]
    var now: Instant

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(kinds)
        bindings.append(payloads)
        bindings.append(keys)
        bindings.append(priorities)
        bindings.append(maxAttempts)
        bindings.append(now)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

/// Claims up to `limit` jobs in one statement (one round trip). A running job whose lease has
/// expired is claimable again like a queued one, its last error saying why, or dead when that was
/// its last attempt. SKIP LOCKED: claimers never wait for each other. The queued and the expired
/// candidates are read apart, each through its partial index in claim order (one condition with
/// an OR made PostgreSQL read and sort the whole queue: 9 ms a claim with 20,000 jobs queued,
/// 0.2 ms this way); rows locked but not taken are free again when the statement ends.
struct ClaimStatement: PostgresPreparedStatement {
    static let name = "photodesk_job_claim_1"
    static let sql = """
        WITH dead AS (
          UPDATE job SET state = 'dead', finished_at = $1, updated_at = $1,
            last_error = 'lease expired: worker ' || COALESCE(job.locked_by, '?') || ' stopped renewing it',
            locked_by = NULL, locked_until = NULL
          WHERE job.id IN (
            SELECT id FROM job WHERE state = 'running' AND locked_until <= $1 AND attempts >= max_attempts
            FOR UPDATE SKIP LOCKED)
          RETURNING job.id),
        queued AS (
          SELECT id, priority FROM job WHERE state = 'queued' AND run_after <= $1
          ORDER BY priority DESC, id LIMIT $2
          FOR UPDATE SKIP LOCKED),
        expired AS (
          SELECT id, priority FROM job WHERE state = 'running' AND locked_until <= $1 AND attempts < max_attempts
          ORDER BY priority DESC, id LIMIT $2
          FOR UPDATE SKIP LOCKED),
        next AS (
          SELECT id FROM (SELECT id, priority FROM queued UNION ALL SELECT id, priority FROM expired) AS claimable
          ORDER BY priority DESC, id LIMIT $2)
        UPDATE job SET state = 'running', attempts = job.attempts + 1, locked_by = $3, locked_until = $4,
          updated_at = $1,
          last_error = CASE WHEN job.state = 'running'
            THEN 'lease expired: worker ' || COALESCE(job.locked_by, '?') || ' stopped renewing it'
            ELSE job.last_error END
        FROM next WHERE job.id = next.id
        RETURNING job.id, job.kind, job.payload, job.key, job.priority, job.state, job.attempts, job.max_attempts,
          job.run_after, job.locked_by, job.locked_until, job.last_error, job.created_at, job.updated_at
        """
    typealias Row = Job

    var now: Instant
    var limit: Int
    var worker: String
    var until: Instant

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(now)
        bindings.append(limit)
        bindings.append(worker)
        bindings.append(until)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Job { try PostgresCatalog.job(row.makeRandomAccess()) }
}

/// Marks a job done while the worker still holds it; a row back when it did.
struct CompleteStatement: PostgresPreparedStatement {
    static let name = "photodesk_job_complete_1"
    static let sql = """
        UPDATE job SET state = 'done', finished_at = $3, updated_at = $3,
          locked_by = NULL, locked_until = NULL, last_error = NULL
        WHERE id = $1 AND state = 'running' AND locked_by = $2
        RETURNING 1
        """
    typealias Row = Int

    var id: Int64
    var worker: String
    var now: Instant

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(id)
        bindings.append(worker)
        bindings.append(now)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
}
