import Catalog
import CatalogSQLite
import Desk
import Foundation
import Gallery
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Imaging
import Ingest
import Metadata
import PhotoFactory
import PhotoModel
import Testing

/// A library with a few ingested photos, and a gallery over it. The photos are published on
/// their own unless `published` is false (readers see only published photos).
struct GalleryFixture {
    let work: TemporaryFolder
    let library: Library
    /// The catalog the desk holds, for what a test checks below the desk.
    let catalog: SQLiteCatalog
    let desk: Desk
    let ids: [String]

    static let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Assets").path

    init(captions: [String?] = ["Phiên chợ Đồng Văn", "<script>alert(1)</script>", nil], published: Bool = true)
        async throws
    {
        work = try TemporaryFolder("gallery")
        library = Library(path: work.path + "/library")
        catalog = try SQLiteCatalog(library: library)
        desk = Desk(store: catalog, library: library)
        for (index, caption) in captions.enumerated() {
            // The first is a portrait taken with the camera turned: stored landscape, orientation 6.
            var photo = SyntheticPhoto(
                width: index == 0 ? 400 : 600, height: index == 0 ? 600 : 400, orientation: index == 0 ? 6 : 1,
                seed: index + 1)
            if let caption {
                var iptc = IPTCValues()
                iptc.caption = caption
                iptc.byline = ["Nguyễn Văn An"]
                photo.iptc = iptc
            }
            try photo.write(to: work.file("photos/\(index).jpg"))
        }
        let pipeline = Pipeline(
            name: "test",
            renditions: [
                RenditionSpec(name: "thumb", width: 160, height: 160, format: .webp, quality: 75),
                RenditionSpec(name: "large", width: 480, height: 480, format: .jpeg, quality: 80),
            ])
        _ = try await Ingester(desk: desk, pipeline: pipeline).run([work.path + "/photos"]) { _ in }
        let photos = try await desk.photos(limit: 10, after: nil, audience: .editors).photos
        ids = photos.map(\.shortId)
        if published {
            for photo in photos { try await desk.setPublished(photo.sha256, true) }
        }
    }

    /// Loopback addresses, as trusted proxies (for live tests of `X-Forwarded-Proto`).
    static let loopback = ["127.0.0.1", "::1"]

    func app(trustedProxies: [String] = []) async throws -> some ApplicationProtocol {
        try await server(trustedProxies: trustedProxies).application()
    }

    func server(trustedProxies: [String] = []) throws -> GalleryServer {
        GalleryServer(
            desk: desk,
            configuration: .init(assetsPath: Self.assets, trustedProxies: try TrustedProxies(trustedProxies)),
            accessLog: false)
    }

    /// The short id of the photo with this caption.
    func id(caption: String?) async throws -> String {
        try #require(
            try await desk.photos(limit: 10, after: nil, audience: .editors).photos.first {
                $0.caption.caption == caption
            }?.shortId)
    }

    /// The full hash of a photo.
    func sha256(_ id: String) async throws -> String {
        try await desk.photo(id).sha256
    }
}

