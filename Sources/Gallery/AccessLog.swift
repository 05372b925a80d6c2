import Foundation

/// The access log, written off the request path: a request appends its line to a buffer under a
/// lock and goes on; one writer thread writes whatever has gathered in one `write`, so logging
/// costs a request a few hundred nanoseconds however busy the server is.
final class AccessLog: @unchecked Sendable {
    // @unchecked: `buffer` and `closed` are only touched with `condition` locked, and the file
    // descriptor is only written by the writer thread.
    private let condition = NSCondition()
    private var buffer: [UInt8] = []
    private var closed = false
    private var finished = false
    private let descriptor: Int32
    /// Past this many bytes waiting, lines are dropped (and counted) rather than grow memory.
    let maxPending: Int
    private(set) var dropped = 0

    /// A log writing to a file descriptor (standard error by default).
    init(descriptor: Int32 = STDERR_FILENO, maxPending: Int = 8 << 20) {
        self.descriptor = descriptor
        self.maxPending = maxPending
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
        condition.signal()
    }

    private func run() {
        while true {
            condition.lock()
            while buffer.isEmpty && !closed { condition.wait() }
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
        let milliseconds = (seconds * 100_000).rounded() / 100
        return
            "\(HTTPDate.iso8601()) access method=\(method) path=\(quoted(path)) route=\(quoted(route)) status=\(status) ms=\(milliseconds) bytes=\(bytes) user=\(quoted(user ?? "-")) client=\(client) request_id=\(requestID)"
    }

    /// A value safe on one log line: control characters escaped, quoted when it has spaces.
    static func quoted(_ value: String) -> String {
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
