import Foundation

/// Where a job is in its life.
public enum JobState: String, Codable, Sendable, CaseIterable {
    /// Waiting to be claimed (again, after a failure, from `runAfter` on).
    case queued
    /// Claimed by a worker holding a lease.
    case running
    /// Finished.
    case done
    /// Failed its last attempt: kept with its error until retried or pruned.
    case dead
}

/// A job to add to the queue.
public struct NewJob: Sendable, Equatable {
    /// What to do ("ingest").
    public var kind: String
    /// Its arguments, as a JSON document.
    public var payload: String
    /// At most one unfinished job holds a key (a file is queued once however often it is named).
    public var key: String
    /// Higher runs first: an editor's upload before a bulk re-render.
    public var priority: Int
    /// Attempts before the job is dead.
    public var maxAttempts: Int

    /// Makes a job.
    public init(kind: String, payload: String, key: String, priority: Int = 0, maxAttempts: Int = 5) {
        self.kind = kind
        self.payload = payload
        self.key = key
        self.priority = priority
        self.maxAttempts = maxAttempts
    }
}

/// A job in the queue.
public struct Job: Sendable, Equatable, Codable {
    public var id: Int64
    public var kind: String
    public var payload: String
    public var key: String
    public var priority: Int
    public var state: JobState
    /// Attempts started so far (the running one included).
    public var attempts: Int
    public var maxAttempts: Int
    /// Not claimed before this.
    public var runAfter: Date
    /// The worker holding the lease, while running.
    public var worker: String?
    /// When the lease ends unless renewed: then another worker may claim the job.
    public var leaseUntil: Date?
    /// The last failure's reason.
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date

    /// Makes a job value.
    public init(
        id: Int64, kind: String, payload: String, key: String, priority: Int, state: JobState, attempts: Int,
        maxAttempts: Int, runAfter: Date, worker: String?, leaseUntil: Date?, lastError: String?, createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.key = key
        self.priority = priority
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAfter = runAfter
        self.worker = worker
        self.leaseUntil = leaseUntil
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A queue of jobs for workers on any number of machines (the PostgreSQL backend's): claimed
/// without blocking each other, held by leases that live workers renew and that expire when a
/// worker dies, retried with backoff, dead after the last attempt.
public protocol JobQueue: Sendable {
    /// Adds jobs; a job whose key an unfinished job already holds is skipped. Returns the ids added.
    func enqueue(_ jobs: [NewJob], now: Date) async throws -> [Int64]
    /// Claims up to `limit` runnable jobs (queued and due, or running with an expired lease),
    /// highest priority first then oldest, for `lease` seconds. Jobs other workers are claiming at
    /// the same moment are skipped, never waited for.
    func claim(worker: String, limit: Int, lease: TimeInterval, now: Date) async throws -> [Job]
    /// Extends the leases the worker still holds; returns the ids it no longer holds.
    func renew(_ ids: [Int64], worker: String, lease: TimeInterval, now: Date) async throws -> [Int64]
    /// Marks a job done, only while the worker holds it; false when it does not (its lease
    /// expired and another worker took it).
    func complete(_ id: Int64, worker: String, now: Date) async throws -> Bool
    /// Records a failed attempt: queued again from `retryAt`, or dead when it was the last (or
    /// when `retryAt` is nil). False when the worker no longer holds the job.
    func fail(_ id: Int64, worker: String, error: String, retryAt: Date?, now: Date) async throws -> Bool
    /// Queues dead jobs again (the ids given, or all dead ones with nil), attempts reset.
    func retry(_ ids: [Int64]?, now: Date) async throws -> Int
    /// How many jobs are in each state.
    func jobCounts() async throws -> [JobState: Int]
    /// Jobs in a state, oldest first.
    func jobs(in state: JobState, limit: Int) async throws -> [Job]
    /// Removes jobs done before a time; returns how many.
    func prune(doneBefore date: Date) async throws -> Int
    /// Wakes when jobs are added (`LISTEN/NOTIFY`); workers also poll, so a lost wake-up only delays.
    func jobWakeups() -> AsyncStream<Void>
}
