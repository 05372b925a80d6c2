import Foundation
import NIOCore
import ObjectStorage
import PhotoFactory
import Testing

/// The S3 client against a real S3 server (SeaweedFS on loopback, checking signatures).
@Suite("S3 client against SeaweedFS", .serialized, .timeLimit(.minutes(5)))
struct S3ClientTests {
    @Test("objects: put, head, get, ranges, pages of a list, multipart from a file, presigned URLs, delete")
    func objects() async throws {
        let server = try SeaweedServer()
        defer { server.stop() }
        let client = S3Client(
            location: server.location, credentials: SeaweedServer.credentials, timeout: .seconds(30),
            partSize: 5 << 20)
        do {
            try await client.createBucket()
            try await client.createBucket()  // a second time is fine
            let keys = [
                "originals/ảnh Hà Nội.jpg", "originals/b+c=d.jpg", "renditions/ab/ab12-thumb.webp",
                "renditions/ab/ab13-thumb.webp", "renditions/cd/cd01 large.jpg",
            ]
            for (index, key) in keys.enumerated() {
                try await client.put(key, ByteBuffer(string: "object \(index): \(key)"), contentType: "image/jpeg")
            }
            let head = try #require(try await client.head(keys[0]))
            #expect(head.size == Int64("object 0: \(keys[0])".utf8.count) && !head.etag.isEmpty)
            #expect(String(buffer: try await client.get(keys[0])) == "object 0: \(keys[0])")
            #expect(String(buffer: try await client.get(keys[1], range: 3..<9)) == "ect 1:")
            // Pages of two: every key once, in order, the prefix taken off.
            var listed: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let page = try await client.list(continuation: token, maxKeys: 2)
                listed += page.objects.map(\.key)
                token = page.next
                pages += 1
            } while token != nil
            #expect(listed == keys.sorted())
            #expect(pages == 3)
            #expect(try await client.listAll(prefix: "renditions/ab/").map(\.key) == [keys[2], keys[3]])
            // A file over the part size goes up in parts; the same bytes come back.
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            var bytes = Data(count: (12 << 20) + 12345)
            for index in stride(from: 0, to: bytes.count, by: 4096) {
                bytes[index] = UInt8(truncatingIfNeeded: index / 4096)
            }
            try bytes.write(to: URL(fileURLWithPath: file))
            try await client.upload(file: file, to: "originals/big.jpg")
            #expect(try await client.head("originals/big.jpg")?.size == Int64(bytes.count))
            let back = try await client.get("originals/big.jpg", limit: 64 << 20)
            #expect(Data(back.readableBytesView) == bytes)
            #expect(
                Data(try await client.get("originals/big.jpg", range: 8_388_600..<8_388_700).readableBytesView)
                    == bytes[8_388_600..<8_388_700])
            // A presigned URL reads without credentials; one whose time is over is refused.
            let url = client.presignedURL(keys[2], expires: 300)
            #expect(try Self.fetch(url) == (200, "object 2: \(keys[2])"))
            let stale = client.presignedURL(keys[2], expires: 60, at: Date().addingTimeInterval(-3600))
            #expect(try Self.fetch(stale).0 == 403)
            // Deleted: gone from head, get and the list; deleting again is fine.
            try await client.delete(keys[4])
            try await client.delete(keys[4])
            #expect(try await client.head(keys[4]) == nil)
            await #expect(throws: S3Error.self) { try await client.get(keys[4]) }
            do {
                _ = try await client.get(keys[4])
            } catch let error as S3Error {
                #expect(error.cause == .notFound)
                #expect(error.message.contains("s3://photos/library/renditions/cd/cd01 large.jpg"), "\(error.message)")
            }
            #expect(try await client.listAll().count == keys.count)  // four left, and big.jpg
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    @Test("refusals name the cause: wrong credentials, a missing bucket, an unreachable service")
    func refusals() async throws {
        let server = try SeaweedServer()
        defer { server.stop() }
        let good = S3Client(location: server.location, credentials: SeaweedServer.credentials)
        let wrong = S3Client(
            location: server.location,
            credentials: S3Credentials(accessKey: SeaweedServer.credentials.accessKey, secretKey: "not-the-secret"))
        var missing = server.location
        missing.bucket = "no-such-bucket"
        let noBucket = S3Client(location: missing, credentials: SeaweedServer.credentials)
        var closed = server.location
        closed.endpoint = "http://127.0.0.1:\(try SeaweedServer.freePorts(1)[0])"
        let unreachable = S3Client(
            location: closed, credentials: SeaweedServer.credentials, timeout: .seconds(5), attempts: 2)
        func failure(_ body: () async throws -> Void) async -> S3Error? {
            do {
                try await body()
                return nil
            } catch {
                return error as? S3Error
            }
        }
        try await good.createBucket()
        let denied = await failure { try await wrong.put("x.jpg", ByteBuffer(string: "x")) }
        #expect(denied?.cause == .denied && denied?.status == 403)
        #expect(
            denied?.message.contains("could not store s3://photos/library/x.jpg: 403") == true,
            "\(String(describing: denied))")
        #expect(denied?.message.contains("credentials were refused") == true)
        let absent = await failure { _ = try await noBucket.get("x.jpg") }
        #expect(absent?.cause == .notFound, "\(String(describing: absent))")
        let away = await failure { try await unreachable.put("x.jpg", ByteBuffer(string: "x")) }
        #expect(away?.cause == .unreachable)
        #expect(away?.message.contains("did not answer") == true, "\(String(describing: away))")
        #expect(try await good.head("x.jpg") == nil, "nothing was stored by the refused writes")
        for client in [good, wrong, noBucket, unreachable] { try await client.shutdown() }
    }

    @Test("the disk cache: a file per object, least recently used out past its size, one download per key")
    func diskCache() async throws {
        let server = try SeaweedServer()
        defer { server.stop() }
        let client = S3Client(location: server.location, credentials: SeaweedServer.credentials)
        try await client.createBucket()
        let piece = ByteBuffer(repeating: 7, count: 400 << 10)
        for key in ["a", "b", "c", "d"] { try await client.put("renditions/\(key).webp", piece) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cache = ObjectCache(client: client, folder: folder, maxBytes: 1 << 20)
        let a = try #require(try await cache.file(for: "renditions/a.webp"))
        #expect(a == folder + "/renditions/a.webp" && FileManager.default.contents(atPath: a)?.count == 400 << 10)
        _ = try await cache.file(for: "renditions/b.webp")
        _ = try await cache.file(for: "renditions/a.webp")  // a used again: b is now the oldest
        _ = try await cache.file(for: "renditions/c.webp")  // 1.2 MB: b goes
        #expect(await cache.fetched == 3)
        #expect(!FileManager.default.fileExists(atPath: folder + "/renditions/b.webp"))
        #expect(FileManager.default.fileExists(atPath: a))
        #expect(await cache.usage.bytes <= 1 << 20)
        _ = try await cache.file(for: "renditions/b.webp")
        #expect(await cache.fetched == 4)
        // Five at once for a key not yet here: one download.
        try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<5 { group.addTask { try await cache.file(for: "renditions/d.webp") } }
            for try await path in group { #expect(path == folder + "/renditions/d.webp") }
        }
        #expect(await cache.fetched == 5)
        #expect(try await cache.file(for: "renditions/none.webp") == nil, "no such object")
        // A new cache over the same folder finds what is there, without downloading it again.
        let reopened = ObjectCache(client: client, folder: folder, maxBytes: 1 << 20)
        #expect(try await reopened.file(for: "renditions/d.webp") != nil)
        #expect(await reopened.fetched == 0)
        try await client.shutdown()
    }

    /// Status and body of a plain GET (no credentials).
    static func fetch(_ url: String) throws -> (Int, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-w", "\n%{http_code}", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let status = Int(text.split(separator: "\n").last ?? "") ?? 0
        return (status, String(text.dropLast(String(status).count + 1)))
    }
}
