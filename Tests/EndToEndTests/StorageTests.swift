import Foundation
import ObjectStorage
import PhotoFactory
import Testing

/// A library's files copied into a bucket (a real S3 server: SeaweedFS on loopback), then served
/// by a node whose folder holds no rendition: from the bucket through its disk cache, or by a
/// redirect to a presigned URL; readers' visibility decided first.
@Suite("Object storage: storage copy, then serving from the bucket", .serialized, .timeLimit(.minutes(5)))
struct StorageTests {
    @Test("storage copy fills the bucket and names it, resumes, and a node without the files serves from it")
    func copyThenServe() async throws {
        let server = try SeaweedServer()
        defer { server.stop() }
        let bucket = S3Client(location: server.location, credentials: SeaweedServer.credentials)
        try await bucket.createBucket()
        let work = try TemporaryFolder("storage")
        for index in 0..<3 {
            try SyntheticPhoto(width: 480, height: 320, seed: 40 + index).write(to: work.file("in/\(index).jpg"))
        }
        let library = work.path + "/library"
        let credentials = [
            "AWS_ACCESS_KEY_ID": SeaweedServer.credentials.accessKey,
            "AWS_SECRET_ACCESS_KEY": SeaweedServer.credentials.secretKey,
        ]
        #expect(try Binary.run(["ingest", "--library", library, work.path + "/in"]).status == 0)
        let list = try Binary.run(["list", "--library", library, "--json"])
        let ids = try #require(
            (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])?["photos"]
                as? [[String: Any]]
        ).compactMap { $0["id"] as? String }
        #expect(ids.count == 3)
        let (published, unpublished) = (ids[0], ids[1])
        #expect(try Binary.run(["publish", "--library", library, published]).status == 0)
        #expect(try Binary.run(["publish", "--library", library, ids[2]]).status == 0)
        let target = "s3://photos/library?endpoint=http://127.0.0.1:\(server.port)"

        // Without credentials: refused before anything is sent, with what to set.
        let bare = try Binary.run(
            ["storage", "copy", "--library", library, "--to", target],
            environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "PHOTODESK_S3_CREDENTIALS": ""])
        #expect(bare.status != 0 && bare.stderr.contains("no S3 credentials"), "\(bare.stderr)")
        // Wrong credentials: refused by the service, and said so.
        var wrong = credentials
        wrong["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        let refused = try Binary.run(["storage", "copy", "--library", library, "--to", target], environment: wrong)
        #expect(refused.status != 0 && refused.stderr.contains("credentials were refused"), "\(refused.stderr)")
        #expect(try Binary.run(["storage", "show", "--library", library]).stdout.contains("no object storage"))

        let copy = try Binary.run(
            ["storage", "copy", "--library", library, "--to", target, "--json"], environment: credentials)
        #expect(copy.status == 0, "\(copy.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(copy.stdout.utf8)) as? [String: Any])
        let renditions = try FileManager.default.subpathsOfDirectory(atPath: library + "/renditions").filter {
            $0.hasSuffix(".webp") || $0.hasSuffix(".jpg")
        }
        #expect(summary["files"] as? Int == renditions.count && summary["copied"] as? Int == renditions.count)
        #expect(summary["named"] as? Bool == true && summary["failed"] as? Int == 0)
        let objects = try await bucket.listAll(prefix: "renditions/")
        #expect(objects.count == renditions.count)
        // Keys carry the whole hash: none is the folder's short-id name.
        #expect(objects.allSatisfy { $0.key.split(separator: "/").last.map { $0.count > 64 } ?? false })
        let again = try Binary.run(
            ["storage", "copy", "--library", library, "--to", target, "--json"], environment: credentials)
        #expect(again.stdout.contains("\"alreadyThere\":\(renditions.count)") && again.stdout.contains("\"copied\":0"))
        #expect(try Binary.run(["storage", "show", "--library", library]).stdout.contains("s3://photos/library/"))

        // A node whose folder holds the catalog and nothing else.
        let node = work.path + "/node"
        try FileManager.default.createDirectory(atPath: node, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: library + "/catalog.sqlite", toPath: node + "/catalog.sqlite")
        let cache = work.path + "/cache"
        let gallery = try ServeProcess(
            library: node, arguments: ["--cache-dir", cache, "--cache-size", "16"], environment: credentials)
        defer { gallery.stop() }
        let original = try Data(
            contentsOf: URL(
                fileURLWithPath: library + "/renditions/"
                    + (renditions.first { $0.contains(published) && $0.contains("thumb") } ?? "")))
        let served = try await LiveHTTP.get(gallery.address + "r/\(published)/thumb.webp")
        #expect(served.status == 200 && served.body == original)
        #expect(served.header("Cache-Control") == "public, max-age=31536000, immutable")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: cache).contains { $0.hasSuffix("-thumb.webp") })
        // Private: 404 to readers, whatever the bucket holds.
        #expect(try await LiveHTTP.get(gallery.address + "r/\(unpublished)/thumb.webp").status == 404)
        // A second time: from the cache (the bucket's copy removed to show it).
        let thumbKey = try #require(
            objects.first { $0.key.contains("/" + published) && $0.key.hasSuffix("-thumb.webp") }?.key)
        try await bucket.delete(thumbKey)
        #expect(try await LiveHTTP.get(gallery.address + "r/\(published)/thumb.webp").body == original)
        gallery.stop()

        // Redirects: a presigned URL for a reader who may see the photo, 404 otherwise.
        let redirecting = try ServeProcess(
            library: node, arguments: ["--storage-redirect", "--cache-dir", cache], environment: credentials)
        defer { redirecting.stop() }
        let answer = try Self.curl(redirecting.address + "r/\(ids[2])/thumb.webp")
        #expect(answer.status == 307 && answer.location.contains("X-Amz-Signature="), "\(answer)")
        #expect(answer.location.contains("X-Amz-Expires=300"))
        let followed = try Self.curl(answer.location)
        #expect(followed.status == 200)
        #expect(try Self.curl(redirecting.address + "r/\(unpublished)/thumb.webp").status == 404)
        try await bucket.shutdown()
    }

    @Test(
        "a full bucket stops the ingest like a full disk: the first file says why, the rest are not tried, nothing recorded"
    )
    func fullBucket() throws {
        let bucket = try ScriptedHTTPServer(answers: [
            (403, "<Error><Code>QuotaExceeded</Code><Message>The bucket's quota is used up</Message></Error>")
        ])
        defer { bucket.stop() }
        let work = try TemporaryFolder("storage-full")
        for index in 0..<4 {
            try SyntheticPhoto(width: 160, height: 120, seed: 70 + index).write(to: work.file("in/\(index).jpg"))
        }
        let library = work.path + "/library"
        let run = try Binary.run(
            [
                "ingest", "--library", library, "--jobs", "1", "--json", "--storage",
                "s3://photos/desk?endpoint=http://127.0.0.1:\(bucket.port)", work.path + "/in",
            ], environment: ["AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK"])
        #expect(run.status == 1, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let failed = lines.filter { $0.contains("\"status\":\"failed\"") }
        #expect(failed.count == 4, "\(run.stdout)")
        #expect(
            failed.first?.contains(
                "could not store s3://photos/desk/renditions/") == true
                && failed.first?.contains("403 QuotaExceeded: The bucket's quota is used up (the bucket is full)")
                    == true,
            "\(failed.first ?? "")")
        #expect(failed.dropFirst().allSatisfy { $0.contains("not tried: the bucket is full") }, "\(failed)")
        #expect(bucket.requests == 1, "no file was started after the first refusal")
        let list = try Binary.run(["list", "--library", library, "--json"])
        let listing = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
        #expect(listing?["total"] as? Int == 0, "nothing was recorded: \(list.stdout)")
    }

    static func curl(_ url: String) throws -> (status: Int, location: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let parts = text.split(separator: " ", maxSplits: 1)
        return (Int(parts.first ?? "") ?? 0, parts.count > 1 ? String(parts[1]) : "")
    }
}
