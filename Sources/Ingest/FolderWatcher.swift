import Foundation
import Imaging

/// Keeps ingesting a folder as files arrive, each only once its size and modification time have
/// stopped changing between two looks (a half-copied file is never ingested).
public struct FolderWatcher: Sendable {
    let ingester: Ingester
    let folder: String
    /// Time between two looks at the folder.
    let interval: Duration

    /// What the watcher has seen: each file's state at the last look, and the state it was
    /// ingested in.
    public struct State: Sendable {
        var previous: [String: FileStat] = [:]
        var handled: [String: FileStat] = [:]

        /// Nothing seen yet.
        public init() {}
    }

    /// Makes a watcher.
    public init(ingester: Ingester, folder: String, interval: Duration = .seconds(2)) {
        self.ingester = ingester
        self.folder = folder
        self.interval = interval
    }

    /// One look at the folder: ingests the files that are unchanged since the previous look and
    /// not yet ingested in that state, and returns how many it handed to the ingest.
    @discardableResult
    public func look(_ state: inout State, report: @escaping @Sendable (IngestEvent) -> Void) async throws -> Int {
        let entries = try FolderScanner(excluding: [ingester.library.root]).scan([folder])
        var current: [String: FileStat] = [:]
        var ready: [String] = []
        for entry in entries {
            guard case .file(let path, let stat) = entry else { continue }
            current[path] = stat
            if state.previous[path] == stat && state.handled[path] != stat { ready.append(path) }
        }
        if !ready.isEmpty {
            _ = try await ingester.run(ready, report: report)
            for path in ready { state.handled[path] = current[path] }
        }
        state.previous = current
        return ready.count
    }

    /// Looks every `interval` until the task is cancelled, reporting every file ingested.
    public func run(
        clock: some Clock<Duration> = ContinuousClock(), report: @escaping @Sendable (IngestEvent) -> Void
    ) async throws {
        var state = State()
        while !Task.isCancelled {
            try await look(&state, report: report)
            try await clock.sleep(for: interval, tolerance: nil)
        }
    }
}
