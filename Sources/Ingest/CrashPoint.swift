import Foundation

/// A deterministic crash for the crash-safety tests: with `PHOTODESK_CRASH_AFTER_COMMITS=N` in
/// the environment, the process kills itself with SIGKILL (no clean-up, no flush, as a power cut
/// or the OOM killer would) right after its N-th ingest commit. Without the variable it does
/// nothing.
enum CrashPoint {
    static let limit: Int? = ProcessInfo.processInfo.environment["PHOTODESK_CRASH_AFTER_COMMITS"].flatMap { Int($0) }
    private static let lock = NSLock()
    // Guarded by `lock`.
    nonisolated(unsafe) private static var commits = 0

    /// Notes one commit; the N-th kills the process.
    static func committed() {
        guard let limit else { return }
        let count = lock.withLock {
            commits += 1
            return commits
        }
        if count >= limit { kill(getpid(), SIGKILL) }
    }
}
