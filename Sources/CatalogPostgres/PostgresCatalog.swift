import Catalog
import Foundation
import Logging
import PostgresNIO

/// The catalog in a PostgreSQL server, shared by any number of gallery nodes and workers: the
/// same semantics as `SQLiteCatalog` (the contract suite runs on both), with search over a
/// generated `tsvector`, the job queue, and notifications of changes through `LISTEN/NOTIFY`.
///
/// Open it with `open(_:)`, which migrates the schema and starts the connection pool in a task
/// the catalog owns; call `shutdown()` when done (a catalog that is released also stops its
/// pool, but without waiting for it).
public final class PostgresCatalog: CatalogStore, JobQueue {
    let client: PostgresClient
    let logger: Logger
    /// The settings it was opened with.
    public let configuration: Configuration
    private let runTask: Task<Void, Never>
    let listeners: ListenerRegistry
    /// The change signal's state (`currentVersion`, `changes`).
    let changeFeed = ChangeFeed()
    /// How often the change counter is also read through the pool, in case the listening
    /// connection stalls without dropping (`startChangeFeed`).
    let changePollInterval: Duration = .seconds(2)
    /// "postgresql".
    public var backend: String { "postgresql" }

    private init(
        configuration: Configuration, client: PostgresClient, logger: Logger, started: @escaping @Sendable () -> Void
    ) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.listeners = ListenerRegistry()
        runTask = Task {
            started()
            await client.run()
        }
    }

    deinit {
        listeners.closeAll()
        changeFeed.finish()
        runTask.cancel()
    }

    /// Connects, applies the migrations this version knows (under an advisory lock, so that
    /// nodes opening together do not race) and starts the connection pool. Throws
    /// `CatalogError(.open)` when the server cannot be reached, refuses the login, or holds a
    /// schema newer than this version of Photodesk.
    public static func open(
        _ configuration: Configuration, logger: Logger = Logger(label: "photodesk.catalog.postgres")
    ) async throws -> PostgresCatalog {
        try await migrate(configuration, logger: logger)
        // The pool's own chatter (connections opened and closed) only when asked for; failures
        // reach the caller as errors anyway.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(
            configuration: try configuration.clientConfiguration(), backgroundLogger: background)
        // The pool's run loop has begun before the first query leases a connection.
        let (begun, signal) = AsyncStream.makeStream(of: Void.self)
        let catalog = PostgresCatalog(configuration: configuration, client: client, logger: logger) {
            signal.yield()
            signal.finish()
        }
        for await _ in begun { break }
        await Task.yield()
        return catalog
    }

    /// Opens the catalog a URL names (see `Configuration.init(url:)`).
    public static func open(url: String, logger: Logger = Logger(label: "photodesk.catalog.postgres")) async throws
        -> PostgresCatalog
    {
        try await open(Configuration(url: url), logger: logger)
    }

    /// Ends the notification streams, closes the pool's connections and waits until they are
    /// closed. Calls made after it fail with `CatalogError(.open)`.
    public func shutdown() async {
        listeners.closeAll()
        changeFeed.finish()
        runTask.cancel()
        await runTask.value
    }

    // MARK: Running statements

    /// One read on a pooled connection (again on another, when the server closed the first).
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await pooled(attempts: 3, doing: "catalog query failed", body)
    }

    /// One write transaction on a pooled connection. A counted write (every write but account
    /// bookkeeping) ends by bumping the change counter, which notifies `photodesk_changes`; a
    /// transaction that deadlocks or fails serialization is run again, up to five times.
    func write<T: Sendable>(counted: Bool = true, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await client.withConnection { connection in
                    try await connection.run("BEGIN", logger: logger)
                    do {
                        let result = try await body(connection)
                        if counted {
                            try await connection.run(
                                """
                                WITH bumped AS (UPDATE change_counter SET value = value + 1 RETURNING value)
                                SELECT pg_notify('photodesk_changes', value::text) FROM bumped
                                """, logger: logger)
                        }
                        try await connection.run("COMMIT", logger: logger)
                        return result
                    } catch {
                        try? await connection.run("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error where Self.isRetryable(error) && attempt < 5 {
                attempt += 1
            } catch {
                throw catalogError(error, doing: "catalog update failed")
            }
        }
    }

    /// One write that is a single statement, run in its own implicit transaction: one round trip
    /// instead of BEGIN, the statement and COMMIT (the job queue's calls). It does not bump the
    /// change counter. Retried like a transaction.
    func statement<T: Sendable>(doing what: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await pooled(attempts: 5, doing: what, body)
    }

    /// `body` on a pooled connection, run again (on another) after a retryable error, up to
    /// `attempts` times; other errors as the catalog's, saying what was being done.
    private func pooled<T: Sendable>(
        attempts: Int, doing what: String, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await client.withConnection { connection in try await body(connection) }
            } catch let error where Self.isRetryable(error) && attempt < attempts {
                attempt += 1
            } catch {
                throw catalogError(error, doing: what)
            }
        }
    }

    /// Deadlocks, serialization failures, and a pooled connection the server has closed (a
    /// restart, `pg_terminate_backend`): the pool opens a new one for the next attempt. A drop
    /// between COMMIT and its answer could repeat a write; the compare-and-set writes then fail
    /// as conflicts rather than apply twice.
    static func isRetryable(_ error: any Error) -> Bool {
        if let error = error as? PSQLError, error.code == .serverClosedConnection || error.code == .connectionError {
            return true
        }
        guard let state = sqlState(error) else { return false }
        return state == "40001" || state == "40P01" || state == "57P01"
    }

    /// The SQLSTATE of a server error.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// A database error as the catalog's error, with the server's words as its cause.
    func catalogError(_ error: any Error, doing what: String) -> CatalogError {
        if let error = error as? CatalogError { return error }
        guard let error = error as? PSQLError else { return CatalogError(.database, what, cause: "\(error)") }
        switch error.code {
        case .server:
            let info = error.serverInfo
            let cause = [info?[.sqlState], info?[.message], info?[.detail]].compactMap { $0 }.joined(separator: ": ")
            switch info?[.sqlState] {
            case "57014":
                return CatalogError(
                    .database, "\(what): the statement ran longer than the statement timeout (raise statement_timeout)",
                    cause: cause)
            case "23505": return CatalogError(.exists, "\(what): a unique value is already taken", cause: cause)
            case "53100":
                return CatalogError(
                    .noSpace, "\(what): the PostgreSQL server's disk is full; nothing was saved", cause: cause)
            default: return CatalogError(.database, what, cause: cause)
            }
        case .poolClosed, .clientClosedConnection:
            return CatalogError(.open, "\(what): the catalog was shut down", cause: String(reflecting: error))
        case .connectionError, .serverClosedConnection, .uncleanShutdown:
            return CatalogError(
                .open, "\(what): lost the connection to PostgreSQL at \(configuration.place)",
                cause: String(reflecting: error))
        default:
            return CatalogError(.database, what, cause: String(reflecting: error))
        }
    }
}

