import Foundation
import PhotoModel

/// Runs commands as child processes and measures them with wait4: wall time, CPU time (user +
/// system) and peak resident memory.
enum ProcessRunner {
    struct Measure {
        var seconds: Double
        var cpuSeconds: Double
        /// The largest resident set of any one process, in megabytes.
        var peakMB: Double
    }

    /// This process's resident memory now, in megabytes: all of it (VmRSS), or only its
    /// anonymous memory (RssAnon: the heap, without the pages of files it maps, such as a
    /// catalog read through SQLite's memory map). The heap's free pages go back to the system
    /// first (malloc_trim), so what a load freed again is not counted.
    static func residentMegabytes(anonymousOnly: Bool = false) -> Double {
        _ = releaseFreeHeap(0)
        let key = anonymousOnly ? "RssAnon:" : "VmRSS:"
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return 0 }
        return kilobytes / 1024
    }

    /// A command that could not be run or failed.
    struct Failure: PhotodeskError {
        var message: String
        var kind: ErrorKind { .internal }

        init(description: String) {
            message = description
        }
    }

    /// Starts a process with its output sent to the file `output` (default /dev/null), or to the
    /// pipe `pipe` (its write end becomes the output, its read end is closed in the child).
    static func spawn(
        _ arguments: [String], output: String = "/dev/null", errors: String = "/dev/null", pipe: [Int32]? = nil,
        environment: [String: String] = [:]
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let pipe {
            posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
            posix_spawn_file_actions_addclose(&actions, pipe[0])
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard result == 0 else {
            throw Failure(description: "cannot start \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Runs commands, `parallel` at a time, and measures the whole batch.
    ///
    /// Peak memory comes from GNU time wrapped around each command: Linux reports a spawned
    /// child's `ru_maxrss` as at least the parent's own peak (the address space it was spawned
    /// from), so the benchmark's own memory would hide the commands'. `time` is small.
    static func run(_ commands: [[String]], parallel: Int = 1, environment: [String: String] = [:]) throws -> Measure {
        let started = Date()
        var pending = commands[...]
        var running = Set<pid_t>()
        var reports: [pid_t: String] = [:]
        var cpu = 0.0
        var peak = 0.0
        while !pending.isEmpty || !running.isEmpty {
            while running.count < parallel, let next = pending.popFirst() {
                let report = NSTemporaryDirectory() + "bench-time-\(UUID().uuidString)"
                let pid = try spawn(["/usr/bin/time", "-f", "%M", "-o", report] + next, environment: environment)
                running.insert(pid)
                reports[pid] = report
            }
            var status: Int32 = 0
            var usage = rusage()
            let pid = wait4(-1, &status, 0, &usage)
            guard pid > 0 else { throw Failure(description: "wait4 failed: \(String(cString: strerror(errno)))") }
            running.remove(pid)
            cpu +=
                Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
                + Double(usage.ru_stime.tv_usec) / 1e6
            if let report = reports.removeValue(forKey: pid) {
                let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
                try? FileManager.default.removeItem(atPath: report)
                let kilobytes = text.split(separator: "\n").last.flatMap {
                    Double($0.trimmingCharacters(in: .whitespaces))
                }
                peak = max(peak, (kilobytes ?? 0) / 1024)
            }
            // Every input is valid: any failure (a peer refusing a file included) spoils the figure.
            if status != 0 {
                throw Failure(description: "\(commands.first?.first ?? "?") failed (wait status \(status))")
            }
        }
        return Measure(seconds: Date().timeIntervalSince(started), cpuSeconds: cpu, peakMB: peak)
    }

    /// Peak resident memory of a running ingest, read as it reports files (`--json`, one line
    /// per file): after `early` files and after the last, in megabytes, with its wall time.
    struct Growth {
        var earlyMB: Double
        var finalMB: Double
        var files: Int
        var seconds: Double
    }

    static func memoryGrowth(_ arguments: [String], early: Int) throws -> Growth {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw Failure(description: "pipe failed") }
        let started = Date()
        let spawned = Result { try spawn(arguments, pipe: pipe) }
        close(pipe[1])
        let pid: pid_t
        do { pid = try spawned.get() } catch {
            close(pipe[0])
            throw error
        }
        // VmHWM is the process's own peak (exec starts it afresh), read while it runs.
        func peakMB() -> Double? {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
            else { return nil }
            return kilobytes / 1024
        }
        var files = 0
        var earlyMB = 0.0
        var finalMB = 0.0
        var pending = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(pipe[0], &buffer, buffer.count)
            if count <= 0 { break }
            pending += buffer[0..<count]
            while let newline = pending.firstIndex(of: 10) {
                // A file's line has its path; the closing summary line does not.
                if String(decoding: pending[..<newline], as: UTF8.self).contains("\"path\":") { files += 1 }
                pending.removeSubrange(...newline)
                if let peak = peakMB() {
                    finalMB = max(finalMB, peak)
                    if files <= early { earlyMB = peak }
                }
            }
        }
        close(pipe[0])
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else { throw Failure(description: "\(arguments[0]) failed (wait status \(status))") }
        return Growth(earlyMB: earlyMB, finalMB: finalMB, files: files, seconds: Date().timeIntervalSince(started))
    }

    /// Runs one command and returns its standard output.
    static func output(_ arguments: [String]) throws -> String {
        let file = NSTemporaryDirectory() + "bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let pid = try spawn(arguments, output: file)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }
}

/// A server started for the benchmark, stopped when done.
final class Server {
    let pid: pid_t

    /// Starts it with its standard output in `log` (and its standard error in `errors`).
    init(_ arguments: [String], environment: [String: String] = [:], log: String, errors: String = "/dev/null") throws {
        pid = try ProcessRunner.spawn(arguments, output: log, errors: errors, environment: environment)
    }

    /// Waits until the URL answers.
    static func waitUntilUp(_ url: String) throws {
        for _ in 0..<200 {
            if (try? ProcessRunner.output(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url])) == "200" {
                return
            }
            usleep(100_000)
        }
        throw ProcessRunner.Failure(description: "\(url) did not come up")
    }

    /// Whether it was stopped already.
    private var stopped = false

    /// Stops it and waits for it to end (once: a second call does nothing).
    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}

/// glibc's malloc_trim (declared in malloc.h, which the Glibc module leaves out).
@_silgen_name("malloc_trim")
private func releaseFreeHeap(_ pad: Int) -> Int32
