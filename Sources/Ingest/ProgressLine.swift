import Foundation

/// The one-line progress report of a long ingest: done/total, files per second, time left and
/// the current file.
public struct ProgressLine: Sendable {
    private let started: Date
    public private(set) var done = 0
    public private(set) var total = 0
    public private(set) var current = ""

    /// Starts the clock.
    public init(started: Date = Date()) {
        self.started = started
    }

    /// Takes in one event.
    public mutating func update(_ event: IngestEvent) {
        switch event {
        case .scanned(let total): self.total = total
        case .started(let path): current = path
        case .finished(_, let done, let total):
            self.done = done
            self.total = total
        case .notice: break
        }
    }

    /// The line, fitted to `width` columns.
    public func render(now: Date = Date(), width: Int = 100) -> String {
        let elapsed = max(0.001, now.timeIntervalSince(started))
        let rate = Double(done) / elapsed
        let left = rate > 0 ? Double(total - done) / rate : 0
        let eta = done == 0 ? "--:--" : String(format: "%d:%02d", Int(left) / 60, Int(left) % 60)
        let head = String(format: "%d/%d  %.1f files/s  ETA %@  ", done, total, rate, eta)
        let room = max(0, width - head.count)
        let name = current.count > room ? "…" + current.suffix(max(0, room - 1)) : current
        return head + name
    }
}