@Suite("Gallery routes")
struct GalleryRoutesTests {
    @Test("the photo list shows every photo with its thumbnail")
    func list() async throws {
        let fixture = try await GalleryFixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let html = String(buffer: response.body)
                for id in fixture.ids {
                    #expect(html.contains("href=\"/photos/\(id)\""))
                    #expect(html.contains("src=\"/r/\(id)/thumb.webp\""))
                }
                #expect(html.contains("Phiên chợ Đồng Văn"))
            }
        }
    }

    @Test("the home page and /photos count up to 10,000 photos, then say 10,000+ (a count that stops)")
    func countThatStops() async throws {
        let fixture = try await GalleryFixture()  // three published photos
        let published = Date(timeIntervalSince1970: 1_600_000_000)
        func records(_ range: Range<Int>) -> [IngestRecord] {
            range.map { index in
                let sha = String(format: "%016x", index + 1) + String(repeating: "c", count: 48)
                return IngestRecord(
                    photo: Photo(
                        sha256: sha, format: "jpeg", bytes: 1, width: 1, height: 1,
                        createdAt: published.addingTimeInterval(Double(index)), publishedAt: published),
                    location: FileLocation(path: "/photos/\(index).jpg", sha256: sha, size: 1, modifiedAt: 1, inode: 1),
                    caption: Caption(sha256: sha, fields: CaptionFields(), revision: 0), revisions: [], searchText: "",
                    renditions: [])
            }
        }
        try await fixture.catalog.record(records(0..<(PhotoCount.shown - 3)))
        let app = try await fixture.app()
        func counts() async throws -> [String] {
            var found: [String] = []
            for uri in ["/", "/photos"] {
                let count = try await app.test(.router) { client in
                    try await client.execute(uri: uri, method: .get) { response -> String? in
                        #expect(response.status == .ok)
                        let html = String(buffer: response.body)
                        guard let start = html.range(of: "<span class=\"count\">"),
                            let end = html[start.upperBound...].range(of: "</span>")
                        else { return nil }
                        return String(html[start.upperBound..<end.lowerBound])
                    }
                }
                found.append(count ?? "no count")
            }
            return found
        }
        #expect(try await counts() == ["10000", "10000"])
        try await fixture.catalog.record(records((PhotoCount.shown - 3)..<(PhotoCount.shown - 2)))
        #expect(try await counts() == ["10,000+", "10,000+"])
        #expect(try await fixture.desk.photoCount(audience: .editors) == PhotoCount.shown + 1, "the exact count stays")
    }

    @Test("a caption with markup shows as text, never as script")
    func escaping() async throws {
        let fixture = try await GalleryFixture()
        let id = try await fixture.id(caption: "<script>alert(1)</script>")
        try await fixture.app().test(.router) { client in
            for uri in ["/", "/photos/\(id)"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let html = String(buffer: response.body)
                    #expect(!html.contains("<script>alert(1)</script>"))
                    #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
                }
            }
        }
    }

    @Test("a photo page shows the large rendition, caption, byline and facts")
    func photoPage() async throws {
        let fixture = try await GalleryFixture()
        let id = try await fixture.id(caption: "Phiên chợ Đồng Văn")
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/photos/\(id)", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("src=\"/r/\(id)/large.jpg\""))
                #expect(html.contains("alt=\"Phiên chợ Đồng Văn\""))
                #expect(html.contains("Nguyễn Văn An"))
                #expect(html.contains("400 × 600 pixels"), "orientation 6: shown portrait")
                // schema.org ImageObject for the photo.
                let start = try #require(html.range(of: "<script type=\"application/ld+json\">"))
                let end = try #require(html[start.upperBound...].range(of: "</script>"))
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(html[start.upperBound..<end.lowerBound].utf8))
                        as? [String: Any])
                #expect(object["@type"] as? String == "ImageObject")
                #expect(object["caption"] as? String == "Phiên chợ Đồng Văn")
                #expect((object["creator"] as? [String: Any])?["name"] as? String == "Nguyễn Văn An")
                #expect((object["contentUrl"] as? String)?.hasSuffix("/r/\(id)/large.jpg") == true)
            }
            try await client.execute(uri: "/photos/0000000000000000", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("renditions: content type, strong ETag, immutable caching, 304, HEAD")
    func renditionHeaders() async throws {
        let fixture = try await GalleryFixture()
        let id = fixture.ids[0]
        try await fixture.app().test(.router) { client in
            let etag = try await client.execute(uri: "/r/\(id)/thumb.webp", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/webp")
                #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
                let image = try VipsImage.decode(Data(buffer: response.body))
                #expect(max(image.width, image.height) == 160)
                let tag = try #require(response.headers[.eTag])
                #expect(tag.hasPrefix("\"") && !tag.hasPrefix("W/"))
                return tag
            }
            try await client.execute(uri: "/r/\(id)/thumb.webp", method: .get, headers: [.ifNoneMatch: etag]) {
                response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/r/\(id)/thumb.webp", method: .head) { response in
                #expect(response.status == .ok)
                #expect(Int(response.headers[.contentLength] ?? "") ?? 0 > 0)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test(
        "live server: a rendition in memory is answered by the fast path with the router's headers, counted and in order"
    )
    func renditionFastPath() async throws {
        let fixture = try await GalleryFixture(captions: ["x"])
        let id = fixture.ids[0]
        try await fixture.app().test(.live) { client in
            // The first request reads the file through the catalog; the second is served from memory.
            var answers: [(HTTPFields, Data)] = []
            for _ in 0..<2 {
                try await client.execute(uri: "/r/\(id)/thumb.webp", method: .get) { response in
                    #expect(response.status == .ok)
                    answers.append((response.headers, Data(buffer: response.body)))
                }
            }
            #expect(answers[0].1 == answers[1].1)
            for field in [
                HTTPField.Name.contentType, .eTag, .cacheControl, .contentLength, .contentSecurityPolicy,
                .xContentTypeOptions, HTTPField.Name("Referrer-Policy")!, HTTPField.Name("X-Frame-Options")!, .server,
            ] {
                #expect(answers[1].0[field] == answers[0].0[field], "\(field)")
            }
            #expect(answers[1].0[.date]?.hasSuffix(" GMT") == true)
            try await client.execute(uri: "/r/\(id)/thumb.webp", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentLength] == String(answers[0].1.count))
                #expect(response.body.readableBytes == 0)
            }
            // What the bytes in memory cannot answer goes to the router.
            let etag = try #require(answers[0].0[.eTag])
            try await client.execute(uri: "/r/\(id)/thumb.webp", method: .get, headers: [.ifNoneMatch: etag]) {
                #expect($0.status == .notModified)
            }
            try await client.execute(uri: "/r/\(id)/thumb.webp", method: .get, headers: [.range: "bytes=0-3"]) {
                #expect($0.status == .partialContent)
                #expect(Data(buffer: $0.body) == answers[0].1.prefix(4))
            }
            try await client.execute(uri: "/r/\(id)/thumb.webp?x=1", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/r/\(id)/nothing.webp", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(
                    text.contains(
                        "photodesk_http_requests_total{method=\"GET\",route=\"/r/{id}/{file}\",status=\"200\"} 3"))
                #expect(
                    text.contains(
                        "photodesk_http_requests_total{method=\"HEAD\",route=\"/r/{id}/{file}\",status=\"200\"} 1"))
                // The second GET and the HEAD came from memory; the first, the 304, the 206, the
                // query and the 404 went through the router.
                #expect(text.contains("photodesk_http_renditions_from_memory_total 2"))
            }
            // A rendition replaced on disk is read again, not served stale from memory.
            let sha = try await fixture.sha256(id)
            let path = fixture.library.absolute(
                try #require(try await fixture.desk.renditions(of: sha).first { $0.preset == "thumb" }).path)
            let replacement = Data(answers[0].1.reversed())
            try FileManager.default.removeItem(atPath: path)
            try replacement.write(to: URL(fileURLWithPath: path))
            try await client.execute(uri: "/r/\(id)/thumb.webp", method: .get) { response in
                #expect(Data(buffer: response.body) == replacement)
            }

            // Pipelined on one connection: a request the router answers, then two from memory.
            // The answers come back in the order asked.
            let port = try #require(client.port)
            let request = { (path: String) in "GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n" }
            let raw = try RawHTTP.exchange(
                port: port,
                request("/healthz") + request("/r/\(id)/thumb.webp") + request("/r/\(id)/large.jpg"),
                responses: 3)
            let text = String(decoding: raw, as: UTF8.self)
            let health = try #require(text.range(of: "\r\n\r\nok\n"))
            let thumb = try #require(text.range(of: "image/webp"))
            let large = try #require(text.range(of: "image/jpeg"))
            #expect(health.lowerBound < thumb.lowerBound && thumb.lowerBound < large.lowerBound)
        }
    }

    @Test("byte ranges: 206 with Content-Range, 416 when out of range")
    func ranges() async throws {
        let fixture = try await GalleryFixture()
        let id = fixture.ids[0]
        try await fixture.app().test(.router) { client in
            let full = try await client.execute(uri: "/r/\(id)/large.jpg", method: .get) { Data(buffer: $0.body) }
            try await client.execute(uri: "/r/\(id)/large.jpg", method: .get, headers: [.range: "bytes=10-19"]) {
                response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "bytes 10-19/\(full.count)")
                #expect(Data(buffer: response.body) == full[10..<20])
            }
            try await client.execute(uri: "/r/\(id)/large.jpg", method: .get, headers: [.range: "bytes=-4"]) {
                response in
                #expect(Data(buffer: response.body) == full.suffix(4))
            }
            try await client.execute(uri: "/r/\(id)/large.jpg", method: .get, headers: [.range: "bytes=\(full.count)-"])
            { response in
                #expect(response.status == .rangeNotSatisfiable)
            }
        }
    }

    @Test(
        "path traversal and unknown ids are 404",
        arguments: [
            "/r/../catalog.sqlite", "/r/%2e%2e%2fcatalog.sqlite/thumb.webp", "/r/..%2f..%2fcatalog.sqlite/x.jpg",
            "/r/0000000000000000/thumb.webp", "/r/ID/thumb.png", "/r/ID/nothing.webp", "/r/ID/thumb.webp.bak",
        ])
    func traversal(_ uri: String) async throws {
        let fixture = try await GalleryFixture(captions: ["x"])
        let target = uri.replacingOccurrences(of: "ID", with: fixture.ids[0])
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: target, method: .get) { response in
                #expect(response.status == .notFound, "\(target)")
            }
        }
    }

    @Test("static files are served, and nothing outside the static folder")
    func staticFiles() async throws {
        let fixture = try await GalleryFixture(captions: ["x"])
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/static/site.css", method: .get) { response in
                #expect(response.status == .ok)
            }
            for uri in [
                "/static/../templates/layout.mustache", "/static/%2e%2e/templates/layout.mustache",
                "/r/\(fixture.ids[0])/../../catalog.sqlite",
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status != .ok, "\(uri)")
                    #expect(!String(buffer: response.body).contains("{{"))
                }
            }
        }
    }

    @Test("security headers on every response")
    func securityHeaders() async throws {
        let fixture = try await GalleryFixture(captions: ["x"])
        try await fixture.app().test(.router) { client in
            for uri in ["/", "/healthz", "/r/\(fixture.ids[0])/thumb.webp", "/nowhere"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let policy = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(policy.contains("frame-ancestors 'none'"))
                    #expect(!policy.contains("unsafe-inline"))
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    #expect(response.headers[HTTPField.Name("Referrer-Policy")!] != nil)
                }
            }
        }
    }

    @Test("the asset API answers with the CLI's field names")
    func assetAPI() async throws {
        let fixture = try await GalleryFixture()
        let id = try await fixture.id(caption: "Phiên chợ Đồng Văn")
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/assets/\(id)", method: .get) { response in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(object?["id"] as? String == id)
                #expect(object?["caption"] as? String == "Phiên chợ Đồng Văn")
                #expect(object?["width"] as? Int == 400)
                #expect(object?["orientation"] as? Int == 6)
            }
            try await client.execute(uri: "/api/v1/assets/ffffffffffffffff", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("an unpublished photo's page, API entry and renditions are 404 for readers, 200 for a signed-in editor")
    func unpublishedPhoto() async throws {
        let fixture = try await GalleryFixture(captions: ["Phiên chợ Đồng Văn", "Ảnh chưa đăng"], published: false)
        let shown = try await fixture.id(caption: "Phiên chợ Đồng Văn")
        let hidden = try await fixture.id(caption: "Ảnh chưa đăng")
        try await fixture.desk.setPublished(try await fixture.sha256(shown), true)
        try await fixture.addUser("lan", role: .editor)
        let privateURIs = [
            "/photos/\(hidden)", "/api/v1/assets/\(hidden)", "/api/v1/assets/\(hidden)/caption",
            "/r/\(hidden)/thumb.webp", "/r/\(hidden)/large.jpg",
        ]
        try await fixture.app().test(.router) { client in
            for uri in privateURIs {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .notFound, "\(uri)") }
            }
            for uri in ["/photos/\(shown)", "/api/v1/assets/\(shown)", "/r/\(shown)/thumb.webp"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok, "\(uri)") }
            }
            // Nor is it in the lists and searches readers see.
            for uri in ["/", "/photos", "/search?q=chua+dang", "/api/v1/assets", "/api/v1/search?q=chua+dang"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                    #expect(!String(buffer: response.body).contains(hidden), "\(uri)")
                }
            }
            let editor = try await fixture.signIn(client, "lan")
            for uri in privateURIs {
                try await client.execute(uri: uri, method: .get, headers: editor.cookieHeader) { response in
                    #expect(response.status == .ok, "\(uri)")
                }
            }
            try await client.execute(uri: "/r/\(hidden)/thumb.webp", method: .get, headers: editor.cookieHeader) {
                #expect($0.headers[.cacheControl] == "private, no-cache", "no shared cache keeps a private rendition")
            }
            try await client.execute(uri: "/photos", method: .get, headers: editor.cookieHeader) { response in
                #expect(String(buffer: response.body).contains("href=\"/photos/\(hidden)\""))
            }
            // Served to the editor, the rendition is still not served to readers.
            try await client.execute(uri: "/r/\(hidden)/thumb.webp", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test("a photo taken back from publication outside the server (the CLI) is no longer served to readers")
    func unpublishedElsewhere() async throws {
        let fixture = try await GalleryFixture(captions: ["x"])
        let id = fixture.ids[0]
        let uris = ["/photos/\(id)", "/api/v1/assets/\(id)", "/r/\(id)/thumb.webp", "/r/\(id)/large.jpg"]
        try await fixture.app().test(.router) { client in
            for uri in uris {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok, "\(uri)") }
            }
            // Another process (photodesk unpublish) writes to the same catalog.
            try await fixture.desk.setPublished(try await fixture.sha256(id), false)
            for uri in uris {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .notFound, "\(uri)") }
            }
        }
    }
}

/// One HTTP/1.1 connection on loopback, written to as a whole and read until `responses`
/// status lines have come back and the connection is quiet (for pipelining tests).
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func exchange(port: Int, _ text: String, responses: Int) throws -> Data {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect: \(errno)") }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count
        else {
            throw Failure(description: "send: \(errno)")
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        // A deadline, not a wait: a loaded machine (the whole suite at once) may be slow to answer.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let statusLines = String(decoding: received, as: UTF8.self).components(separatedBy: "HTTP/1.1 ").count - 1
            let ready = poll(&poller, 1, statusLines >= responses ? 300 : 2000)
            if ready <= 0 { if statusLines >= responses { break } else { continue } }
            let count = recv(socket, &buffer, buffer.count, 0)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return received
    }
}
