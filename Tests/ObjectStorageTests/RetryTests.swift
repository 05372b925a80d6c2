import Foundation
import NIOCore
import ObjectStorage
import PhotoFactory
import Testing

/// Retries against a server of the test's own on loopback that answers as a busy S3 does.
@Suite("S3 client retries")
struct RetryTests {
    /// Answers each request with the next of `answers` (status and body), then with the last one,
    /// one connection per request; counts the requests.
    final class ScriptedServer: @unchecked Sendable {
        let socket: Int32
        let port: Int
        let answers: [(Int, String)]
        private let lock = NSLock()
        private var served = 0

        var requests: Int { lock.withLock { served } }

        init(answers: [(Int, String)]) throws {
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

        func stop() {
            shutdown(socket, Int32(SHUT_RDWR))
            close(socket)
        }
    }

    static let slowDown =
        "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"

    @Test("a busy service (503 SlowDown, 500) is asked again after a pause; a write goes through on the third try")
    func retriesThenSucceeds() async throws {
        let server = try ScriptedServer(answers: [(503, Self.slowDown), (500, ""), (200, "")])
        defer { server.stop() }
        let client = S3Client(
            location: S3Location(bucket: "photos", endpoint: "http://127.0.0.1:\(server.port)"),
            credentials: S3Credentials(accessKey: "AK", secretKey: "SK"), attempts: 4)
        let etag = try await client.put("a.jpg", ByteBuffer(string: "bytes"))
        #expect(etag == "\"e2\"")
        #expect(server.requests == 3)
        try await client.shutdown()
    }

    @Test("still busy after the retries: unavailable, with the service's words and the object's name")
    func givesUp() async throws {
        let server = try ScriptedServer(answers: [(503, Self.slowDown)])
        defer { server.stop() }
        let client = S3Client(
            location: S3Location(bucket: "photos", prefix: "lib", endpoint: "http://127.0.0.1:\(server.port)"),
            credentials: S3Credentials(accessKey: "AK", secretKey: "SK"), attempts: 3)
        do {
            try await client.put("a.jpg", ByteBuffer(string: "bytes"))
            Issue.record("a write to a service that stays busy went through")
        } catch let error as S3Error {
            #expect(error.cause == .unavailable)
            #expect(
                error.message
                    == "could not store s3://photos/lib/a.jpg: 503 SlowDown: Please reduce your request rate. (the service failed or was busy, after retries)"
            )
        }
        #expect(server.requests == 3)
        try await client.shutdown()
    }

    @Test("a full bucket (QuotaExceeded, 507) is not retried and says so")
    func full() async throws {
        let server = try ScriptedServer(answers: [
            (403, "<Error><Code>QuotaExceeded</Code><Message>Bucket quota exceeded</Message></Error>")
        ])
        defer { server.stop() }
        let client = S3Client(
            location: S3Location(bucket: "photos", endpoint: "http://127.0.0.1:\(server.port)"),
            credentials: S3Credentials(accessKey: "AK", secretKey: "SK"))
        do {
            try await client.put("a.jpg", ByteBuffer(string: "bytes"))
        } catch let error as S3Error {
            #expect(error.cause == .full)
            #expect(error.message.hasSuffix("403 QuotaExceeded: Bucket quota exceeded (the bucket is full)"))
        }
        #expect(server.requests == 1)
        try await client.shutdown()
    }
}
