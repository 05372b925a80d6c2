import Foundation

extension Ingester {
    /// Ingests these files and answers their results in the order given (a path given twice has
    /// two, taken in turn), for callers that hand over files rather than folders, as the
    /// gallery's uploads do. Throws what `run` throws before it starts (another ingest holds the
    /// library: `IngestError` `.busy`).
    public func results(for paths: [String]) async throws -> [FileResult] {
        let collected = CollectedResults()
        _ = try await run(paths) { event in
            if case .finished(let result, _, _) = event { collected.append(result) }
        }
        var byPath: [String: [FileResult]] = [:]
        for result in collected.all { byPath[result.path, default: []].append(result) }
        return paths.map { path in
            let key = URL(fileURLWithPath: path).standardizedFileURL.path
            guard var queue = byPath[key], !queue.isEmpty else {
                return FileResult(path: path, status: .failed, error: "the ingest reported nothing for this file")
            }
            let result = queue.removeFirst()
            byPath[key] = queue
            return result
        }
    }
}

/// The results an ingest reports from its concurrent jobs.
private final class CollectedResults: @unchecked Sendable {
    // Safe: `results` is read and written only while holding `lock`.
    private let lock = NSLock()
    private var results: [FileResult] = []

    func append(_ result: FileResult) {
        lock.withLock { results.append(result) }
    }

    var all: [FileResult] { lock.withLock { results } }
}
