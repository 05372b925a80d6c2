import Catalog
import Foundation
import Gallery
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Imaging
import Ingest
import Metadata
import PhotoFactory
import Testing

/// A library with a few ingested photos, and a gallery over it.
struct GalleryFixture {
    let work: TemporaryFolder
    let library: Library
    let catalog: SQLiteCatalog
    let ids: [String]

    static let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Assets").path

    init(captions: [String?] = ["Phiên chợ Đồng Văn", "<script>alert(1)</script>", nil]) async throws {
        work = try TemporaryFolder("gallery")
        library = Library(path: work.path + "/library")
        catalog = try SQLiteCatalog(library: library)
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
        _ = try await Ingester(catalog: catalog, library: library, pipeline: pipeline).run([work.path + "/photos"]) {
            _ in
        }
        ids = try catalog.assets(limit: 10, after: nil).map(\.id)
    }

    func app() async throws -> some ApplicationProtocol {
        let server = GalleryServer(catalog: catalog, library: library, configuration: .init(assetsPath: Self.assets))
        return try await server.application()
    }

    func id(caption: String?) throws -> String {
        try #require(try catalog.assets(limit: 10, after: nil).first { $0.caption == caption }?.id)
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

    @Test("a caption with markup shows as text, never as script")
    func escaping() async throws {
        let fixture = try await GalleryFixture()
        let id = try fixture.id(caption: "<script>alert(1)</script>")
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
        let id = try fixture.id(caption: "Phiên chợ Đồng Văn")
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
        let id = try fixture.id(caption: "Phiên chợ Đồng Văn")
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
}
