import Foundation
import Testing

/// A long-running `photodesk` process a test starts (a gallery node, a worker): its standard
/// output and error go to files, so that a chatty process never stalls on a full pipe and the
/// test can read what it said at any moment. `stop()` ends it whatever state it is in.
final class NodeProcess: @unchecked Sendable {
    // @unchecked: `process` is configured in `init` and afterwards only asked about or signalled,
    // which Foundation's `Process` allows from any thread.
    let name: String
    let process = Process()
    let outputPath: String
    let errorPath: String
    /// Signalled when the process ends (its termination handler); waited on, then signalled
    /// again, so that every wait after the end returns at once.
    private let ended = DispatchSemaphore(value: 0)

    /// Starts `photodesk ARGUMENTS` with the test's environment plus `environment`.
    init(_ name: String, _ arguments: [String], environment: [String: String], folder: String) throws {
        self.name = name
        outputPath = folder + "/\(name).out"
        errorPath = folder + "/\(name).err"
        for path in [outputPath, errorPath] {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw Failure(description: "cannot create \(path)")
            }
        }
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        process.terminationHandler = { [ended] _ in ended.signal() }
        try process.run()
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Whether it ended by SIGKILL.
    var wasKilled: Bool {
        !process.isRunning && process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
    }

    /// The last lines of its standard error, for a failure message.
    var errorTail: String {
        "\(name) said: " + errors.split(separator: "\n").suffix(15).joined(separator: "\n")
    }

    /// The gallery's port, from the banner `Photodesk gallery: http://HOST:PORT/`.
    func galleryPort(within limit: Duration) async throws -> Int {
        try await Eventually.value(within: limit, "\(name) printing its banner") {
            guard let match = output.firstMatch(of: /Photodesk gallery: http:\/\/127\.0\.0\.1:(\d+)\//) else {
                if !isRunning { throw Failure(description: "\(name) ended before serving. \(errorTail)") }
                return nil
            }
            return Int(match.output.1)
        }
    }

    /// Whether the process ended within `seconds` (woken by its end, not by polling).
    func waitForEnd(seconds: TimeInterval) -> Bool {
        guard ended.wait(timeout: .now() + seconds) == .success else { return false }
        ended.signal()
        return true
    }

    /// Waits for the process to end on a thread of its own; throws when `seconds` pass first.
    func ended(within seconds: TimeInterval) async throws {
        let done = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.waitForEnd(seconds: seconds)) }
        }
        guard done else { throw Failure(description: "\(name) still runs after \(seconds) s. \(errorTail)") }
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL when it has not ended within 10 s; returns once it has ended.
    func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        if !waitForEnd(seconds: 10) { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Polling with a deadline, for state another process holds (an HTTP answer, a catalog row)
/// that sends no event a test can wait on.
enum Eventually {
    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    /// Asks `look` every `interval` until it gives a value; throws when `limit` passes first.
    static func value<T>(
        within limit: Duration, every interval: Duration = .milliseconds(50), _ what: String,
        _ look: () async throws -> T?
    ) async throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while true {
            if let value = try await look() { return value }
            guard clock.now < deadline else { throw Timeout(description: "gave up after \(limit) waiting for \(what)") }
            try await Task.sleep(for: interval)
        }
    }

    /// Waits until `condition` holds.
    static func holds(
        within limit: Duration, every interval: Duration = .milliseconds(50), _ what: String,
        _ condition: () async throws -> Bool
    ) async throws {
        _ = try await value(within: limit, every: interval, what) { try await condition() ? true : nil }
    }
}
