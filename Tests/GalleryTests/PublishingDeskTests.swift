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
import PhotoModel
import Testing

/// The crop workshop the server is given, as `photodesk serve` gives it.
struct Workshop: RenditionWorkshop {
    let crops: CropRenditions

    func makeCrop(sha256: String, crop: Crop) async throws { try await crops.make(sha256: sha256, crop: crop) }
}

extension GalleryFixture {
    /// A server that crops with the default pipeline's aspects.
    func croppingApp() async throws -> some ApplicationProtocol {
        var configuration = GalleryServer.Configuration(assetsPath: Self.assets)
        configuration.crops = [
            CropAspect(name: "hero", width: 16, height: 9), CropAspect(name: "square", width: 1, height: 1),
        ]
        return try await GalleryServer(
            desk: desk, configuration: configuration, accessLog: false,
            workshop: Workshop(crops: CropRenditions(desk: desk))
        ).application()
    }
}

@Suite("Publishing from the browser: crops, publication, the desk")
struct PublishingDeskTests {
    @Test(
        "an editor crops a use to 16:9: the article shows the crop, its JSON-LD too; the photo and its other use do not change"
    )
    func cropFromTheBrowser() async throws {
        let fixture = try await GalleryFixture(published: false)
        try await fixture.addUser("lan", role: .editor)
        let sha = try await fixture.sha256(fixture.ids[1])
        try await fixture.desk.saveArticle(
            ArticleContent(
                slug: "visit", headline: "Visit",
                publication: Publication(state: .published, at: Date(timeIntervalSince1970: 0), text: nil)),
            photos: [ArticlePhotoInput(sha256: sha), ArticlePhotoInput(sha256: sha)])
        let before = try await fixture.desk.renditions(of: sha)
        try await fixture.croppingApp().test(.router) { client in
            // Readers are sent to sign in.
            try await client.execute(uri: "/articles/visit/crop/1", method: .get) { response in
                #expect(response.status == .seeOther)
            }
            let browser = try await fixture.signIn(client, "lan")
            try await client.execute(uri: "/articles/visit/crop/1", method: .get, headers: browser.cookieHeader) {
                response in
                #expect(response.status == .ok)
                let page = String(buffer: response.body)
                #expect(page.contains("value=\"hero\"") && page.contains("name=\"width\""))
            }
            // Numbers that are not 16:9 for the hero aspect are refused with the reason.
            try await client.execute(
                uri: "/articles/visit/crop/1", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form([
                    "csrf": browser.csrf ?? "", "preset": "hero", "x": "0", "y": "0", "width": "300", "height": "300",
                ])
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("is not 16:9"))
            }
            try await client.execute(
                uri: "/articles/visit/crop/1", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form(["csrf": browser.csrf ?? "", "preset": "hero"])
            ) { response in
                #expect(response.status == .seeOther)
            }
            try await client.execute(uri: "/articles/visit", method: .get) { response in
                let page = String(buffer: response.body)
                let crops = page.matches(of: /\/r\/[0-9a-f]{16}\/crop-[0-9a-f]{16}\.jpg/).map { String($0.output) }
                #expect(Set(crops).count == 1, "the first use shows its crop")
                #expect(page.contains("\\/crop-") || page.contains("/crop-"), "the JSON-LD names the crop")
                if let url = crops.first {
                    try await client.execute(uri: url, method: .get) { image in
                        #expect(image.status == .ok)
                        let decoded = try VipsImage.decode(Data(buffer: image.body))
                        #expect(abs(decoded.width * 9 - decoded.height * 16) <= 16, "16:9 within a pixel")
                    }
                }
                // The article's feed shows the same crop.
                try await client.execute(uri: "/articles/visit/feed.xml", method: .get) { feed in
                    let xml = String(buffer: feed.body)
                    #expect(feed.status == .ok)
                    #expect(crops.first.map { xml.contains($0) } == true, "the feed names the crop")
                }
            }
        }
        let article = try #require(try await fixture.desk.article(slug: "visit", audience: .editors)?.0)
        #expect(article.photos.map { $0.crop?.preset } == ["hero", nil], "the other use keeps the whole photo")
        let after = try await fixture.desk.renditions(of: sha)
        #expect(after.filter { !$0.preset.hasPrefix(Crops.prefix) } == before, "the presets are unchanged")
        #expect(after.count == before.count + 1)
    }

    @Test("publish now, schedule and unpublish from the article page; readers see it only while public")
    func publication() async throws {
        let fixture = try await GalleryFixture(published: false)
        try await fixture.addUser("lan", role: .editor)
        let sha = try await fixture.sha256(fixture.ids[1])
        try await fixture.desk.saveArticle(
            ArticleContent(slug: "visit", headline: "Visit"), photos: [ArticlePhotoInput(sha256: sha)])
        try await fixture.croppingApp().test(.router) { client in
            try await client.execute(uri: "/articles/visit", method: .get) { #expect($0.status == .notFound) }
            let browser = try await fixture.signIn(client, "lan")
            func act(_ values: [String: String]) async throws -> HTTPResponse.Status {
                try await client.execute(
                    uri: "/articles/visit/publish", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                    body: form(values.merging(["csrf": browser.csrf ?? ""]) { $1 })
                ) { $0.status }
            }
            #expect(try await act(["action": "now"]) == .seeOther)
            try await client.execute(uri: "/articles/visit", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/photos/\(fixture.ids[1])", method: .get) { #expect($0.status == .ok) }
            #expect(try await act(["action": "schedule", "at": "2099-01-01T08:00", "offset": "+07:00"]) == .seeOther)
            try await client.execute(uri: "/articles/visit", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/articles/visit", method: .get, headers: browser.cookieHeader) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("status-scheduled"))
            }
            #expect(try await act(["action": "schedule", "at": "tomorrow", "offset": "+07:00"]) == .badRequest)
            #expect(try await act(["action": "unpublish"]) == .seeOther)
            try await client.execute(uri: "/photos/\(fixture.ids[1])", method: .get) { #expect($0.status == .notFound) }
            #expect(try await act(["action": "launch"]) == .badRequest)
        }
    }

    @Test(
        "the desk's front page: what waits for a caption, draft and scheduled articles, what changed since the last visit"
    )
    func frontPage() async throws {
        let fixture = try await GalleryFixture(captions: ["Có chú thích", nil, nil])
        try await fixture.addUser("lan", role: .editor)
        try await fixture.desk.saveArticle(ArticleContent(slug: "draft", headline: "A draft"), photos: [])
        try await fixture.croppingApp().test(.router) { client in
            try await client.execute(uri: "/desk", method: .get) { #expect($0.status == .seeOther) }
            let browser = try await fixture.signIn(client, "lan")
            try await client.execute(uri: "/desk", method: .get, headers: browser.cookieHeader) { response in
                #expect(response.status == .ok)
                let page = String(buffer: response.body)
                #expect(page.contains("Missing caption</a> <span class=\"count\">2</span>"))
                #expect(page.contains("A draft") && page.contains("status-draft"))
            }
            try await client.execute(
                uri: "/photos/\(fixture.ids[0])/caption", method: .post,
                headers: formHeaders.merging(browser.cookieHeader),
                body: form(["csrf": browser.csrf ?? "", "revision": "1", "credit": "TTXVN"])
            ) { _ in }
            try await client.execute(uri: "/desk", method: .get, headers: browser.cookieHeader) { response in
                #expect(String(buffer: response.body).contains("TTXVN"), "the change since the last visit")
            }
        }
    }
}
