import Foundation

/// Collects what an ingest reports, from any thread: the results of finished files.
public final class IngestLog: @unchecked Sendable {
    // Safe: `items` is only read and written while holding `lock`.
    private let lock = NSLock()
    private var items: [FileResult] = []

    /// An empty log.
    public init() {}

    /// Takes in one event; only finished files are kept.
    public func add(_ event: IngestEvent) {
        guard case .finished(let result, _, _) = event else { return }
        lock.lock()
        items.append(result)
        lock.unlock()
    }

    /// The results so far, in the order files finished.
    public var results: [FileResult] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }

    /// The result of the file with this name, if it finished.
    public func result(named name: String) -> FileResult? { results.first { $0.path.hasSuffix("/" + name) } }

    /// The reason of the first failed file, if any.
    public var firstFailure: String? { results.first { $0.status == .failed }?.error }
}
