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
        return try await write(counted: false) { connection in
            // A key with a live job is skipped (ON CONFLICT on the partial unique index), and so
            // is the same key twice in one batch.
            var ids: [Int64] = []
            for try await (id, ) in try await connection.query(
                """
                INSERT INTO job (kind, payload, key, priority, max_attempts, run_after, created_at, updated_at)
                SELECT kind, payload, key, priority, max_attempts, \(now.instant), \(now.instant), \(now.instant)
                FROM unnest(\(jobs.map(\.kind))::text[], \(jobs.map(\.payload))::text[], \(jobs.map(\.key))::text[],
                  \(jobs.map(\.priority))::int[], \(jobs.map { max(1, $0.maxAttempts) })::int[])
                  WITH ORDINALITY AS new(kind, payload, key, priority, max_attempts, position)
                ORDER BY position
                ON CONFLICT (key) WHERE state IN ('queued', 'running') DO NOTHING
                RETURNING id
                """, logger: logger
            ).decode((Int64,).self) {
                ids.append(id)
            }
            if !ids.isEmpty {
                // Delivered at commit, once however many jobs: workers wake and claim.
                try await connection.run("SELECT pg_notify('photodesk_jobs', '')", logger: logger)
            }
            return ids.sorted()
        }
    }

    public func claim(worker: String, limit: Int, lease: TimeInterval, now: Date) async throws -> [Job] {
        let bounded = max(1, min(limit, 1000))
        let until = Self.leaseEnd(now, lease)
        return try await write(counted: false) { connection in
            // Expired leases first: back to queued (claimable below, in this transaction), or dead
            // when that was the last attempt. SKIP LOCKED: claimers never wait for each other.
            try await connection.run(
                """
                WITH expired AS (
                  SELECT id FROM job WHERE state = 'running' AND locked_until <= \(now.instant)
                  FOR UPDATE SKIP LOCKED)
                UPDATE job SET
                  state = CASE WHEN job.attempts >= job.max_attempts THEN 'dead' ELSE 'queued' END,
                  run_after = \(now.instant), updated_at = \(now.instant),
                  last_error = 'lease expired: worker ' || COALESCE(job.locked_by, '?') || ' stopped renewing it',
                  finished_at = CASE WHEN job.attempts >= job.max_attempts THEN \(now.instant) END,
                  locked_by = NULL, locked_until = NULL
                FROM expired WHERE job.id = expired.id
                """, logger: logger)
            return try await connection.rows(
                """
                WITH next AS (
                  SELECT id FROM job WHERE state = 'queued' AND run_after <= \(now.instant)
                  ORDER BY priority DESC, id LIMIT \(bounded)
                  FOR UPDATE SKIP LOCKED)
                UPDATE job SET state = 'running', attempts = job.attempts + 1, locked_by = \(worker),
                  locked_until = \(until.instant), updated_at = \(now.instant)
                FROM next WHERE job.id = next.id
                RETURNING job.*
                """, logger: logger
            ).map(Self.job).sorted { ($0.priority, -$0.id) > ($1.priority, -$1.id) }
        }
    }

    public func renew(_ ids: [Int64], worker: String, lease: TimeInterval, now: Date) async throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        let until = Self.leaseEnd(now, lease)
        return try await write(counted: false) { connection in
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
        try await write(counted: false) { connection in
            try await connection.value(
                """
                UPDATE job SET state = 'done', finished_at = \(now.instant), updated_at = \(now.instant),
                  locked_by = NULL, locked_until = NULL, last_error = NULL
                WHERE id = \(id) AND state = 'running' AND locked_by = \(worker)
                RETURNING 1
                """, as: Int.self, logger: logger) != nil
        }
    }

    public func fail(_ id: Int64, worker: String, error: String, retryAt: Date?, now: Date) async throws -> Bool {
        try await write(counted: false) { connection in
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