extension PostgresConnection {
    /// Runs a statement and reads its whole result, so that an error sent after the first row
    /// is never lost (postgres-nio reports it only to whoever reads the rows).
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }

    /// Runs a statement and returns its rows, read by column name.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await self.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// The first column of the first row, or nil when there is no row.
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type, logger: Logger) async throws -> T? {
        var found: T?
        for try await row in try await self.query(query, logger: logger) where found == nil {
            found = try row.makeRandomAccess()[0].decode(T.self)
        }
        return found
    }
}

/// The catalog's notification listeners, ended together at shutdown.
final class ListenerRegistry: @unchecked Sendable {
    // @unchecked: `tasks` and `closed` are only touched with `lock` held.
    private let lock = NSLock()
    private var tasks: [UUID: Task<Void, Never>] = [:]
    private var closed = false

    /// Keeps a listener's task; false (and the task cancelled) after `closeAll`.
    func add(_ id: UUID, _ task: Task<Void, Never>) -> Bool {
        let accepted = lock.withLock { () -> Bool in
            guard !closed else { return false }
            tasks[id] = task
            return true
        }
        if !accepted { task.cancel() }
        return accepted
    }

    func remove(_ id: UUID) {
        _ = lock.withLock { tasks.removeValue(forKey: id) }
    }

    var isClosed: Bool { lock.withLock { closed } }

    func closeAll() {
        let ending = lock.withLock { () -> [Task<Void, Never>] in
            closed = true
            defer { tasks.removeAll() }
            return Array(tasks.values)
        }
        for task in ending { task.cancel() }
    }
}
