import Catalog
import Desk
import Foundation
import Gallery
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PhotoModel
import Testing

/// Rights through the API and the pages: the publish guard's 409 with each photo's reason, leases
/// and kills (admins only) over JSON, the photo page and `/desk` showing them.
@Suite("Rights in the API and on the desk's pages")
struct RightsRoutesTests {
    /// A fixture whose first photo is an agency one with restrictions, in a draft article.
    func fixture() async throws -> (GalleryFixture, sha: String) {
        let fixture = try await GalleryFixture(published: false)
        try await fixture.addUser("lan", role: .editor)
        try await fixture.addUser("boss", role: .admin)
        let sha = try await fixture.sha256(fixture.ids[0])
        try await fixture.desk.setCaption(
            sha,
            changes: CaptionChanges([
                .credit: "REUTERS", .instructions: "EDITORIAL USE ONLY. MANDATORY CREDIT: REUTERS/JANE DOE. CALL US",
            ]), basedOn: nil, author: "lan", source: "test")
        try await fixture.desk.saveArticle(
            ArticleContent(slug: "visit", headline: "Visit"), photos: [ArticlePhotoInput(sha256: sha)])
        return (fixture, sha)
    }

    @Test("publishing over the API is refused with a 409 naming each photo and its reason; a lease lets it through")
    func guardOverTheAPI() async throws {
        let (fixture, sha) = try await fixture()
        let editor = try await fixture.token(for: "lan")
        let admin = try await fixture.token(for: "boss")
        let id = String(sha.prefix(16))
        @Sendable func headers(_ token: String) -> HTTPFields {
            [.authorization: "Bearer \(token)", .contentType: "application/json"]
        }
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/api/v1/articles/visit/publish", method: .post, headers: headers(editor),
                body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.status == .conflict)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let refusals = body?["refusals"] as? [[String: Any]]
                #expect(refusals?.count == 1)
                #expect(refusals?.first?["id"] as? String == id && refusals?.first?["code"] as? String == "needs-lease")
                #expect((refusals?.first?["reason"] as? String)?.contains("rule Reuters") == true)
                #expect((body?["error"] as? String)?.contains("cannot be published") == true)
            }
            // An editor may not override; a reader may not publish at all.
            try await client.execute(
                uri: "/api/v1/articles/visit/publish", method: .post, headers: headers(editor),
                body: ByteBuffer(string: #"{"override": "trust me"}"#)
            ) { response in #expect(response.status == .forbidden) }
            try await client.execute(
                uri: "/api/v1/articles/visit/publish", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{}")
            ) { response in #expect(response.status == .unauthorized) }
            // A lease without a note, or ending before it starts, is refused with the reason.
            try await client.execute(
                uri: "/api/v1/assets/\(id)/leases", method: .post, headers: headers(editor),
                body: ByteBuffer(string: #"{"allow": true, "note": " "}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("note"))
            }
            try await client.execute(
                uri: "/api/v1/assets/\(id)/leases", method: .post, headers: headers(editor),
                body: ByteBuffer(string: #"{"allow": true, "from": "2030-01-02", "until": "2030-01-01", "note": "x"}"#)
            ) { response in #expect(response.status == .badRequest) }
            try await client.execute(
                uri: "/api/v1/assets/\(id)/leases", method: .post, headers: headers(editor),
                body: ByteBuffer(string: #"{"allow": true, "note": "Reuters invoice 4411"}"#)
            ) { response in
                #expect(response.status == .created)
                let rights = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(rights?["usableNow"] as? Bool == true && rights?["cost"] as? String == "pay")
                #expect((rights?["leases"] as? [[String: Any]])?.first?["note"] as? String == "Reuters invoice 4411")
                #expect(rights?["mandatoryCredit"] as? String == "REUTERS/JANE DOE")
            }
            try await client.execute(
                uri: "/api/v1/articles/visit/publish", method: .post, headers: headers(editor),
                body: ByteBuffer(string: "{}")
            ) { response in #expect(response.status == .ok) }
            // Readers see the mandatory credit with the photo in the article.
            try await client.execute(uri: "/articles/visit", method: .get) { response in
                #expect(String(buffer: response.body).contains("REUTERS/JANE DOE"))
            }
            // Killing takes an admin; the photo then leaves the article and its renditions.
            try await client.execute(
                uri: "/api/v1/assets/\(id)/kill", method: .post, headers: headers(editor),
                body: ByteBuffer(string: #"{"reason": "kill notice"}"#)
            ) { response in #expect(response.status == .forbidden) }
            try await client.execute(
                uri: "/api/v1/assets/\(id)/kill", method: .post, headers: headers(admin),
                body: ByteBuffer(string: #"{"reason": "Reuters kill notice: manipulated"}"#)
            ) { response in
                #expect(response.status == .ok)
                let rights = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(rights?["killed"] as? Bool == true && rights?["whyNotCode"] as? String == "killed")
            }
            try await client.execute(
                uri: "/api/v1/assets/\(id)/kill", method: .post, headers: headers(admin),
                body: ByteBuffer(string: #"{"reason": "again"}"#)
            ) { response in #expect(response.status == .conflict) }
            try await client.execute(uri: "/articles/visit", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("Photo withdrawn") && !page.contains("/r/\(id)/"))
            }
            try await client.execute(uri: "/api/v1/assets/\(id)", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/kills", method: .get, headers: headers(editor)) { response in
                #expect(String(buffer: response.body).contains("Reuters kill notice: manipulated"))
            }
            try await client.execute(uri: "/api/v1/assets/\(id)", method: .get, headers: headers(editor)) { response in
                let asset = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let rights = asset?["rights"] as? [String: Any]
                #expect(rights?["killed"] as? Bool == true)
                #expect(
                    (rights?["restrictions"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
                        == ["editorial-use-only", "mandatory-credit", "unparsed"])
            }
        }
    }

    @Test(
        "the photo page and /desk show the rights, the unparsed words, the kills and the articles the guard would refuse"
    )
    func pages() async throws {
        let (fixture, sha) = try await fixture()
        let id = String(sha.prefix(16))
        try await fixture.app().test(.router) { client in
            let browser = try await fixture.signIn(client, "boss")
            try await client.execute(uri: "/photos/\(id)", method: .get, headers: browser.cookieHeader) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("id=\"rights\"") && page.contains("rule “Reuters”"))
                #expect(page.contains("may not run") && page.contains("CALL US") && page.contains("not understood"))
                #expect(page.contains("id=\"kill\""), "an admin sees the kill button")
            }
            try await client.execute(uri: "/desk", method: .get, headers: browser.cookieHeader) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("Articles the rights guard would refuse") && page.contains("/articles/visit"))
                #expect(page.contains("pay photo (rule Reuters)"))
            }
            // The article's publish form: refused with the list on the error page; an admin's override
            // publishes it and is kept in the photo's history.
            try await client.execute(
                uri: "/articles/visit/publish", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form(["csrf": browser.csrf ?? "", "action": "now"])
            ) { response in
                #expect(response.status == .conflict)
                let page = String(buffer: response.body)
                #expect(page.contains("cannot be published") && page.contains("pay photo (rule Reuters)"))
            }
            try await client.execute(
                uri: "/articles/visit/publish", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form(["csrf": browser.csrf ?? "", "action": "now", "override": "contract by phone"])
            ) { response in #expect(response.status == .seeOther) }
            #expect(
                try await fixture.desk.rights(of: sha).history.map(\.action) == [.override],
                "the override is in the photo's history")
            // A lease and a kill from the page's forms, then both on the desk.
            try await client.execute(
                uri: "/photos/\(id)/lease", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form(["csrf": browser.csrf ?? "", "kind": "allow", "note": "invoice 9"])
            ) { response in #expect(response.status == .seeOther) }
            try await client.execute(
                uri: "/photos/\(id)/kill", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form(["csrf": browser.csrf ?? "", "action": "kill", "reason": "kill notice 7"])
            ) { response in #expect(response.status == .seeOther) }
            try await client.execute(uri: "/desk", method: .get, headers: browser.cookieHeader) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("kill notice 7") && page.contains("/photos/\(id)#rights"))
            }
            try await client.execute(uri: "/photos/\(id)", method: .get, headers: browser.cookieHeader) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("Killed") && page.contains("invoice 9") && page.contains("id=\"unkill\""))
            }
        }
    }
}
