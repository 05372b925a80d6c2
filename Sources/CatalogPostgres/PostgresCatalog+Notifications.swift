import Catalog
import Foundation
import PostgresNIO

extension PostgresCatalog {
    public func changeNotifications() -> AsyncStream<Int64> {
        listen(on: "photodesk_changes", bufferingNewest: 16) { payload in
            Int64(payload)
        } onConnect: { [logger] connection in
            try await connection.value("SELECT value FROM change_counter", as: Int64.self, logger: logger)
        }
    }

    /// A stream of a channel's notifications, from a connection of the pool held for it. Each
    /// time the connection is (re)established, once LISTEN is in force, it yields `onConnect`'s
    /// value (the current counter, a wake-up): whatever was missed while it was down is covered.
    /// It reconnects after a drop (waiting up to 5 s between tries) and ends when its consumer
    /// stops or the catalog shuts down.
    func listen<Element: Sendable>(
        on channel: String, bufferingNewest size: Int, parse: @escaping @Sendable (String) -> Element?,
        onConnect: @escaping @Sendable (PostgresConnection) async throws -> Element?
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
                } catch {
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
