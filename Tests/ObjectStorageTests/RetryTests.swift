import Foundation
import NIOCore
import ObjectStorage
import PhotoFactory
import Testing

/// Retries against a server of the test's own on loopback that answers as a busy S3 does.
@Suite("S3 client retries")
struct RetryTests {
    static let slowDown =
        "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"

    @Test("a busy service (503 SlowDown, 500) is asked again after a pause; a write goes through on the third try")
    func retriesThenSucceeds() async throws {
        let server = try ScriptedHTTPServer(answers: [(503, Self.slowDown), (500, ""), (200, "")])
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
        let server = try ScriptedHTTPServer(answers: [(503, Self.slowDown)])
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
        let server = try ScriptedHTTPServer(answers: [
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
