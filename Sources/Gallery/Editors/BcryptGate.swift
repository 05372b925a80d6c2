import Foundation
import PhotoModel

/// Runs bcrypt a few at a time (it is slow on purpose): a flood of sign-ins waits its turn, and
/// past a queue of `maxWaiting` is refused at once, instead of taking every core.
actor BcryptGate {
    let slots: Int
    let maxWaiting: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(slots: Int = max(1, ProcessInfo.processInfo.activeProcessorCount), maxWaiting: Int = 64) {
        self.slots = slots
        self.maxWaiting = maxWaiting
    }

    /// Runs `work` when a slot is free; nil when too many are waiting already.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T? {
        if running >= slots {
            guard waiting.count < maxWaiting else { return nil }
            await withCheckedContinuation { waiting.append($0) }
        } else {
            running += 1
        }
        let result = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
        return result
    }
}
