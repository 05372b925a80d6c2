import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// HTTP/1.1 over a plain loopback socket, for requests URLSession will not send as given:
/// invalid UTF-8, NUL or malformed escapes in the target, 10 kB headers, a wrong
/// `Content-Length`, a request line no client would write. One connection per exchange
/// (`Connection: close`), read until the answer is complete by its own framing.
enum RawHTTPClient {
    /// What came back: the status, the header fields in order and the body.
    struct Answer: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        /// The first value of a header field, by case-insensitive name.
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends `request` and reads the answer; nil when the server closed the connection without
    /// answering. `hasBody` is false for HEAD, whose answer has no body whatever it says. The
    /// socket is waited on off Swift's cooperative threads, so that servers running in the test
    /// process (HummingbirdTesting's) keep their threads while this test waits.
    static func exchange(port: Int, _ request: [UInt8], hasBody: Bool = true) async throws -> Answer? {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingExchange(port: port, request, hasBody: hasBody) })
            }
        }
    }

    static func blockingExchange(port: Int, _ request: [UInt8], hasBody: Bool) throws -> Answer? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(socket) }
        // A guard against a server that never answers, not a measurement: a hang fails the test
        // instead of stopping the suite.
        var limit = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect to port \(port): errno \(errno)") }
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The server may answer (a 413, a 400) and close before it has read everything.
            if count <= 0 { break }
            sent += count
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            if let answer = parse(received, hasBody: hasBody, closed: false) { return answer }
            let count = recv(socket, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer[0..<count]
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw Failure(description: "no answer within 30 seconds")
            }
            break
        }
        return parse(received, hasBody: hasBody, closed: true)
    }

    /// The answer in `bytes` once it is complete (or the connection closed); nil before that,
    /// and when nothing that looks like an answer came.
    static func parse(_ bytes: [UInt8], hasBody: Bool, closed: Bool) -> Answer? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = firstIndex(of: separator, in: bytes) else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"), let status = Int(statusParts[1]) else {
            return nil
        }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
        var answer = Answer(status: status, headers: headers, body: [])
        let bodyStart = end + separator.count
        let body = Array(bytes[bodyStart...])
        if !hasBody || (100..<200).contains(status) || status == 204 || status == 304 { return answer }
        if let length = answer.header("Content-Length").flatMap({ Int($0) }) {
            guard body.count >= length || closed else { return nil }
            answer.body = Array(body.prefix(length))
            return answer
        }
        if answer.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            guard closed || body.suffix(5) == [48, 13, 10, 13, 10] else { return nil }
            answer.body = dechunk(body)
            return answer
        }
        guard closed else { return nil }
        answer.body = body
        return answer
    }

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle)
        {
            return start
        }
        return nil
    }

    /// A chunked body's data (RFC 9112, 7.1), as far as it is well formed.
    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var data: [UInt8] = []
        var index = 0
        while let lineEnd = firstIndex(of: [13, 10], in: Array(bytes[index...])).map({ $0 + index }) {
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0,
                lineEnd + 2 + size <= bytes.count
            else { break }
            data += bytes[(lineEnd + 2)..<(lineEnd + 2 + size)]
            index = lineEnd + 2 + size + 2
            guard index < bytes.count else { break }
        }
        return data
    }
}
