import Foundation

/// The access log, written off the request path: a request appends its line to a buffer under a
/// lock and goes on; one writer thread writes whatever has gathered in one `write`, so logging
/// costs a request a few hundred nanoseconds however busy the server is. The writer is not woken
/// for each line (a wake-up per request cost a thread switch per request): it writes every
/// `flushInterval` (a tenth of a second), or as soon as `flushBytes` are waiting, as nginx's
/// `access_log ... buffer= flush=` does.
final class AccessLog: @unchecked Sendable {
    // @unchecked: `buffer` and `closed` are only touched with `condition` locked, and the file
    // descriptor is only written by the writer thread.
    private let condition = NSCondition()
    private var buffer: [UInt8] = []
    private var closed = false
    private var finished = false
    /// The writer waits for a first line (set and cleared with `condition` locked).
    private var idle = false
    private let descriptor: Int32
    /// Past this many bytes waiting, lines are dropped (and counted) rather than grow memory.
    let maxPending: Int
    private(set) var dropped = 0

    /// The longest a line waits before it is written, in seconds.
    let flushInterval: TimeInterval
    /// Past this many bytes waiting, the writer is woken at once.
    let flushBytes: Int

    /// A log writing to a file descriptor (standard error by default).
    init(
        descriptor: Int32 = STDERR_FILENO, maxPending: Int = 8 << 20, flushInterval: TimeInterval = 0.1,
        flushBytes: Int = 64 << 10
    ) {
        self.descriptor = descriptor
        self.maxPending = maxPending
        self.flushInterval = flushInterval
        self.flushBytes = flushBytes
        let thread = Thread { [weak self] in self?.run() }
        thread.name = "photodesk-access-log"
        thread.start()
    }

    /// Queues one line (a newline is added).
    func append(_ line: String) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        guard buffer.count < maxPending else {
            dropped += 1
            return
        }
        buffer.append(contentsOf: line.utf8)
        buffer.append(10)
        if idle || buffer.count >= flushBytes {
            idle = false
            condition.signal()
        }
    }

    private func run() {
        while true {
            condition.lock()
            // Idle until a line comes (the first line wakes the writer), then gathering for the
            // interval, woken early by a full buffer or by `close`.
            while buffer.isEmpty && !closed {
                idle = true
                condition.wait()
            }
            idle = false
            if !closed && buffer.count < flushBytes {
                _ = condition.wait(until: Date(timeIntervalSinceNow: flushInterval))
            }
            let pending = buffer
            buffer.removeAll(keepingCapacity: true)
            let done = closed && pending.isEmpty
            condition.unlock()
            if done { break }
            pending.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                    if written <= 0 {
                        if written < 0 && errno == EINTR { continue }
                        break
                    }
                    offset += written
                }
            }
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Writes what is queued and stops the writer (at shutdown).
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    /// One access-log line: time, then `key=value` pairs, values with spaces or quotes quoted.
    static func line(
        method: String, path: String, route: String, status: Int, seconds: Double, bytes: Int, user: String?,
        client: String, requestID: String
    ) -> String {
        return
            "\(HTTPDate.iso8601()) access method=\(method) path=\(quoted(path)) route=\(quoted(route)) status=\(status) ms=\(milliseconds(seconds)) bytes=\(bytes) user=\(quoted(user ?? "-")) client=\(client) request_id=\(requestID)"
    }

    /// Milliseconds to two decimals as `Double` writes them (`3.7`, `12.05`, `0.0`), made from
    /// integers: the log line is written for every request.
    static func milliseconds(_ seconds: Double) -> String {
        let scaled = seconds * 100_000
        guard scaled.isFinite, scaled >= 0, scaled < 1e15 else { return "\((seconds * 100_000).rounded() / 100)" }
        let hundredths = Int(scaled.rounded())
        let whole = hundredths / 100
        let fraction = hundredths % 100
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10)" }
        return fraction < 10 ? "\(whole).0\(fraction)" : "\(whole).\(fraction)"
    }

    /// A value safe on one log line: control characters escaped, quoted when it has spaces.
    static func quoted(_ value: String) -> String {
        // Most values (paths, routes, names) need nothing: printable ASCII without a space, a
        // quote or a backslash, and not too long, go out as they are.
        if value.utf8.count <= 2048,
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        {
            return value
        }
        var out = ""
        var needsQuotes = false
        for scalar in value.unicodeScalars.prefix(2048) {
            switch scalar {
            case "\"", "\\":
                out += "\\" + String(scalar)
                needsQuotes = true
            case " ":
                out.unicodeScalars.append(scalar)
                needsQuotes = true
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return needsQuotes ? "\"" + out + "\"" : out
    }
}
