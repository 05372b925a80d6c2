import Catalog
import Crypto
import Desk
import Foundation
import Gallery
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Imaging
import Ingest
import PhotoFactory
import Testing

/// The gallery's uploads ingested as `photodesk serve` does: by a real `Ingester`.
struct TestUploads: UploadIngesting {
    let desk: Desk
    let pipeline: Pipeline

    var maxBytes: Int { pipeline.limits.maxBytes }

    func ingest(paths: [String], uploader: String) async -> [UploadIngestOutcome] {
        var options = Ingester.Options()
        options.author = uploader
        do {
            return try await Ingester(desk: desk, pipeline: pipeline, options: options).results(for: paths).map {
                UploadIngestOutcome(
                    status: UploadIngestOutcome.Status(rawValue: $0.status.rawValue) ?? .failed, id: $0.id,
                    error: $0.error)
            }
        } catch {
            return paths.map { _ in UploadIngestOutcome(status: .failed, error: "\(error)") }
        }
    }
}

/// A gallery taking uploads, over the fixture's library, with an editor and their API token.
struct UploadFixture {
    let base: GalleryFixture
    let pipeline: Pipeline
    let token: String

    init(maxBytes: Int = 2 << 30) async throws {
        base = try await GalleryFixture(captions: ["Phiên chợ"])
        var limits = Pipeline.Limits()
        limits.maxBytes = maxBytes
        pipeline = Pipeline(
            name: "uploads",
            renditions: [RenditionSpec(name: "thumb", width: 160, height: 160, format: .webp, quality: 75)],
            limits: limits)
        try await base.addUser("lan", role: .editor)
        token = try await base.token(for: "lan")
    }

    func app(uploads: Bool = true) async throws -> some ApplicationProtocol {
        var configuration = GalleryServer.Configuration(assetsPath: GalleryFixture.assets)
        if uploads { configuration.uploads = TestUploads(desk: base.desk, pipeline: pipeline) }
        return try await GalleryServer(desk: base.desk, configuration: configuration, accessLog: false).application()
    }

    var originals: String { base.library.root + "/originals" }

    /// Every file under `originals/`, relative to it.
    func storedFiles() -> [String] {
        (FileManager.default.enumerator(atPath: originals)?.allObjects as? [String] ?? []).filter {
            var folder: ObjCBool = false
            return FileManager.default.fileExists(atPath: originals + "/" + $0, isDirectory: &folder)
                && !folder.boolValue
        }.sorted()
    }

    var bearer: HTTPFields { [.authorization: "Bearer \(token)"] }

    func multipartHeaders(_ body: MultipartBody) -> HTTPFields {
        bearer.merging([.contentType: body.contentType])
    }
}

/// The decoded answer of an upload.
struct UploadAnswer: Decodable {
    struct File: Decodable {
        var name: String
        var status: String
        var id: String?
        var error: String?
        var thumb: String?
    }
    var files: [File]

    init(_ response: TestResponse) throws {
        self = try JSONDecoder().decode(UploadAnswer.self, from: Data(buffer: response.body))
    }
}

