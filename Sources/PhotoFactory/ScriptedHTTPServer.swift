import Foundation

/// An HTTP server for the tests on a loopback port of its own that answers as a scripted service
/// does (a busy or full S3 bucket): each request gets the next of its answers, then the last one again.
/// One connection per request; it counts the requests.
public final class ScriptedHTTPServer: @unchecked Sendable {
    let socket: Int32
    public let port: Int
    let answers: [(Int, String)]
    private let lock = NSLock()
    private var served = 0

    public var requests: Int { lock.withLock { served } }

    public init(answers: [(Int, String)]) throws {
        self.answers = answers
        let listener = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        socket = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, $0, &length) == 0
            }
        }
        guard ok else { throw SeaweedServer.Failure(description: "no loopback socket") }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    func serve() {
        while true {
            let connection = accept(socket, nil, nil)
            guard connection >= 0 else { return }
            var request = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65536)
            // Headers, then the body its Content-Length announces.
            while true {
                let count = recv(connection, &buffer, buffer.count, 0)
                guard count > 0 else { break }
                request += buffer[0..<count]
                let text = String(decoding: request, as: UTF8.self)
                guard let end = text.range(of: "\r\n\r\n") else { continue }
                let length =
                    text[..<end.lowerBound].split(separator: "\r\n").first {
                        $0.lowercased().hasPrefix("content-length:")
                    }.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if request.count >= text[..<end.upperBound].utf8.count + length { break }
            }
            let index = lock.withLock {
                served += 1
                return served - 1
            }
            let (status, body) = answers[min(index, answers.count - 1)]
            let response =
                "HTTP/1.1 \(status) X\r\nContent-Length: \(body.utf8.count)\r\nETag: \"e\(index)\"\r\nConnection: close\r\n\r\n\(body)"
            _ = response.withCString { send(connection, $0, strlen($0), 0) }
            close(connection)
        }
    }

    public func stop() {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }
}
