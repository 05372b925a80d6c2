import Catalog
import Foundation
import PostgresNIO

extension PostgresCatalog {
    /// The counter the last notification carried, while the connection that listens for them is
    /// up; `unreadable` before it first connects and while it reconnects (a write may be missed
    /// then, so nothing is answered from memory until it is back and has read the counter).
    public func currentVersion() -> VersionReading {
        startChangeFeed()
        return changeFeed.reading()
    }

    public func changeCounter() async throws -> Int64 {
        try await read { connection in
            try await connection.value("SELECT value FROM change_counter", as: Int64.self, logger: logger) ?? 0
        }
    }

    /// The counters as `photodesk_changes` notifications bring them (every counted write on any
    /// node notifies in its transaction), and the counter read each time the listening connection
    /// is made, which covers what was missed while it was down.
    public func changes() -> AsyncStream<CatalogVersion> {
        startChangeFeed()
        return changeFeed.subscribe()
    }

    /// Starts the one listener that keeps `changeFeed` current, once.
    func startChangeFeed() {
        guard changeFeed.start() else { return }
        let feed = changeFeed
        let stream = listen(
            on: "photodesk_changes", bufferingNewest: 16, parse: { Int64($0) },
            onConnect: { [logger] connection in
                try await connection.value("SELECT value FROM change_counter", as: Int64.self, logger: logger)
            }, onDisconnect: { feed.lost() })
        let task = Task {
            for await counter in stream { feed.received(counter) }
            feed.lost()
        }
        if !listeners.add(UUID(), task) { feed.lost() }
        // A connection can stall without dropping (a half-open TCP connection sends no error and
        // no notification): every `changePollInterval` the counter is also read through the pool,
        // and a counter the notifications did not bring moves the version all the same. Stale
        // pages and renditions then live at most that long on a node whose listener went silent.
        let interval = changePollInterval
        let poll = Task { [weak self] in
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                guard let self, !self.listeners.isClosed else { return }
                if let counter = try? await self.changeCounter() { feed.polled(counter) }
            }
        }
        if !listeners.add(UUID(), poll) { poll.cancel() }
    }

    /// A stream of a channel's notifications, from a connection of the pool held for it. Each
    /// time the connection is (re)established, once LISTEN is in force, it yields `onConnect`'s
    /// value (the current counter, a wake-up): whatever was missed while it was down is covered.
    /// It reconnects after a drop (waiting up to 5 s between tries) and ends when its consumer
    /// stops or the catalog shuts down.
    func listen<Element: Sendable>(
        on channel: String, bufferingNewest size: Int, parse: @escaping @Sendable (String) -> Element?,
        onConnect: @escaping @Sendable (PostgresConnection) async throws -> Element?,
        onDisconnect: @escaping @Sendable () -> Void = {}
    ) -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(size))
        let client = client
        let logger = logger
        let listeners = listeners
        let id = UUID()
        let task = Task {
            var pause: Duration = .milliseconds(100)
            while !Task.isCancelled && !listeners.isClosed {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: channel) { notifications in
                            if let value = try await onConnect(connection) { continuation.yield(value) }
                            pause = .milliseconds(100)
                            for try await notification in notifications {
                                if let value = parse(notification.payload) { continuation.yield(value) }
                            }
                        }
                    }
                    // The notifications ended without an error: the connection is gone all the same.
                    onDisconnect()
                } catch {
                    onDisconnect()
                    if Task.isCancelled || listeners.isClosed { break }
                    logger.warning(
                        "lost the LISTEN \(channel) connection; reconnecting",
                        metadata: ["error": "\(PostgresCatalog.describe(error))"])
                }
                if Task.isCancelled || listeners.isClosed { break }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
            continuation.finish()
            listeners.remove(id)
        }
        continuation.onTermination = { _ in task.cancel() }
        if !listeners.add(id, task) { continuation.finish() }
        return stream
    }
}

/// What the change signal of a PostgreSQL catalog knows: the newest counter notified, whether
/// the listening connection is up, and the streams that hear of each counter.
final class ChangeFeed: @unchecked Sendable {
    // @unchecked: every field is only touched with `lock` held.
    private let lock = NSLock()
    private var started = false
    private var connected = false
    private var latest: Int64?
    private var subscribers: [UUID: AsyncStream<CatalogVersion>.Continuation] = [:]

    /// True the first time only: the caller starts the listener.
    func start() -> Bool {
        lock.withLock {
            defer { started = true }
            return !started
        }
    }

    func reading() -> VersionReading {
        lock.withLock {
            guard connected, let latest else { return .unreadable }
            return .current(CatalogVersion(latest))
        }
    }

    /// A counter read on connecting or carried by a notification.
    func received(_ counter: Int64) {
        let listeners = lock.withLock { () -> [AsyncStream<CatalogVersion>.Continuation] in
            connected = true
            latest = max(latest ?? counter, counter)
            return Array(subscribers.values)
        }
        for listener in listeners { listener.yield(CatalogVersion(counter)) }
    }

    /// A counter read through the pool (see `startChangeFeed`): it moves the version when the
    /// notifications missed it, but never vouches for a listener that is down.
    func polled(_ counter: Int64) {
        let listeners = lock.withLock { () -> [AsyncStream<CatalogVersion>.Continuation] in
            guard connected, let known = latest, counter > known else { return [] }
            latest = counter
            return Array(subscribers.values)
        }
        for listener in listeners { listener.yield(CatalogVersion(counter)) }
    }

    /// The listening connection is down: the version cannot be told until it is back.
    func lost() {
        lock.withLock { connected = false }
    }

    /// A stream of the counters from now on, starting with the newest known.
    func subscribe() -> AsyncStream<CatalogVersion> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: CatalogVersion.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        let current = lock.withLock { () -> Int64? in
            subscribers[id] = continuation
            return connected ? latest : nil
        }
        if let current { continuation.yield(CatalogVersion(current)) }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every stream (the catalog shuts down).
    func finish() {
        let listeners = lock.withLock { () -> [AsyncStream<CatalogVersion>.Continuation] in
            connected = false
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for listener in listeners { listener.finish() }
    }
}
