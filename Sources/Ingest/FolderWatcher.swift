import Foundation
import Imaging

/// Keeps ingesting a folder as files arrive, each only once its size and modification time have
/// stopped changing between two looks (a half-copied file is never ingested).
public struct FolderWatcher: Sendable {
    let ingester: Ingester
    let folder: String
    /// Time between two looks at the folder.
    let interval: Duration

    /// Makes a watcher.
    public init(ingester: Ingester, folder: String, interval: Duration = .seconds(2)) {
        self.ingester = ingester
        self.folder = folder
        self.interval = interval
    }

    /// Watches until the task is cancelled, reporting every file ingested.
    public func run(report: @escaping @Sendable (IngestEvent) -> Void) async throws {
        var previous: [String: FileStat] = [:]
        var handled: [String: FileStat] = [:]
        while !Task.isCancelled {
            let entries = try FolderScanner(excluding: [ingester.library.root]).scan([folder])
            var current: [String: FileStat] = [:]
            var ready: [String] = []
            for entry in entries {
                guard case .file(let path, let stat) = entry else { continue }
                current[path] = stat
                if previous[path] == stat && handled[path] != stat { ready.append(path) }
            }
            if !ready.isEmpty {
                _ = try await ingester.run(ready, report: report)
                for path in ready { handled[path] = current[path] }
            }
            previous = current
            try await Task.sleep(for: interval)
        }
    }
}
