import Foundation
import PhotoFactory
import Testing

/// A plain HTTP/1.1 client over a socket, for a request body streamed from a file: the test
/// never holds the body in memory, and it knows how much it has sent at each moment.
enum StreamingPost {
    struct Answer {
        var status: Int
        var body: Data
    }

    /// POSTs the file at `path` to `127.0.0.1:port`; `sent` is called after each chunk with the
    /// bytes sent so far. Runs on its own thread (blocking socket calls).
    static func run(
        port: Int, target: String, headers: [String: String], file path: String, sent: @escaping @Sendable (Int) -> Void
    ) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    with: Result { try exchange(port: port, target: target, headers: headers, file: path, sent: sent) })
            }
            thread.start()
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
    }

    private static func exchange(
        port: Int, target: String, headers: [String: String], file path: String, sent: (Int) -> Void
    ) throws -> Answer {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Failure("open \(path)") }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { throw Failure("stat \(path)") }
        let connection = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard connection >= 0 else { throw Failure("socket") }
        defer { close(connection) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(connection, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure("connect to port \(port)") }
        var head = "POST \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(info.st_size)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        try writeAll(connection, Array(head.utf8))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        while true {
            let count = read(input, &chunk, chunk.count)
            guard count >= 0 else { throw Failure("read \(path)") }
            if count == 0 { break }
            try writeAll(connection, Array(chunk[0..<count]))
            total += count
            sent(total)
        }
        return try readAnswer(connection)
    }

    private static func writeAll(_ connection: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw Failure("send") }
            offset += written
        }
    }

    /// The status and the body (by its Content-Length) of the answer.
    private static func readAnswer(_ connection: Int32) throws -> Answer {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var bodyStart: Int?
        var length = 0
        while true {
            if bodyStart == nil, let end = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                bodyStart = end.upperBound
                let head = String(decoding: received[..<end.lowerBound], as: UTF8.self).lowercased()
                length =
                    head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }.flatMap {
                        Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
                    } ?? 0
            }
            if let start = bodyStart, received.count - start >= length { break }
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { throw Failure("the server closed the connection before answering in full") }
            received += buffer[0..<count]
        }
        let start = bodyStart ?? 0
        let statusLine = String(decoding: received.prefix { $0 != 13 }, as: UTF8.self)
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return Answer(status: status, body: Data(received[start..<start + length]))
    }
}

/// The resident memory of a process, from `/proc/PID/status`.
enum ResidentMemory {
    /// `VmRSS` in bytes, or nil when the process is gone.
    static func of(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(
                line.dropFirst("VmRSS:".count).trimmingCharacters(in: .whitespaces).split(separator: " ")[0])
        else { return nil }
        return kilobytes * 1024
    }
}

/// The highest of the samples taken, from any thread.
final class PeakSampler: @unchecked Sendable {
    // Safe: `peak` and `samples` are read and written only while holding `lock`.
    private let lock = NSLock()
    private var peak = 0
    private var samples = 0

    func note(_ value: Int?) {
        guard let value else { return }
        lock.withLock {
            peak = max(peak, value)
            samples += 1
        }
    }

    var highest: Int { lock.withLock { peak } }
    var count: Int { lock.withLock { samples } }
}

@Suite("Uploads to the live server", .serialized)
struct UploadMemoryTests {
    static let megabyte = 1 << 20

    @Test("a 300 MB upload is streamed to disk: the server's resident memory stays within 50 MB of its start")
    func largeUpload() async throws {
        let work = try TemporaryFolder("e2e-upload")
        let library = work.path + "/library"
        let added = try Binary.run(
            ["user", "add", "--library", library, "desk", "--role", "editor"], input: "correct horse battery\n")
        #expect(added.status == 0, "\(added.stderr)")
        let issued = try Binary.run(["user", "token", "--library", library, "desk"])
        let token = issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(issued.status == 0 && !token.isEmpty, "\(issued.stderr)")

        // A real JPEG, then zeros up to 300 MB: a sparse file, so the test holds none of it.
        let small = work.file("in/small.jpg")
        try SyntheticPhoto(width: 640, height: 480, seed: 5).write(to: small)
        let large = work.file("in/large.jpg")
        try SyntheticPhoto(width: 800, height: 600, seed: 6).write(to: large)
        let size = 300 * Self.megabyte
        #expect(truncate(large, off_t(size)) == 0)

        let server = Process()
        server.executableURL = URL(fileURLWithPath: Binary.path)
        server.arguments = ["serve", "--library", library, "--port", "0"]
        server.environment = ProcessInfo.processInfo.environment.merging([
            "PHOTODESK_HOME": Binary.root.path, "PHOTODESK_LOG": "warning",
        ]) { $1 }
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let banner = try #require(String(data: out.fileHandleForReading.availableData, encoding: .utf8))
        let match = try #require(banner.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\//))
        let port = try #require(Int(match.output.1))
        let pid = server.processIdentifier
        let started = try #require(ResidentMemory.of(pid))

        let headers = ["Authorization": "Bearer \(token)", "Content-Type": "application/octet-stream"]
        // A first, small upload: the ingest's code and libraries are loaded before the baseline.
        let warm = try await StreamingPost.run(
            port: port, target: "/api/v1/uploads?name=small.jpg", headers: headers, file: small, sent: { _ in })
        #expect(warm.status == 200, "\(String(decoding: warm.body, as: UTF8.self))")
        #expect(String(decoding: warm.body, as: UTF8.self).contains("\"status\":\"ingested\""))
        let baseline = try #require(ResidentMemory.of(pid))

        let sampler = PeakSampler()
        let answer = try await StreamingPost.run(
            port: port, target: "/api/v1/uploads?name=large.jpg", headers: headers, file: large,
            sent: { total in
                if total % (4 * Self.megabyte) == 0 { sampler.note(ResidentMemory.of(pid)) }
            })
        sampler.note(ResidentMemory.of(pid))
        let after = try #require(ResidentMemory.of(pid))
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(answer.status == 200, "\(text)")
        let decoded = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        let file = try #require((decoded["files"] as? [[String: Any]])?.first)
        #expect(file["name"] as? String == "large.jpg")
        // A photo with 300 MB of padding may be taken or refused by libvips; never for its size.
        let status = file["status"] as? String
        #expect(status == "ingested" || status == "failed", "\(text)")
        #expect(!((file["error"] as? String)?.contains("limit") ?? false), "\(text)")
        #expect(sampler.count >= 70, "sampled while the body arrived")

        let megabytes = { (bytes: Int) in String(format: "%.1f MB", Double(bytes) / Double(Self.megabyte)) }
        print(
            "300 MB upload: resident memory \(megabytes(started)) at start, \(megabytes(baseline)) after a first upload, peak \(megabytes(sampler.highest)) while uploading (\(sampler.count) samples), \(megabytes(after)) after; status \(status ?? "?")"
        )
        #expect(sampler.highest - baseline < 50 * Self.megabyte)
        #expect(sampler.highest - started < 50 * Self.megabyte)
    }
}
