import Catalog
import Desk
import Foundation
import Gallery
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PhotoModel
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A signed-in browser in router tests: its cookies and the session's CSRF token.
struct Browser {
    var cookies: [String: String] = [:]
    var csrf: String?

    var cookieHeader: HTTPFields {
        cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    mutating func keep(_ response: TestResponse) {
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(
                separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            cookies[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
            if line.contains("Max-Age=0") { cookies[String(pair[0])] = nil }
        }
    }

    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}

func form(_ values: [String: String]) -> ByteBuffer {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return ByteBuffer(
        string: values.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&"))
}

let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

extension GalleryFixture {
    static let password = "correct horse battery"

    func addUser(_ name: String, role: Role) async throws {
        try await desk.accounts.add(name, role: role, passwordHash: Credentials.hashPassword(Self.password, cost: 4))
    }

    /// An article as editors see it.
    func article(_ slug: String) async throws -> ArticleDocument? {
        try await desk.article(slug: slug, audience: .editors)?.0
    }

    /// An API token for a user; the secret.
    func token(for name: String) async throws -> String {
        try await desk.accounts.issueToken(for: name, label: "test").secret
    }

    /// Signs in through the login form; the browser then holds the session cookie and its CSRF token.
    func signIn(_ client: some TestClientProtocol, _ name: String, password: String = password) async throws
        -> Browser
    {
        var browser = Browser()
        try await client.execute(uri: "/login", method: .get) { response in
            browser.keep(response)
            let token = try #require(Browser.hidden("csrf", in: String(buffer: response.body)))
            browser.csrf = token
        }
        try await client.execute(
            uri: "/login", method: .post, headers: formHeaders.merging(browser.cookieHeader),
            body: form(["name": name, "password": password, "csrf": browser.csrf ?? "", "next": "/photos"])
        ) { response in
            #expect(response.status == .seeOther)
            browser.keep(response)
        }
        try await client.execute(uri: "/photos/\(ids[0])", method: .get, headers: browser.cookieHeader) { response in
            browser.csrf = Browser.hidden("csrf", in: String(buffer: response.body))
        }
        #expect(browser.cookies["pd_session"] != nil)
        return browser
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        merged.append(contentsOf: other)
        return merged
    }
}

@Suite("Gallery desk: sign-in, editing, API writes, feeds, metrics")
struct GalleryDeskTests {
    @Test("login: form with CSRF cookie, session cookie HttpOnly and SameSite=Lax, Secure behind TLS proxy")
    func login() async throws {
        let fixture = try await GalleryFixture(captions: ["Phiên chợ"])
        try await fixture.addUser("lan", role: .editor)
        // A live server, so that the request comes from a loopback address, the trusted proxy.
        try await fixture.app(trustedProxies: GalleryFixture.loopback).test(.live) { client in
            var browser = Browser()
            try await client.execute(uri: "/login?next=/photos", method: .get) { response in
                #expect(response.status == .ok)
                let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("pd_login=") })
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
                browser.keep(response)
                browser.csrf = Browser.hidden("csrf", in: String(buffer: response.body))
            }
            // No CSRF token: refused before the password is looked at.
            try await client.execute(
                uri: "/login", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form(["name": "lan", "password": GalleryFixture.password])
            ) { response in #expect(response.status == .forbidden) }
            try await client.execute(
                uri: "/login", method: .post,
                headers: formHeaders.merging(browser.cookieHeader).merging([
                    HTTPField.Name("X-Forwarded-Proto")!: "https"
                ]),
                body: form([
                    "name": "lan", "password": GalleryFixture.password, "csrf": browser.csrf ?? "",
                    "next": "https://evil.example/photos",
                ])
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/", "never redirected off the site")
                let session = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("pd_session=") })
                #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Secure"))
            }
            let plain = try await fixture.signIn(client, "lan")
            try await client.execute(uri: "/", method: .get, headers: plain.cookieHeader) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("Signed in as <strong>lan</strong>"))
            }
            let cookie = try #require(plain.cookies["pd_session"])
            #expect(try await fixture.desk.accounts.session(secret: cookie) != nil)
        }
    }

    @Test("X-Forwarded-Proto is believed only from a trusted proxy")
    func untrustedProxy() async throws {
        let fixture = try await GalleryFixture(captions: ["x"])
        try await fixture.addUser("lan", role: .editor)
        try await fixture.app().test(.router) { client in
            var browser = Browser()
            try await client.execute(uri: "/login", method: .get) { response in
                browser.keep(response)
                browser.csrf = Browser.hidden("csrf", in: String(buffer: response.body))
            }
            try await client.execute(
                uri: "/login", method: .post,
                headers: formHeaders.merging(browser.cookieHeader).merging([
                    HTTPField.Name("X-Forwarded-Proto")!: "https"
                ]),
                body: form(["name": "lan", "password": GalleryFixture.password, "csrf": browser.csrf ?? ""])
            ) { response in
                #expect(response.status == .seeOther)
                let session = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("pd_session=") })
                #expect(!session.contains("Secure"), "any client can send the header")
            }
        }
    }

    @Test("repeated failed logins are slowed down: 401, then 429 with Retry-After even for the right password")
    func throttle() async throws {
        let fixture = try await GalleryFixture(captions: ["x"])
        try await fixture.addUser("lan", role: .editor)
        try await fixture.app().test(.router) { client in
            var browser = Browser()
            try await client.execute(uri: "/login", method: .get) { response in
                browser.keep(response)
                browser.csrf = Browser.hidden("csrf", in: String(buffer: response.body))
            }
            for attempt in 1...6 {
                let password = attempt == 6 ? GalleryFixture.password : "wrong password \(attempt)"
                try await client.execute(
                    uri: "/login", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                    body: form(["name": "lan", "password": password, "csrf": browser.csrf ?? ""])
                ) { response in
                    if attempt <= 5 {
                        #expect(response.status == .unauthorized)
                        #expect(String(buffer: response.body).contains("Wrong name or password"))
                    } else {
                        #expect(response.status == .tooManyRequests)
                        #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0)
                        #expect(response.headers[values: .setCookie].allSatisfy { !$0.hasPrefix("pd_session=") })
                    }
                }
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("photodesk_logins_total{outcome=\"failed\"} 5"))
                #expect(text.contains("photodesk_logins_total{outcome=\"throttled\"} 1"))
            }
        }
    }

    @Test("editing without login: 303 to login for forms, 401 for the API; nothing changes")
    func editRequiresLogin() async throws {
        let fixture = try await GalleryFixture(captions: ["Original"])
        let id = fixture.ids[0]
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/photos/\(id)/caption", method: .post, headers: formHeaders,
                body: form(["caption": "Hacked", "revision": "1", "csrf": "x"])
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location]?.hasPrefix("/login?next=") == true)
            }
            try await client.execute(
                uri: "/api/v1/assets/\(id)/caption", method: .patch,
                headers: [.contentType: "application/json", .ifMatch: "\"1\""],
                body: ByteBuffer(string: #"{"caption": "Hacked"}"#)
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            try await client.execute(
                uri: "/api/v1/assets/\(id)/caption", method: .patch,
                headers: [.authorization: "Bearer pdt_not-a-token", .ifMatch: "\"1\""],
                body: ByteBuffer(string: #"{"caption": "Hacked"}"#)
            ) { response in #expect(response.status == .unauthorized) }
            try await client.execute(uri: "/photos/\(id)", method: .get) { response in
                #expect(!String(buffer: response.body).contains("name=\"csrf\""), "readers get no edit form")
            }
        }
        #expect(try await fixture.desk.caption(of: fixture.sha256(id)).fields.caption == "Original")
    }

    @Test("an editor edits in the browser: CSRF required, history, revert, and a stale edit shows both versions")
    func browserEditing() async throws {
        let fixture = try await GalleryFixture(captions: ["Original caption"])
        try await fixture.addUser("lan", role: .editor)
        let id = fixture.ids[0]
        let sha = try await fixture.sha256(id)
        try await fixture.app().test(.router) { client in
            let browser = try await fixture.signIn(client, "lan")
            let csrf = try #require(browser.csrf)
            // Without the CSRF token: 403, nothing saved.
            try await client.execute(
                uri: "/photos/\(id)/caption", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form(["caption": "Forged", "revision": "1"])
            ) { response in #expect(response.status == .forbidden) }
            #expect(try await fixture.desk.caption(of: sha).fields.caption == "Original caption")
            try await client.execute(
                uri: "/photos/\(id)/caption", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form([
                    "caption": "Bộ trưởng thăm đồn biên phòng", "credit": "TTXVN", "revision": "1", "csrf": csrf,
                ])
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/photos/\(id)?saved=2")
            }
            #expect(try await fixture.desk.caption(of: sha).fields.caption == "Bộ trưởng thăm đồn biên phòng")
            #expect(try await fixture.desk.history(of: sha).last?.author == "lan")
            // Someone else saved revision 3 meanwhile; an edit from revision 2 is refused with both versions.
            try await fixture.desk.setCaption(
                sha, changes: CaptionChanges([.caption: "Their version"]), basedOn: 2, author: "hoa", source: "cli")
            try await client.execute(
                uri: "/photos/\(id)/caption", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form(["caption": "My version", "revision": "2", "csrf": csrf])
            ) { response in
                #expect(response.status == .conflict)
                let html = String(buffer: response.body)
                #expect(html.contains("Their version") && html.contains("My version"))
                #expect(html.contains("(hoa)"))
                #expect(html.contains(">My version</textarea>"), "the editor's text is kept in the form")
                #expect(html.contains("name=\"revision\" value=\"3\""))
                // A field with a closed list offers its terms.
                for field in CaptionField.allCases {
                    for term in field.metadata.vocabulary?.terms ?? [] {
                        #expect(
                            html.contains("<option value=\"\(term.code)\">\(term.label)</option>"),
                            "the form offers \(term.code) for \(field)")
                    }
                }
            }
            // A release status outside its list is refused, naming the terms; nothing is saved.
            try await client.execute(
                uri: "/photos/\(id)/caption", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form(["modelRelease": "signed", "caption": "Not saved", "revision": "3", "csrf": csrf])
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("MR-NON (None)"))
            }
            #expect(try await fixture.desk.caption(of: sha).fields.caption == "Their version")
            try await client.execute(uri: "/photos/\(id)/history", method: .get, headers: browser.cookieHeader) {
                response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("Revision 3") && html.contains("Revision 2") && html.contains("hoa"))
                #expect(html.contains("Restore the caption as of revision 2"))
            }
            try await client.execute(
                uri: "/photos/\(id)/revert", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form(["revision": "2", "csrf": csrf])
            ) { response in #expect(response.status == .seeOther) }
            #expect(try await fixture.desk.caption(of: sha).fields.caption == "Bộ trưởng thăm đồn biên phòng")
            // Readers do not see the history.
            try await client.execute(uri: "/photos/\(id)/history", method: .get) { response in
                #expect(response.status == .seeOther)
            }
            // Sign out: the session ends.
            try await client.execute(
                uri: "/logout", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form(["csrf": csrf])
            ) { response in #expect(response.status == .seeOther) }
            try await client.execute(uri: "/photos/\(id)", method: .get, headers: browser.cookieHeader) { response in
                #expect(!String(buffer: response.body).contains("Signed in as"))
            }
        }
    }

    @Test("API caption PATCH: If-Match, 412 with the current value on a stale revision, 428 without")
    func apiPatch() async throws {
        let fixture = try await GalleryFixture(captions: ["Original"])
        try await fixture.addUser("cms", role: .editor)
        let token = try await fixture.token(for: "cms")
        let id = fixture.ids[0]
        let sha = try await fixture.sha256(id)
        let auth: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        try await fixture.app().test(.router) { client in
            let etag = try await client.execute(uri: "/api/v1/assets/\(id)/caption", method: .get) { response in
                #expect(response.status == .ok)
                return try #require(response.headers[.eTag])
            }
            #expect(etag == "\"1\"")
            try await client.execute(
                uri: "/api/v1/assets/\(id)/caption", method: .patch, headers: auth,
                body: ByteBuffer(string: #"{"caption": "Edited"}"#)
            ) { response in #expect(response.status == .preconditionRequired) }
            // A malformed If-Match is refused, naming the header; a well-formed one that names no
            // revision (or a weak one, never matched strongly) matches nothing.
            for (value, status) in [
                ("", HTTPResponse.Status.badRequest), ("three", .badRequest), ("99999999999999999999999", .badRequest),
                ("\"1\" \"2\"", .badRequest), ("\"-1\"", .preconditionFailed),
                ("\"99999999999999999999999\"", .preconditionFailed), ("W/\"1\"", .preconditionFailed),
            ] {
                try await client.execute(
                    uri: "/api/v1/assets/\(id)/caption", method: .patch, headers: auth.merging([.ifMatch: value]),
                    body: ByteBuffer(string: #"{"caption": "Edited"}"#)
                ) { response in
                    #expect(response.status == status, "If-Match: \(value)")
                    if status == .badRequest { #expect(String(buffer: response.body).contains("If-Match")) }
                }
            }
            try await client.execute(
                uri: "/api/v1/assets/\(id)/caption", method: .patch, headers: auth.merging([.ifMatch: etag]),
                body: ByteBuffer(string: #"{"caption": "Edited", "keywords": ["biên giới", "Hà Giang"]}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] == "\"2\"")
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["caption"] as? String == "Edited")
                #expect(body?["keywords"] as? [String] == ["biên giới", "Hà Giang"])
            }
            try await client.execute(
                uri: "/api/v1/assets/\(id)/caption", method: .patch, headers: auth.merging([.ifMatch: etag]),
                body: ByteBuffer(string: #"{"caption": "Stale"}"#)
            ) { response in
                #expect(response.status == .preconditionFailed)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let current = body?["current"] as? [String: Any]
                #expect(current?["caption"] as? String == "Edited")
                #expect(current?["revision"] as? Int == 2)
                #expect(body?["lastAuthor"] as? String == "cms")
            }
            #expect(try await fixture.desk.caption(of: sha).fields.caption == "Edited")
            try await client.execute(
                uri: "/api/v1/assets/\(id)/caption", method: .patch, headers: auth.merging([.ifMatch: "\"2\""]),
                body: ByteBuffer(string: #"{"colour": "red"}"#)
            ) { response in #expect(response.status == .badRequest) }
            try await client.execute(uri: "/api/v1/assets/\(id)/history", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"author\":\"cms\""))
            }
        }
    }

    @Test("API writes with a session need X-CSRF-Token; roles: readers 303, editors 403 on user management")
    func sessionsAndRoles() async throws {
        let fixture = try await GalleryFixture(captions: ["Original"])
        try await fixture.addUser("lan", role: .editor)
        try await fixture.addUser("boss", role: .admin)
        let id = fixture.ids[0]
        try await fixture.app().test(.router) { client in
            let editor = try await fixture.signIn(client, "lan")
            try await client.execute(
                uri: "/api/v1/assets/\(id)/caption", method: .patch,
                headers: editor.cookieHeader.merging([.ifMatch: "\"1\""]),
                body: ByteBuffer(string: #"{"caption": "Via cookie"}"#)
            ) { response in #expect(response.status == .forbidden) }
            try await client.execute(
                uri: "/api/v1/assets/\(id)/caption", method: .patch,
                headers: editor.cookieHeader.merging([
                    .ifMatch: "\"1\"", HTTPField.Name("X-CSRF-Token")!: editor.csrf ?? "",
                ]),
                body: ByteBuffer(string: #"{"caption": "Via cookie"}"#)
            ) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/admin/users", method: .get) { response in
                #expect(response.status == .seeOther)
            }
            try await client.execute(uri: "/admin/users", method: .get, headers: editor.cookieHeader) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(
                uri: "/admin/users", method: .post, headers: formHeaders.merging(editor.cookieHeader),
                body: form(["name": "mallory", "role": "admin", "password": "0123456789ab", "csrf": editor.csrf ?? ""])
            ) { response in #expect(response.status == .forbidden) }
            let admin = try await fixture.signIn(client, "boss")
            try await client.execute(
                uri: "/admin/users", method: .post, headers: formHeaders.merging(admin.cookieHeader),
                body: form(["name": "minh", "role": "editor", "password": "short", "csrf": admin.csrf ?? ""])
            ) { response in #expect(response.status == .badRequest) }
            try await client.execute(
                uri: "/admin/users", method: .post, headers: formHeaders.merging(admin.cookieHeader),
                body: form(["name": "minh", "role": "editor", "password": "0123456789ab", "csrf": admin.csrf ?? ""])
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("Added minh (editor)"))
            }
            #expect(try await fixture.desk.accounts.account(named: "mallory") == nil)
            #expect(try await fixture.desk.accounts.account(named: "minh")?.role == .editor)
            let token = try await client.execute(
                uri: "/admin/users/minh/token", method: .post, headers: formHeaders.merging(admin.cookieHeader),
                body: form(["label": "scanner", "csrf": admin.csrf ?? ""])
            ) { response in
                let html = String(buffer: response.body)
                let start = try #require(html.range(of: "<code class=\"token\">"))
                return String(html[start.upperBound...].prefix { $0 != "<" })
            }
            try await client.execute(
                uri: "/api/v1/assets/\(id)/caption", method: .patch,
                headers: [.authorization: "Bearer \(token)", .ifMatch: "\"2\""],
                body: ByteBuffer(string: #"{"byline": "Minh"}"#)
            ) { response in #expect(response.status == .ok) }
            try await client.execute(
                uri: "/admin/users/minh/remove", method: .post, headers: formHeaders.merging(admin.cookieHeader),
                body: form(["csrf": admin.csrf ?? ""])
            ) { response in #expect(response.status == .ok) }
            try await client.execute(
                uri: "/api/v1/assets/\(id)/caption", method: .patch,
                headers: [.authorization: "Bearer \(token)", .ifMatch: "\"3\""],
                body: ByteBuffer(string: #"{"byline": "Gone"}"#)
            ) { response in #expect(response.status == .unauthorized, "a removed user's token no longer works") }
        }
    }

    /// A published article over two of the fixture's photos, with a script caption for this use.
    /// No photo is published on its own: the article makes its two photos public, and the third
    /// (uncaptioned) one stays private.
    func articleFixture() async throws -> GalleryFixture {
        let fixture = try await GalleryFixture(published: false)
        // The captioned photo (with a byline) first, then the script caption, then the uncaptioned one.
        let hashes = [
            try await fixture.sha256(fixture.id(caption: "Phiên chợ Đồng Văn")),
            try await fixture.sha256(fixture.id(caption: "<script>alert(1)</script>")),
        ]
        try await fixture.desk.setCaption(
            hashes[0], changes: CaptionChanges([.credit: "TTXVN", .copyright: "© 2020 TTXVN"]), basedOn: nil,
            author: "test", source: "test")
        try await fixture.desk.saveArticle(
            ArticleContent(
                slug: "border-visit", headline: "Bộ trưởng thăm biên giới", dateline: "Hà Giang", byline: "Trần Bình",
                body: """
                    The minister **visited** the post, *as planned*. See [the ministry](https://mod.gov.vn/) \
                    and [this](javascript:alert(1)).

                    ![](asset:x)
                    """,
                // As an article file says it: a publication date and no status is published.
                publication: try Publication.frontMatter(status: nil, published: "2020-09-21", name: "border-visit.md")),
            photos: [
                ArticlePhotoInput(sha256: hashes[0], caption: "Đồn biên phòng Lũng Cú"),
                ArticlePhotoInput(sha256: hashes[1], caption: "<script>alert(2)</script>"),
            ])
        return fixture
    }

    @Test("article page: Markdown, lightbox anchors, JSON-LD NewsArticle with ImageObjects, escaped")
    func articlePage() async throws {
        let fixture = try await articleFixture()
        // A live server, so that the request comes from a loopback address, the trusted proxy.
        try await fixture.app(trustedProxies: GalleryFixture.loopback).test(.live) { client in
            try await client.execute(
                uri: "/articles/border-visit", method: .get, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"]
            ) {
                response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("<strong>visited</strong>") && html.contains("<em>as planned</em>"))
                #expect(html.contains("<a href=\"https://mod.gov.vn/\">the ministry</a>"))
                #expect(!html.contains("javascript:"))
                #expect(html.contains("id=\"view-1\"") && html.contains("href=\"#view-2\""))
                #expect(!html.contains("<script>alert(2)</script>"))
                let start = try #require(html.range(of: "<script type=\"application/ld+json\">"))
                let end = try #require(html[start.upperBound...].range(of: "</script>"))
                let json = String(html[start.upperBound..<end.lowerBound])
                #expect(!json.contains("<"))
                let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
                #expect(object["@type"] as? String == "NewsArticle")
                #expect(object["headline"] as? String == "Bộ trưởng thăm biên giới")
                let images = try #require(object["image"] as? [[String: Any]])
                #expect(images.count == 2)
                #expect(images[0]["@type"] as? String == "ImageObject")
                #expect(images[0]["caption"] as? String == "Đồn biên phòng Lũng Cú")
                #expect(images[0]["creditText"] as? String == "TTXVN")
                #expect(images[0]["copyrightNotice"] as? String == "© 2020 TTXVN")
                #expect((images[0]["creator"] as? [String: Any])?["name"] as? String == "Nguyễn Văn An")
                #expect((images[0]["contentUrl"] as? String)?.hasPrefix("https://localhost/r/") == true)
                #expect(images[1]["caption"] as? String == "<script>alert(2)</script>")
            }
            try await client.execute(uri: "/static/lightbox.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("Escape"))
            }
        }
    }

    @Test("a published article makes its photos public; as a draft, it and they are 404 for readers, 200 for editors")
    func draftArticle() async throws {
        let fixture = try await articleFixture()
        try await fixture.addUser("lan", role: .editor)
        let article = try #require(try await fixture.article("border-visit"))
        let used = try #require(article.photos[0].id)
        let unused = try await fixture.id(caption: nil)
        let withdrawn = [
            "/articles/border-visit", "/articles/border-visit/feed.xml", "/api/v1/articles/border-visit",
            "/photos/\(used)", "/api/v1/assets/\(used)",
        ]
        try await fixture.app().test(.router) { client in
            for uri in withdrawn + ["/r/\(used)/large.jpg"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok, "\(uri)") }
            }
            for uri in ["/photos/\(unused)", "/api/v1/assets/\(unused)", "/r/\(unused)/thumb.webp"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .notFound, "\(uri)") }
            }
            let editor = try await fixture.signIn(client, "lan")
            try await fixture.desk.setPublication("border-visit", Publication(state: .draft, at: nil, text: nil))
            for uri in withdrawn {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .notFound, "\(uri)") }
            }
            for uri in ["/articles/border-visit", "/api/v1/articles/border-visit", "/photos/\(used)"] {
                try await client.execute(uri: uri, method: .get, headers: editor.cookieHeader) {
                    #expect($0.status == .ok, "\(uri)")
                }
            }
            try await client.execute(uri: "/feed.xml", method: .get) { response in
                let document = try XMLDocument(data: Data(buffer: response.body))
                #expect(try document.nodes(forXPath: "/rss/channel/item").isEmpty)
            }
        }
    }

    @Test("a photo removed with force leaves a visible gap in the article, and the lightbox skips it")
    func articleGap() async throws {
        let fixture = try await articleFixture()
        let article = try #require(try await fixture.article("border-visit"))
        let first = try #require(article.photos[0].sha256)
        try await fixture.desk.remove(first, force: true)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/articles/border-visit", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("<div class=\"gap\">Photo removed</div>"))
                #expect(!html.contains("id=\"view-1\""), "no lightbox for the gap")
                #expect(html.contains("id=\"view-2\""))
                #expect(!html.contains("href=\"#view-1\""), "the remaining photo has no neighbour to step to")
            }
        }
    }

    @Test("RSS with Media RSS at /feed.xml and per article")
    func feeds() async throws {
        let fixture = try await articleFixture()
        try await fixture.app().test(.router) { client in
            for uri in ["/feed.xml", "/articles/border-visit/feed.xml"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("application/rss+xml") == true)
                    let document = try XMLDocument(data: Data(buffer: response.body))
                    let items = try document.nodes(forXPath: "/rss/channel/item")
                    #expect(items.count == 1)
                    #expect(
                        try document.nodes(forXPath: "//item/title").first?.stringValue == "Bộ trưởng thăm biên giới")
                    #expect(
                        try document.nodes(forXPath: "//item/pubDate").first?.stringValue
                            == "Mon, 21 Sep 2020 00:00:00 +0000")
                    let text = String(buffer: response.body)
                    #expect(text.contains("<media:content url=\"http"))
                    #expect(
                        text.contains("<media:description type=\"plain\">Đồn biên phòng Lũng Cú</media:description>"))
                    #expect(text.contains("<media:credit role=\"photographer\">Nguyễn Văn An</media:credit>"))
                    #expect(text.contains("&lt;script&gt;"))
                }
            }
            try await client.execute(uri: "/articles/nothing/feed.xml", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("editors change article links in the browser and through the API")
    func articleLinks() async throws {
        let fixture = try await articleFixture()
        try await fixture.addUser("lan", role: .editor)
        let token = try await fixture.token(for: "lan")
        let linked = try #require(try await fixture.article("border-visit"))
        let third = try #require(fixture.ids.first { id in linked.photos.allSatisfy { $0.id != id } })
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/articles/border-visit/link", method: .post, headers: formHeaders,
                body: form(["photo": third, "csrf": "x"])
            ) { response in #expect(response.status == .seeOther) }
            #expect(try await fixture.article("border-visit")?.photos.count == 2, "not signed in: unchanged")
            let browser = try await fixture.signIn(client, "lan")
            try await client.execute(
                uri: "/articles/border-visit/link", method: .post, headers: formHeaders.merging(browser.cookieHeader),
                body: form(["photo": third, "caption": "Ảnh thứ ba", "position": "1", "csrf": browser.csrf ?? ""])
            ) { response in #expect(response.status == .seeOther) }
            let photos = try #require(try await fixture.article("border-visit")?.photos)
            #expect(photos.first?.id == third && photos.first?.caption == "Ảnh thứ ba")
            try await client.execute(
                uri: "/api/v1/articles/border-visit/photos/\(third)", method: .delete,
                headers: [.authorization: "Bearer \(token)"]
            ) { response in
                #expect(response.status == .ok)
            }
            #expect(try await fixture.article("border-visit")?.photos.count == 2)
            try await client.execute(
                uri: "/api/v1/articles/border-visit/photos", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"photos": ["\#(third)"], "caption": "Cuối bài"}"#)
            ) { response in #expect(response.status == .ok) }
            #expect(try await fixture.article("border-visit")?.photos.last?.caption == "Cuối bài")
        }
    }

    @Test("search page with filters, the missing-captions list, keyset pages")
    func searchPages() async throws {
        let fixture = try await GalleryFixture()
        let untitled = try await fixture.id(caption: nil)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/search?q=dong+van", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("1 photos found") && html.contains("Phiên chợ Đồng Văn"))
                #expect(html.contains("value=\"dong van\""))
            }
            try await client.execute(uri: "/search?missing=colour", method: .get) { response in
                #expect(response.status == .badRequest)
            }
            // A field for editors only is no filter: what readers could filter on they could learn.
            for uri in [
                "/search?missing=instructions", "/photos?missing=instructions", "/api/v1/search?missing=instructions",
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .badRequest, "\(uri)")
                    #expect(
                        !String(buffer: response.body).contains("instructions,"), "\(uri) lists the public fields only")
                }
            }
            try await client.execute(uri: "/photos?missing=caption", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("href=\"/photos/\(untitled)\""))
                #expect(html.components(separatedBy: "class=\"tile\"").count == 2)
            }
            let next = try await client.execute(uri: "/api/v1/search?byline=Nguy&limit=1", method: .get) { response in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["total"] as? Int == 2)
                return try #require(body?["next"] as? String)
            }
            try await client.execute(uri: "/api/v1/search?byline=Nguy&limit=1&after=\(next)", method: .get) {
                response in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect((body?["results"] as? [Any])?.count == 1)
            }
        }
    }

    @Test("a rendition replaced or deleted on disk is served as it is now, not from memory")
    func renditionCache() async throws {
        let fixture = try await GalleryFixture(captions: ["x"])
        let id = fixture.ids[0]
        let sha = try await fixture.sha256(id)
        let path = fixture.library.absolute(
            try #require(try await fixture.desk.renditions(of: sha).first { $0.preset == "thumb" }).path)
        try await fixture.app().test(.router) { client in
            let original = try await client.execute(uri: "/r/\(id)/thumb.webp", method: .get) { Data(buffer: $0.body) }
            #expect(original == (try Data(contentsOf: URL(fileURLWithPath: path))))
            // Made again (verify --repair, a preset change): a new file at the same path.
            let replacement = Data(original.reversed())
            try FileManager.default.removeItem(atPath: path)
            try replacement.write(to: URL(fileURLWithPath: path))
            try await client.execute(uri: "/r/\(id)/thumb.webp", method: .get) { response in
                #expect(Data(buffer: response.body) == replacement)
            }
            try FileManager.default.removeItem(atPath: path)
            try await client.execute(uri: "/r/\(id)/thumb.webp", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test(
        "/metrics counts requests by route and status and shows the catalog's counts as the viewer sees them; /healthz")
    func metrics() async throws {
        let fixture = try await GalleryFixture()
        // The uncaptioned photo is taken back: readers count two photos, editors three.
        try await fixture.desk.setPublished(try await fixture.sha256(fixture.id(caption: nil)), false)
        let shown = try await fixture.id(caption: "Phiên chợ Đồng Văn")
        try await fixture.addUser("lan", role: .editor)
        let token = try await fixture.token(for: "lan")
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/photos/\(shown)", method: .get) { _ in }
            // The same page again, nothing written between: the reader cache answers it.
            try await client.execute(uri: "/photos/\(shown)", method: .get) { _ in }
            try await client.execute(uri: "/photos/0000000000000000", method: .get) { _ in }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).hasPrefix("ok\ncatalog: sqlite, answering (change "))
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                #expect(
                    text.contains(
                        "photodesk_http_requests_total{method=\"GET\",route=\"/photos/{id}\",status=\"200\"} 2"))
                #expect(
                    text.contains(
                        "photodesk_http_requests_total{method=\"GET\",route=\"/photos/{id}\",status=\"404\"} 1"))
                #expect(
                    text.contains(
                        "photodesk_http_request_duration_seconds_bucket{route=\"/photos/{id}\",le=\"+Inf\"} 3"))
                #expect(text.contains("photodesk_reader_cache_requests_total{result=\"hit\"} 1\n"))
                #expect(text.contains("photodesk_reader_cache_requests_total{result=\"miss\"} 2\n"))
                // Readers count what they can see, and nothing of the files.
                #expect(text.contains("photodesk_assets 2\n"))
                #expect(text.contains("photodesk_missing_captions 0\n"))
                #expect(text.contains("photodesk_ingested_files 0\n"))
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                response in
                let text = String(buffer: response.body)
                #expect(text.contains("photodesk_assets 3\n"))
                #expect(text.contains("photodesk_ingested_files 3\n"))
                #expect(text.contains("photodesk_missing_captions 1\n"))
            }
        }
    }

    @Test("the OpenAPI document parses and describes every API route; every other method is 405 with Allow")
    func openAPI() async throws {
        let fixture = try await GalleryFixture(captions: ["x"])
        let routes = try await fixture.server().router().routes.filter { $0.path.description.hasPrefix("/api/v1/") }
            .map { (String($0.path.description.dropFirst("/api/v1".count)), $0.method) }
        try await fixture.app().test(.router) { client in
            let document = try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                return try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            }
            #expect((document["openapi"] as? String)?.hasPrefix("3.") == true)
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var described = 0
            for (path, method) in routes {
                // The router also holds the 405 answers for the methods an address does not take;
                // those are not operations. Hummingbird writes parameters as {id}, as OpenAPI does.
                let uri =
                    "/api/v1"
                    + path.replacingOccurrences(of: "{id}", with: "0000000000000000").replacingOccurrences(
                        of: "{slug}", with: "nothing")
                let allow = try await client.execute(uri: uri, method: method) { response in
                    response.status == .methodNotAllowed ? response.headers[.allow] ?? "" : nil
                }
                let name = method.rawValue.lowercased()
                if let allow {
                    #expect(!allow.isEmpty && !allow.contains(method.rawValue), "\(name) \(path): Allow \(allow)")
                    #expect(paths[path]?[name] == nil, "\(name) \(path) is refused, yet described")
                } else {
                    #expect(paths[path]?[name] != nil, "\(name) \(path) is not described")
                    described += 1
                }
            }
            #expect(described >= 12)
        }
    }
}
