import Catalog
import Foundation

/// A deterministic crash for the crash-safety tests: with `PHOTODESK_CRASH_AFTER_COMMITS=N` in
/// the environment, the process kills itself with SIGKILL (no clean-up, no flush, as a power cut
/// or the OOM killer would) right after its N-th ingest commit. Without the variable it does
/// nothing.
/// `PHOTODESK_CRASH_AFTER_CLAIMS=N` does the same to a queue worker right after it claims its
/// N-th job, before it has done any of it: a worker dying in the middle of a job.
enum CrashPoint {
    static let limit: Int? = ProcessInfo.processInfo.environment["PHOTODESK_CRASH_AFTER_COMMITS"].flatMap { Int($0) }
    private static let lock = NSLock()
    // Guarded by `lock`.
    nonisolated(unsafe) private static var commits = 0

    static let claimLimit: Int? = ProcessInfo.processInfo.environment["PHOTODESK_CRASH_AFTER_CLAIMS"].flatMap {
        Int($0)
    }
    nonisolated(unsafe) private static var claims = 0

    /// Notes one claimed job; the N-th kills the process, after saying on standard error which
    /// job it held and until when (`crash point: killed after claiming job ID, lease until SECONDS`,
    /// seconds since 1970), so that a test knows the orphaned job without racing its lease.
    static func claimed(_ job: Job) {
        guard let claimLimit else { return }
        let count = lock.withLock {
            claims += 1
            return claims
        }
        guard count >= claimLimit else { return }
        let lease = job.leaseUntil.map { String($0.timeIntervalSince1970) } ?? "unknown"
        FileHandle.standardError.write(
            Data("crash point: killed after claiming job \(job.id), lease until \(lease)\n".utf8))
        kill(getpid(), SIGKILL)
    }

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
