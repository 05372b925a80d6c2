import Foundation

/// A plain HTTP/1.1 client for the servers a test starts on loopback: one request per
/// connection, nothing done behind the caller's back (redirects are answers, cookies are headers
/// the caller sends), so a test can carry a session from one node to another as a browser would.
enum LoopbackHTTP {
    /// A server's answer.
    struct Answer: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        /// The first header of that name (any case).
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        /// The value a `Set-Cookie` header of the answer gives the cookie `name`.
        func cookie(_ name: String) -> String? {
            for (header, value) in headers where header.lowercased() == "set-cookie" {
                let pair = value.split(separator: ";", maxSplits: 1).first ?? ""
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name { return String(parts[1]) }
            }
            return nil
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends one request to `127.0.0.1:port` and reads the whole answer. Runs on its own thread
    /// (blocking socket calls); gives up after `timeout` seconds without progress. With
    /// `keepAlive` the request does not ask the server to close (a server may answer such a
    /// request differently, from a faster path); the answer then ends at its `Content-Length`.
    static func send(
        _ method: String = "GET", port: Int, _ target: String, headers: [String: String] = [:], body: Data = Data(),
        keepAlive: Bool = false, timeout: Int = 30
    ) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    with: Result {
                        try exchange(
                            method, port: port, target: target, headers: headers, body: body, keepAlive: keepAlive,
                            timeout: timeout)
                    })
            }
            thread.start()
        }
    }

    /// A form body, `application/x-www-form-urlencoded`.
    static func form(_ fields: [(String, String)]) -> Data {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let text = fields.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
        return Data(text.utf8)
    }

    private static func exchange(
        _ method: String, port: Int, target: String, headers: [String: String], body: Data, keepAlive: Bool,
        timeout: Int
    ) throws -> Answer {
        let connection = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard connection >= 0 else { throw failure("socket") }
        defer { close(connection) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(connection, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw failure("connect to 127.0.0.1:\(port)") }
        var head =
            "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n" + (keepAlive ? "" : "Connection: close\r\n")
        if !body.isEmpty || ["POST", "PATCH", "PUT"].contains(method) { head += "Content-Length: \(body.count)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        try writeAll(connection, Array(head.utf8) + Array(body))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = read(connection, &buffer, buffer.count)
            if count == 0 { break }
            guard count > 0 else { throw failure("read from 127.0.0.1:\(port)\(target)") }
            received.append(contentsOf: buffer[0..<count])
            if keepAlive, let length = completeLength(received), received.count >= length { break }
        }
        return try parse(received, what: "\(method) \(target)")
    }

    /// The bytes a whole answer takes, once its head has arrived and says its body's length (or
    /// its last chunk has arrived).
    private static func completeLength(_ bytes: [UInt8]) -> Int? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
        if head.contains("transfer-encoding: chunked") {
            return bytes.suffix(5).elementsEqual(Array("0\r\n\r\n".utf8)) ? bytes.count : nil
        }
        guard let line = head.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return nil }
        return end + separator.count + length
    }

    private static func writeAll(_ connection: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            guard count > 0 else { throw failure("write") }
            offset += count
        }
    }

    private static func parse(_ bytes: [UInt8], what: String) throws -> Answer {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw Failure(description: "\(what): no complete answer (\(bytes.count) bytes)")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(description: "\(what): not an HTTP status line: \(lines[0])")
        }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(bytes[(end + separator.count)...])
        let chunked = headers.contains {
            $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased().contains("chunked")
        }
        if chunked { body = try dechunk(body, what: what) }
        return Answer(status: status, headers: headers, body: Data(body))
    }

    /// A chunked body's bytes (RFC 9112 section 7.1), trailers dropped.
    private static func dechunk(_ bytes: [UInt8], what: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
                let size = Int(
                    String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "",
                    radix: 16)
            else { throw Failure(description: "\(what): a malformed chunked body") }
            if size == 0 { break }
            let start = lineEnd + 2
            guard start + size <= bytes.count else { throw Failure(description: "\(what): a chunk cut short") }
            out.append(contentsOf: bytes[start..<start + size])
            index = start + size + 2
        }
        return out
    }

    private static func failure(_ what: String) -> Failure {
        Failure(description: "\(what): \(String(cString: strerror(errno)))")
    }
}
