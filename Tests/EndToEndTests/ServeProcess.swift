import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `photodesk serve` on a free port of the loopback, as a person starts it; stopped when the
/// value goes (or by `stop`).
final class ServeProcess {
    let process = Process()
    /// `http://127.0.0.1:PORT/`, from the banner.
    let address: String
    /// Its port.
    let port: Int
    var pid: Int32 { process.processIdentifier }

    init(library: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.arguments = ["serve", "--library", library, "--port", "0"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging([
            "PHOTODESK_HOME": Binary.root.path, "PHOTODESK_LOG": "warning",
        ]) { $1 }.merging(environment) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let banner = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard let match = banner.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\//), let port = Int(match.output.1) else {
            process.terminate()
            process.waitUntilExit()
            throw Failure(description: "photodesk serve printed no address: \(banner)")
        }
        address = String(match.output.0)
        self.port = port
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Stops the server (SIGTERM) and waits for it.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// An HTTP client with no cache and no cookies: every request reaches the server, and nothing
/// is remembered between requests (a reader is anonymous unless a header says otherwise).
enum LiveHTTP {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        /// A header's value, by its name in any case.
        func header(_ name: String) -> String? {
            headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration)
    }()

    /// GETs `url`, with `headers` (e.g. an editor's `Authorization`).
    static func get(_ url: String, headers: [String: String] = [:]) async throws -> Answer {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.cachePolicy = .reloadIgnoringLocalCacheData
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name] = value }
        }
        return Answer(status: http.statusCode, headers: fields, body: data)
    }

    /// The count of renditions the server answered from memory on its event loops (the fast
    /// path), from `/metrics`.
    static func renditionsFromMemory(_ address: String) async throws -> Int {
        let metrics = try await get(address + "metrics")
        let line = try #require(
            metrics.text.split(separator: "\n").first { $0.hasPrefix("photodesk_http_renditions_from_memory_total ") })
        return try #require(Int(line.split(separator: " ")[1]))
    }
}

extension Binary {
    /// Runs the binary and returns the moment it has exited (`waitpid`), with its status and
    /// standard error. Foundation's `waitUntilExit` looks every 50 ms, time in which a server's
    /// caches could catch up unseen; a request made after this one is made right after the
    /// command finished, as a script's would be.
    static func runPromptly(_ arguments: [String]) throws -> Run {
        let errors = NSTemporaryDirectory() + "photodesk-stderr-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: errors) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { environment.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environment)
        guard spawned == 0 else {
            throw ServeProcess.Failure(description: "cannot run \(path): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ServeProcess.Failure(description: "waitpid: \(errno)") }
        }
        let stderr = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        // WEXITSTATUS, or 128 + the signal that ended it.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + status & 0x7f
        return Run(status: code, stdout: "", stderr: stderr)
    }
}

/// One kept-alive HTTP/1.1 connection on the loopback, for GETs sent without a client library's
/// own delays: the request right after a command reaches the server right after it.
final class RawConnection {
    private let socket: Int32
    private let host: String
    private var pending: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
    }

    /// Connects to the server at `address` (`http://127.0.0.1:PORT/`).
    init(_ address: String) throws {
        guard let port = address.firstMatch(of: /:(\d+)\//).flatMap({ UInt16($0.output.1) }) else {
            throw ServeProcess.Failure(description: "no port in \(address)")
        }
        host = "127.0.0.1:\(port)"
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure("socket") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = in_port_t(port.bigEndian)
        target.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw Failure("connect to \(host)")
        }
    }

    deinit { close(socket) }

    /// GETs `path` and reads the whole answer; its status and headers (names in lower case).
    func get(_ path: String) throws -> (status: Int, headers: [String: String]) {
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count
        else { throw Failure("send") }
        while pending.firstRange(of: Array("\r\n\r\n".utf8)) == nil { try receive() }
        let end = try #require(pending.firstRange(of: Array("\r\n\r\n".utf8)))
        let lines = String(decoding: pending[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while pending.count < end.upperBound + length { try receive() }
        pending.removeFirst(end.upperBound + length)
        let status = lines.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, headers)
    }

    private func receive() throws {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let count = recv(socket, &buffer, buffer.count, 0)
        guard count > 0 else { throw Failure("the server closed the connection or did not answer") }
        pending += buffer[0..<count]
    }
}