func sha256(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

@Suite("Uploads: the API, the page and its plain form")
struct UploadRoutesTests {
    static func photo(seed: Int) throws -> [UInt8] {
        [UInt8](try SyntheticPhoto(width: 300 + seed, height: 200, seed: seed).encoded())
    }

    @Test("a multipart upload of several photos ingests each; the originals are kept by content")
    func multipartPhotos() async throws {
        let fixture = try await UploadFixture()
        let photos = try (21...23).map { try Self.photo(seed: $0) }
        var body = MultipartBody()
        for (index, photo) in photos.enumerated() { body.file("IMG_\(index).jpg", photo) }
        let sent = body
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/api/v1/uploads", method: .post, headers: fixture.multipartHeaders(sent),
                body: ByteBuffer(bytes: sent.closed)
            ) { response in
                #expect(response.status == .ok)
                let answer = try UploadAnswer(response)
                #expect(answer.files.map(\.name) == ["IMG_0.jpg", "IMG_1.jpg", "IMG_2.jpg"])
                #expect(answer.files.map(\.status) == ["ingested", "ingested", "ingested"])
                for (file, photo) in zip(answer.files, photos) {
                    let hash = sha256(photo)
                    #expect(file.id == String(hash.prefix(16)))
                    #expect(file.error == nil)
                    #expect(file.thumb == "/r/\(hash.prefix(16))/thumb.webp")
                    #expect(try await fixture.base.desk.photo(sha256: hash) != nil)
                }
            }
        }
        let expected = photos.map { "\(sha256($0).prefix(2))/\(sha256($0)).jpg" }.sorted()
        #expect(fixture.storedFiles() == expected, "the originals by content, and nothing else")
        let kept = try #require(FileManager.default.contents(atPath: fixture.originals + "/" + expected[0]))
        #expect(photos.contains([UInt8](kept)))
    }

    @Test("the same bytes again are a duplicate of the photo, in another request or in the same one")
    func duplicates() async throws {
        let fixture = try await UploadFixture()
        let photo = try Self.photo(seed: 31)
        let id = String(sha256(photo).prefix(16))
        try await fixture.app().test(.router) { client in
            for (round, expected) in [["ingested"], ["duplicate", "duplicate"]].enumerated() {
                var body = MultipartBody()
                for copy in expected.indices { body.file("round\(round)-\(copy).jpg", photo) }
                try await client.execute(
                    uri: "/api/v1/uploads", method: .post, headers: fixture.multipartHeaders(body),
                    body: ByteBuffer(bytes: body.closed)
                ) { response in
                    let answer = try UploadAnswer(response)
                    #expect(answer.files.map(\.status) == expected)
                    #expect(answer.files.allSatisfy { $0.id == id })
                }
            }
            // The raw body of a file the library has: a duplicate too.
            try await client.execute(
                uri: "/api/v1/uploads?name=again.jpg", method: .post,
                headers: fixture.bearer.merging([.contentType: "image/jpeg"]), body: ByteBuffer(bytes: photo)
            ) { response in
                let answer = try UploadAnswer(response)
                #expect(answer.files.map(\.status) == ["duplicate"])
            }
        }
        #expect(fixture.storedFiles().count == 1)
    }

    @Test("a file that is not a photo fails with the reason and is not kept; the others are ingested")
    func notAPhoto() async throws {
        let fixture = try await UploadFixture()
        var body = MultipartBody()
        body.file("notes.jpg", Array("These are an editor's notes, not a photo.\n".utf8), type: "text/plain")
        body.file("good.jpg", try Self.photo(seed: 41))
        let sent = body
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/api/v1/uploads", method: .post, headers: fixture.multipartHeaders(sent),
                body: ByteBuffer(bytes: sent.closed)
            ) { response in
                #expect(response.status == .ok, "a failed file is an outcome, not a request error")
                let answer = try UploadAnswer(response)
                #expect(answer.files.map(\.status) == ["failed", "ingested"])
                #expect(answer.files[0].error?.contains("not an image") == true, "\(answer.files[0].error ?? "")")
                #expect(answer.files[0].id == nil)
            }
        }
        #expect(fixture.storedFiles().count == 1, "only the photo is kept: \(fixture.storedFiles())")
        let folders = try FileManager.default.contentsOfDirectory(atPath: fixture.originals)
        #expect(folders.count == 1, "the refused file's folder is gone too: \(folders)")
    }

    @Test("a file over the pipeline's maxBytes is refused as it arrives and leaves nothing behind")
    func overTheCap() async throws {
        let fixture = try await UploadFixture(maxBytes: 60_000)
        let small = try Self.photo(seed: 51)
        #expect(small.count < 60_000)
        let large = (0..<120_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        var body = MultipartBody()
        body.file("large.jpg", large)
        body.file("small.jpg", small)
        let sent = body
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/api/v1/uploads", method: .post, headers: fixture.multipartHeaders(sent),
                body: ByteBuffer(bytes: sent.closed)
            ) { response in
                #expect(response.status == .ok)
                let answer = try UploadAnswer(response)
                #expect(answer.files.map(\.status) == ["failed", "ingested"])
                let reason = answer.files[0].error ?? ""
                #expect(reason.contains("over the 60000-byte limit") && reason.contains("limits.maxBytes"), "\(reason)")
            }
            // A raw body over the cap: 413, and nothing is read into the library.
            try await client.execute(
                uri: "/api/v1/uploads?name=large.jpg", method: .post,
                headers: fixture.bearer.merging([.contentType: "application/octet-stream"]),
                body: ByteBuffer(bytes: large)
            ) { response in
                #expect(response.status == .contentTooLarge)
                let error = String(buffer: response.body)
                #expect(error.contains("large.jpg") && error.contains("60000-byte limit"), "\(error)")
            }
        }
        #expect(fixture.storedFiles() == ["\(sha256(small).prefix(2))/\(sha256(small)).jpg"], "no partial file")
    }

    @Test("readers are 401, a session without its X-CSRF-Token 403; with it the upload is taken")
    func authorisation() async throws {
        let fixture = try await UploadFixture()
        let photo = try Self.photo(seed: 61)
        try await fixture.app().test(.router) { client in
            let raw: HTTPFields = [.contentType: "image/jpeg"]
            try await client.execute(
                uri: "/api/v1/uploads?name=a.jpg", method: .post, headers: raw, body: ByteBuffer(bytes: photo)
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            let browser = try await fixture.base.signIn(client, "lan")
            try await client.execute(
                uri: "/api/v1/uploads?name=a.jpg", method: .post, headers: raw.merging(browser.cookieHeader),
                body: ByteBuffer(bytes: photo)
            ) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("X-CSRF-Token"))
            }
            let csrf = try #require(browser.csrf)
            try await client.execute(
                uri: "/api/v1/uploads?name=a.jpg", method: .post,
                headers: raw.merging(browser.cookieHeader).merging([HTTPField.Name("X-CSRF-Token")!: csrf]),
                body: ByteBuffer(bytes: photo)
            ) { response in
                #expect(response.status == .ok)
                let answer = try UploadAnswer(response)
                #expect(answer.files.map(\.status) == ["ingested"])
            }
        }
        #expect(fixture.storedFiles().count == 1)
    }

    @Test("malformed bodies are 400 naming the problem, and nothing of them is kept")
    func malformed() async throws {
        let fixture = try await UploadFixture()
        let photo = try Self.photo(seed: 71)
        var body = MultipartBody()
        body.file("a.jpg", photo)
        body.file("b.jpg", try Self.photo(seed: 72))
        var many = MultipartBody()
        for index in 0..<2000 { many.file("\(index).jpg", [0xFF, 0xD8, 0xFF]) }
        let cases: [(String, HTTPFields, [UInt8], String)] = [
            ("no boundary", [.contentType: "multipart/form-data"], body.closed, "no boundary= parameter"),
            (
                "cut short", [.contentType: body.contentType], Array(body.closed.dropLast(body.closed.count / 3)),
                "cut short"
            ),
            ("2000 parts", [.contentType: many.contentType], many.closed, "more than 1000 parts"),
            ("no file", [.contentType: body.contentType], Array("--\(body.boundary)--\r\n".utf8), "no file"),
        ]
        try await fixture.app().test(.router) { client in
            for (label, headers, bytes, expected) in cases {
                try await client.execute(
                    uri: "/api/v1/uploads", method: .post, headers: fixture.bearer.merging(headers),
                    body: ByteBuffer(bytes: bytes)
                ) { response in
                    #expect(response.status == .badRequest, "\(label)")
                    let error = String(buffer: response.body)
                    #expect(error.contains(expected), "\(label): \(error)")
                }
            }
            // A raw body without ?name= is taken, under the name "upload".
            try await client.execute(
                uri: "/api/v1/uploads", method: .post, headers: fixture.bearer.merging([.contentType: "image/jpeg"]),
                body: ByteBuffer(bytes: photo)
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"name\":\"upload\""))
            }
            try await client.execute(
                uri: "/api/v1/uploads?name=a.txt", method: .post,
                headers: fixture.bearer.merging([.contentType: "text/plain"]),
                body: ByteBuffer(string: "hello")
            ) { response in
                #expect(response.status == .unsupportedMediaType)
            }
        }
        // Only the raw photo taken above is kept; nothing of the refused bodies.
        let stored = fixture.storedFiles()
        #expect(stored.count == 1 && stored.allSatisfy { $0.hasSuffix(".jpg") }, "\(stored)")
    }

    @Test("a server started without an ingest answers uploads 503, saying so")
    func unavailable() async throws {
        let fixture = try await UploadFixture()
        try await fixture.app(uploads: false).test(.router) { client in
            try await client.execute(
                uri: "/api/v1/uploads?name=a.jpg", method: .post,
                headers: fixture.bearer.merging([.contentType: "image/jpeg"]), body: ByteBuffer(bytes: [0xFF, 0xD8])
            ) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("takes no uploads"))
            }
        }
    }

    @Test("the upload page: readers are sent to sign in; editors get the pickers, the drop zone and the script")
    func page() async throws {
        let fixture = try await UploadFixture(maxBytes: 300 << 20)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/desk/upload", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location]?.hasPrefix("/login?next=") == true)
            }
            let browser = try await fixture.base.signIn(client, "lan")
            try await client.execute(uri: "/desk/upload", method: .get, headers: browser.cookieHeader) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("<a href=\"/desk/upload\">Upload</a>"), "in the navigation")
                #expect(
                    html.contains("enctype=\"multipart/form-data\" action=\"/desk/upload\"")
                        || html.contains("action=\"/desk/upload\" enctype=\"multipart/form-data\""))
                #expect(Browser.hidden("csrf", in: html) == browser.csrf)
                #expect(html.contains("type=\"file\" name=\"file\" multiple"))
                #expect(html.contains("webkitdirectory"))
                #expect(html.contains("id=\"drop-zone\""))
                #expect(html.contains("<script src=\"/static/upload.js\" defer></script>"))
                #expect(html.contains("up to 300 MB"))
                #expect(!html.contains("<script>"), "no inline script")
            }
            try await client.execute(uri: "/static/upload.js", method: .get) { response in
                #expect(response.status == .ok)
                let script = String(buffer: response.body)
                for needle in [
                    "webkitGetAsEntry", "upload.onprogress", "X-CSRF-Token", "/api/v1/uploads?name=", "#edit",
                ] {
                    #expect(script.contains(needle), "\(needle)")
                }
            }
        }
    }

    @Test("the page's plain form ingests the files and lists their outcomes; without its token it is 403")
    func plainForm() async throws {
        let fixture = try await UploadFixture()
        let photo = try Self.photo(seed: 81)
        let id = String(sha256(photo).prefix(16))
        try await fixture.app().test(.router) { client in
            let browser = try await fixture.base.signIn(client, "lan")
            var forged = MultipartBody()
            forged.field("csrf", "not-the-token")
            forged.file("a.jpg", photo)
            try await client.execute(
                uri: "/desk/upload", method: .post,
                headers: browser.cookieHeader.merging([.contentType: forged.contentType]),
                body: ByteBuffer(bytes: forged.closed)
            ) { response in
                #expect(response.status == .forbidden)
            }
            #expect(fixture.storedFiles().isEmpty)
            var body = MultipartBody()
            body.field("csrf", try #require(browser.csrf))
            body.file("Ảnh 1.jpg", photo)
            body.file("notes.jpg", Array("not a photo".utf8))
            body.file("", [], type: "application/octet-stream")
            try await client.execute(
                uri: "/desk/upload", method: .post,
                headers: browser.cookieHeader.merging([.contentType: body.contentType]),
                body: ByteBuffer(bytes: body.closed)
            ) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("2 files: 1 ingested, 1 failed"), "the empty file input is no file")
                #expect(html.contains("Ảnh 1.jpg"))
                #expect(html.contains("href=\"/photos/\(id)#edit\">Caption it</a>"))
                #expect(html.contains("src=\"/r/\(id)/thumb.webp\""))
                #expect(html.contains("not an image"))
            }
            try await client.execute(uri: "/photos/\(id)", method: .get, headers: browser.cookieHeader) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("id=\"edit\""))
            }
        }
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/photos/\(id)", method: .get) { response in
                #expect(response.status == .notFound, "a new upload is private until published")
            }
        }
    }
}
