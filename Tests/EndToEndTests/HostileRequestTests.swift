import Catalog
import CatalogSQLite
import Desk
import Foundation
import Metadata
import PhotoFactory
import PhotoModel
import Testing

@testable import Gallery

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Every route of the gallery, spelled as Hummingbird's router spells it (method, then the path
/// with `{parameter}`). The list is written out here on purpose, and the first test compares it
/// with the routes the router registers: a new route fails that test until the hostile suite
/// covers it.
enum HostileRoutes {
    static let all: [String] = [
        "GET /", "GET /articles/{slug}", "POST /articles/{slug}/link", "POST /articles/{slug}/unlink",
        "GET /photos", "GET /photos/{id}", "POST /photos/{id}/caption", "GET /photos/{id}/history",
        "POST /photos/{id}/revert", "GET /search", "GET /feed.xml", "GET /articles/{slug}/feed.xml", "GET /login",
        "POST /login", "POST /logout", "GET /admin/users", "POST /admin/users", "POST /admin/users/{name}/remove",
        "POST /admin/users/{name}/token", "POST /admin/tokens/{id}/revoke", "GET /r/{id}/{file}",
        "HEAD /r/{id}/{file}", "GET /healthz", "GET /metrics", "GET /api/v1/assets", "GET /api/v1/assets/{id}",
        "GET /api/v1/assets/{id}/caption", "PATCH /api/v1/assets/{id}/caption", "GET /api/v1/assets/{id}/history",
        "GET /api/v1/assets/{id}/original",
        "POST /api/v1/assets/{id}/revert", "GET /api/v1/search", "GET /api/v1/articles", "GET /api/v1/articles/{slug}",
        "POST /api/v1/articles/{slug}/photos", "DELETE /api/v1/articles/{slug}/photos/{id}",
        "GET /api/v1/openapi.json", "GET /desk", "POST /photos/{id}/publish", "GET /articles/{slug}/crop/{position}",
        "POST /articles/{slug}/crop/{position}", "POST /articles/{slug}/publish", "GET /desk/upload",
        "POST /desk/upload", "POST /api/v1/uploads", "GET /api/v1/assets/{id}/rights",
        "POST /api/v1/assets/{id}/leases",
        "POST /api/v1/assets/{id}/leases/{lease}/revoke", "POST /api/v1/assets/{id}/kill",
        "POST /api/v1/assets/{id}/unkill", "GET /api/v1/kills", "POST /api/v1/articles/{slug}/publish",
        "POST /photos/{id}/lease", "POST /photos/{id}/kill", "GET /api/v1/ninjs/photos/{id}",
        "GET /api/v1/ninjs/articles/{slug}",
    ]
}

/// One extreme or malformed value. In a URL or form it is percent-escaped byte by byte (so NUL
/// arrives as `%00`, invalid UTF-8 as `%FF%FE`), unless it is `raw`: then it goes in as written.
struct HostileValue {
    var name: String
    var bytes: [UInt8]
    var raw = false

    init(_ name: String, _ text: String, raw: Bool = false) {
        self.name = name
        self.bytes = Array(text.utf8)
        self.raw = raw
    }

    init(_ name: String, bytes: [UInt8], raw: Bool = false) {
        self.name = name
        self.bytes = bytes
        self.raw = raw
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The whole number a bounded parser reads from the value, if it is one: an optional sign
    /// and decimal digits, with spaces around.
    var integer: Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !raw, !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (48...57).contains($0) || $0 == 43 || $0 == 45 })
        else { return nil }
        return Int(trimmed)
    }

    /// Whether nothing but spaces is left (a parameter given empty counts as absent).
    var isBlank: Bool { !raw && text.trimmingCharacters(in: .whitespaces).isEmpty }

    /// The values every parameter is tried with.
    static let all: [HostileValue] = [
        .init("Int.max", "9223372036854775807"), .init("Int.min", "-9223372036854775808"),
        .init("Int.max + 1", "9223372036854775808"), .init("24 digits", "999999999999999999999999"),
        .init("-0", "-0"), .init("-1", "-1"), .init("1e999", "1e999"),
        .init("NaN", "NaN"), .init("1.5", "1.5"),
        .init("empty", ""), .init("spaces", "   "), .init("10 kB of letters", String(repeating: "a", count: 10_240)),
        .init("10 kB of digits", String(repeating: "9", count: 10_240)), .init("NUL", "\u{0}"),
        .init("NUL inside", "12\u{0}34"), .init("invalid UTF-8", bytes: [0xFF, 0xFE]),
        .init("a lone continuation byte", bytes: [0x41, 0x80, 0x42]),
        .init("control characters", "\u{1}\u{8}\u{1B}[2J\u{7F}\u{9B}"), .init("CR LF", "a\r\nSet-Cookie: x=1"),
        .init("unbalanced quotes", "'\"a\"\"'"), .init("..", ".."),
        .init("a path out", "../../../../etc/passwd"), .init("a percent sign", "%"),
        .init("a mark joined to a quote", "ൎ\"ൎ:"), .init("search syntax", "a* OR NEAR(b c) \"d -e ^f"),
        .init("emoji", "👩‍👩‍👧‍👦"), .init("markup", "<script>alert(1)</script>{{x}}"),
        .init("right-to-left override", "\u{202E}gnp.exe"),
    ]

    /// Bytes no client library would put into a URL, sent as they are (the escaped forms of
    /// NUL, invalid UTF-8 and `..` are those of `all`).
    static let rawInURL: [HostileValue] = [
        .init("raw invalid UTF-8", bytes: [0xFF, 0xFE], raw: true), .init("malformed escape %zz", "%zz", raw: true),
        .init("a truncated escape", "%F", raw: true), .init("escaped dots", "%2e%2e", raw: true),
        .init("an escaped slash", "a%2Fb", raw: true), .init("escaped CR LF", "%0D%0A", raw: true),
    ]

    /// The values the issue names, for parameters whose every attempt is slow on purpose (a
    /// password goes through bcrypt).
    static let core: [HostileValue] = all.filter {
        [
            "Int.max", "Int.min", "-0", "1e999", "NaN", "10 kB of letters", "NUL", "invalid UTF-8",
            "control characters", "unbalanced quotes", "..",
        ].contains($0.name)
    }

    /// What a URL or form parameter is tried with.
    static let inURL = all + rawInURL

    /// Header values (no raw NUL, CR or LF, which end a header rather than sit in one).
    static let inHeader: [HostileValue] = [
        .init("Int.max", "9223372036854775807"), .init("Int.min", "-9223372036854775808"), .init("-0", "-0"),
        .init("1e999", "1e999"), .init("NaN", "NaN"), .init("empty", ""),
        .init("10 kB", String(repeating: "a", count: 10_240)), .init("invalid UTF-8", bytes: [0x61, 0xFF, 0xFE]),
        .init("control characters", "\u{1}\u{8}\u{1B}[2J\u{7F}"), .init("a quote", "\""),
        .init("unbalanced quotes", "W/\"1\"\""), .init("..", "../../etc/passwd"), .init("escapes", "%00%FF"),
    ]

    /// Percent-escapes every byte but the unreserved ones (RFC 3986, 2.3).
    static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        bytes.flatMap { byte -> [UInt8] in
            let unreserved =
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45
                || byte == 46 || byte == 95 || byte == 126
            return unreserved ? [byte] : Array(String(format: "%%%02X", byte).utf8)
        }
    }

    /// The value as it goes into a URL or a form.
    var inURL: [UInt8] { raw ? bytes : Self.escaped(bytes) }
}

/// What an answer's status must be.
enum Expectation: CustomStringConvertible {
    /// 2xx or 3xx: the request was valid and done.
    case success
    /// 4xx: the value is refused, with a reason.
    case refused
    /// Anything below 500.
    case answered

    func accepts(_ status: Int) -> Bool {
        switch self {
        case .success: (200..<400).contains(status)
        case .refused: (400..<500).contains(status)
        case .answered: (100..<500).contains(status)
        }
    }

    var description: String {
        switch self {
        case .success: "2xx or 3xx"
        case .refused: "4xx"
        case .answered: "below 500"
        }
    }
}

/// How a parameter's value decides the answer.
enum Rule {
    /// A whole number in a range: `valid` when the value is one (or blank: absent, unless
    /// `blankIsAbsent` is false, as for the API's `limit`, where `limit=` is a 400), 4xx otherwise.
    case integer(ClosedRange<Int>, valid: Expectation, blankIsAbsent: Bool = true)
    /// Free text of at most `maxBytes` (trimmed): `valid`, 4xx when longer.
    case text(maxBytes: Int?, valid: Expectation)
    /// One of a few words; blank counts as absent.
    case oneOf(Set<String>)
    /// A term of a field's closed list (its code or label, in any case); blank clears the field.
    case term(FieldVocabulary)
    /// A page token handed out by this list; blank counts as absent.
    case cursor
    /// Whatever the value: this.
    case always(Expectation)

    func expectation(for value: HostileValue, inTarget: Bool = false) -> Expectation {
        // A request target that is not UTF-8 text is refused before any route reads it.
        if inTarget && value.raw && value.bytes.contains(where: { $0 >= 0x80 }) { return .refused }
        switch self {
        case .integer(let range, let valid, let blankIsAbsent):
            if value.isBlank { return blankIsAbsent ? valid : .refused }
            return value.integer.map { range.contains($0) } == true ? valid : .refused
        case .text(let maxBytes, let valid):
            let length = value.text.trimmingCharacters(in: .whitespaces).utf8.count
            return maxBytes.map { length > $0 } == true ? .refused : valid
        case .oneOf(let words):
            return value.isBlank || words.contains(value.text) ? .success : .refused
        case .term(let vocabulary):
            // A raw value reaches the form decoded (an escaped CR LF is blank).
            let text = value.raw ? (value.text.removingPercentEncoding ?? value.text) : value.text
            let blank = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            return blank || vocabulary.code(for: text) != nil ? .success : .refused
        case .cursor:
            return value.isBlank ? .success : .refused
        case .always(let expectation):
            return expectation
        }
    }
}

/// A route's valid request, and what of it is tried with hostile values.
struct RouteCase {
    enum Auth {
        case reader, bearer, session
    }

    enum Varied {
        case path(String, Rule)
        case query(String, Rule)
        case form(String, Rule, values: [HostileValue] = HostileValue.inURL)
        /// Several fields of one form, each set to the same value in one request.
        case fields([String], Rule)
        case json([(String, [UInt8], Expectation)])
        case header(String, [(HostileValue, Expectation)])
    }

    var method: String
    var template: String
    var path: [String: String] = [:]
    var query: [(String, String)] = []
    var form: [(String, String)]?
    var json: String?
    var headers: [(String, String)] = []
    var auth: Auth = .reader
    var baseline: Expectation = .success
    var varied: [Varied] = []
    /// Each request comes from its own address (through the trusted proxy): the sign-in
    /// throttle then never stands between a value and the code it should reach.
    var ownClient = false
    /// The caption form's `revision` is read fresh before each request, so edits land.
    var freshRevision = false

    var route: String { "\(method) \(template)" }
    var writes: Bool { ["POST", "PATCH", "PUT", "DELETE"].contains(method) }
    var isAPI: Bool { template.hasPrefix("/api/") }
}

/// A request as bytes on the wire.
struct WireRequest {
    var method: String
    var target: [UInt8]
    var headers: [(String, [UInt8])]
    var body: [UInt8]?

    mutating func set(_ name: String, _ value: [UInt8]) {
        headers.removeAll { $0.0.lowercased() == name.lowercased() }
        headers.append((name, value))
    }

    var bytes: [UInt8] {
        var wire = Array("\(method) ".utf8) + target + Array(" HTTP/1.1\r\n".utf8)
        for (name, value) in headers { wire += Array("\(name): ".utf8) + value + [13, 10] }
        return wire + [13, 10] + (body ?? [])
    }
}

/// What is changed in a route's valid request.
enum Change {
    case none
    case path(String, HostileValue)
    case query(String, HostileValue)
    case form(String, HostileValue)
    case fields([String], HostileValue)
    case body([UInt8])
    case header(String, [UInt8])
}

/// A small library with an imported and published article, a photo published on its own, a
/// private one, an admin with an API token and a browser session, served by the real binary
/// (`serve --port 0 --trusted-proxy 127.0.0.1`).
final class HostileServer {
    static let password = "correct horse battery staple"
    static let article = "hostile-visit"
    static let draft = "hostile-draft"
    /// The pre-login cookie and form token of sign-in attempts (the server only compares them).
    static let loginSecret = "hostile-login-secret-0123456789"

    let work: TemporaryFolder
    let process: Process
    let logPath: String
    let port: Int
    let token: String
    let session: String
    let csrf: String
    /// Short ids: photos of the published article: one whose caption holds hostile text, one the
    /// API edits and reverts, one the form edits; one published on its own (whose history is
    /// read), one private.
    let storedPhoto: String
    let editedPhoto: String
    let formPhoto: String
    let soloPhoto: String
    let privatePhoto: String
    /// A rendition's file name (`thumb.webp`).
    let rendition: String
    /// A valid page token of the photo list.
    var photoCursor = ""

    init() async throws {
        work = try TemporaryFolder("hostile")
        let library = work.path + "/library"
        let names = ["stored", "edited", "form", "solo", "private"]
        for (index, name) in names.enumerated() {
            var photo = SyntheticPhoto(width: 480, height: 320, seed: index + 1)
            var iptc = IPTCValues()
            iptc.caption = "Phiên chợ Đồng Văn, \(name)"
            iptc.byline = ["Nguyễn Văn An"]
            iptc.specialInstructions = "Embargo until noon"
            photo.iptc = iptc
            photo.exif.latitude = 23.2783
            photo.exif.longitude = 105.3612
            try photo.write(to: work.file("desk/photos/\(name).jpg"))
        }
        let ingest = try Binary.run(["ingest", "--library", library, "--json", work.path + "/desk/photos"])
        try #require(ingest.status == 0, "\(ingest.stderr)")
        var ids: [String: String] = [:]
        for line in ingest.stdout.split(separator: "\n") {
            guard let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let path = record["path"] as? String, let id = record["id"] as? String
            else { continue }
            ids[URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent] = id
        }
        storedPhoto = try #require(ids["stored"])
        editedPhoto = try #require(ids["edited"])
        formPhoto = try #require(ids["form"])
        soloPhoto = try #require(ids["solo"])
        privatePhoto = try #require(ids["private"])
        // Markdown the server renders itself: unbalanced markers, a script link, an open bracket.
        try """
        ---
        slug: \(Self.article)
        headline: Bộ trưởng thăm "Hà Giang" <b>
        dateline: Hà Giang
        published: 2020-09-21
        byline: Nguyễn Văn An
        ---
        **Unclosed strong, *unclosed emphasis, `unclosed code, [a link](javascript:alert(1)) and [open(

        ![Chợ phiên.](photos/stored.jpg)
        ![](photos/edited.jpg)
        ![](photos/form.jpg)

        # A heading with **bold
        """.write(toFile: work.file("desk/article.md"), atomically: true, encoding: .utf8)
        try """
        ---
        slug: \(Self.draft)
        headline: A draft the probes link photos into
        ---
        Nothing yet.
        """.write(toFile: work.file("desk/draft.md"), atomically: true, encoding: .utf8)
        let imported = try Binary.run([
            "article", "import", "--library", library, work.path + "/desk/article.md", work.path + "/desk/draft.md",
        ])
        try #require(imported.status == 0, "\(imported.stderr)")
        let published = try Binary.run(["publish", "--library", library, soloPhoto])
        try #require(published.status == 0, "\(published.stderr)")
        let user = try Binary.run(
            ["user", "add", "admin", "--role", "admin", "--library", library], input: Self.password + "\n")
        try #require(user.status == 0, "\(user.stderr)")
        let issued = try Binary.run(["user", "token", "admin", "--library", library])
        try #require(issued.status == 0, "\(issued.stderr)")
        token = issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let show = try Binary.run(["show", "--library", library, "--json", storedPhoto])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let renditions = try #require(document["renditions"] as? [[String: Any]])
        let renditionPath = try #require(renditions.first?["path"] as? String)
        rendition = String(URL(fileURLWithPath: renditionPath).lastPathComponent.dropFirst(storedPhoto.count + 1))

        process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.arguments = ["serve", "--library", library, "--port", "0", "--trusted-proxy", "127.0.0.1"]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "PHOTODESK_HOME": Binary.root.path, "PHOTODESK_LOG": "warning",
        ]) { $1 }
        logPath = work.path + "/serve.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try process.run()
        let banner = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        let match = try #require(banner.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\//), "no banner: \(banner)")
        port = try #require(Int(match.output.1))

        // A browser session: sign in, then read the session's CSRF token from an editor's page.
        let form =
            "name=admin&password=\(Self.password.replacingOccurrences(of: " ", with: "+"))&csrf=\(Self.loginSecret)&next=%2F"
        let login = try #require(
            try await RawHTTPClient.exchange(
                port: port,
                WireRequest(
                    method: "POST", target: Array("/login".utf8),
                    headers: [
                        ("Host", Array("127.0.0.1".utf8)), ("Connection", Array("close".utf8)),
                        ("Cookie", Array("pd_login=\(Self.loginSecret)".utf8)),
                        ("Content-Type", Array("application/x-www-form-urlencoded".utf8)),
                        ("Content-Length", Array(String(form.utf8.count).utf8)),
                    ], body: Array(form.utf8)
                ).bytes))
        try #require(login.status == 303, "sign-in: \(login.status) \(login.text)")
        let cookie = try #require(
            login.headers.first { $0.name.lowercased() == "set-cookie" && $0.value.hasPrefix("pd_session=") }?.value)
        session = String(cookie.dropFirst("pd_session=".count).prefix { $0 != ";" })
        let page = try #require(
            try await RawHTTPClient.exchange(
                port: port,
                WireRequest(
                    method: "GET", target: Array("/photos/\(storedPhoto)".utf8),
                    headers: [
                        ("Host", Array("127.0.0.1".utf8)), ("Connection", Array("close".utf8)),
                        ("Cookie", Array("pd_session=\(session)".utf8)),
                    ]
                ).bytes))
        let html = page.text
        let field = try #require(html.range(of: "name=\"csrf\" value=\""), "no CSRF token on the editor's page")
        csrf = String(html[field.upperBound...].prefix { $0 != "\"" })
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// The server's log lines at warning and above, for a failure message.
    var logTail: String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(5).joined(separator: "\n")
    }
}

/// Sends the probes, checks each answer and that the server is still up after each.
final class ProbeRun {
    let server: HostileServer
    private(set) var probed: [String: Int] = [:]
    private var clients = 0
    private var revisions: [String: Int] = [:]

    init(server: HostileServer) {
        self.server = server
    }

    /// A route's valid request with one change.
    func request(_ route: RouteCase, _ change: Change) async throws -> WireRequest {
        var target: [UInt8] = []
        for segment in route.template.split(separator: "/") {
            target.append(47)
            if segment.hasPrefix("{") {
                let name = String(segment.dropFirst().dropLast())
                if case .path(name, let value) = change {
                    target += value.inURL
                } else {
                    target += HostileValue.escaped(Array((route.path[name] ?? "").utf8))
                }
            } else {
                target += Array(segment.utf8)
            }
        }
        if target.isEmpty { target = [47] }
        var query = route.query.map { ($0.0, HostileValue.escaped(Array($0.1.utf8))) }
        if case .query(let name, let value) = change {
            query.removeAll { $0.0 == name }
            query.append((name, value.inURL))
        }
        if !query.isEmpty {
            target += [63] + Array(query.map { Array($0.0.utf8) + [61] + $0.1 }.joined(separator: [38]))
        }
        var headers: [(String, [UInt8])] = [
            ("Host", Array("127.0.0.1:\(server.port)".utf8)), ("Connection", Array("close".utf8)),
        ]
        // A session (not a bearer token) is what must send X-CSRF-Token with an API write.
        var auth = route.auth
        if case .header("X-CSRF-Token", _) = change { auth = .session }
        switch auth {
        case .reader: break
        case .bearer: headers.append(("Authorization", Array("Bearer \(server.token)".utf8)))
        case .session:
            headers.append(("Cookie", Array("pd_session=\(server.session)".utf8)))
            if route.isAPI && route.writes { headers.append(("X-CSRF-Token", Array(server.csrf.utf8))) }
        }
        headers += route.headers.map { ($0.0, Array($0.1.utf8)) }
        if route.ownClient {
            clients += 1
            headers.append(
                ("X-Forwarded-For", Array("10.\(clients / 65536 % 256).\(clients / 256 % 256).\(clients % 256)".utf8)))
        }
        var request = WireRequest(method: route.method, target: target, headers: headers, body: nil)
        if var form = route.form {
            if auth == .session && !form.contains(where: { $0.0 == "csrf" }) { form.append(("csrf", server.csrf)) }
            var fields = form.map { ($0.0, HostileValue.escaped(Array($0.1.utf8))) }
            if route.freshRevision, !fields.contains(where: { $0.0 == "revision" }) {
                fields.append(("revision", Array(String(try await revision(of: route.path["id"] ?? "")).utf8)))
            }
            let changed: (names: [String], value: HostileValue)? =
                switch change {
                case .form(let name, let value): ([name], value)
                case .fields(let names, let value): (names, value)
                default: nil
                }
            if let changed {
                fields.removeAll { changed.names.contains($0.0) }
                fields += changed.names.map { ($0, changed.value.inURL) }
            }
            request.body = Array(fields.map { Array($0.0.utf8) + [61] + $0.1 }.joined(separator: [38]))
            request.set("Content-Type", Array("application/x-www-form-urlencoded".utf8))
        }
        if let json = route.json {
            request.body = Array(json.utf8)
            request.set("Content-Type", Array("application/json".utf8))
        }
        if case .body(let body) = change { request.body = body }
        if request.body != nil || route.writes {
            request.set("Content-Length", Array(String(request.body?.count ?? 0).utf8))
        }
        if case .header(let name, let value) = change {
            if name.lowercased() == "transfer-encoding" {
                request.headers.removeAll { $0.0.lowercased() == "content-length" }
            }
            request.set(name, value)
        }
        return request
    }

    /// The caption's current revision: asked of the API once, then followed through the
    /// `saved=` of each edit's redirect.
    func revision(of id: String) async throws -> Int {
        if let known = revisions[id] { return known }
        let answer = try #require(
            try await RawHTTPClient.exchange(
                port: server.port,
                WireRequest(
                    method: "GET", target: Array("/api/v1/assets/\(id)/caption".utf8),
                    headers: [
                        ("Host", Array("127.0.0.1".utf8)), ("Connection", Array("close".utf8)),
                        ("Authorization", Array("Bearer \(server.token)".utf8)),
                    ]
                ).bytes))
        let body = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        let revision = try #require(body["revision"] as? Int)
        revisions[id] = revision
        return revision
    }

    /// Sends one request and checks its answer and the server's life; the answer.
    @discardableResult
    func send(
        _ request: WireRequest, route: String, what: String, expect: Expectation,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RawHTTPClient.Answer? {
        probed[route, default: 0] += 1
        let answer: RawHTTPClient.Answer?
        do {
            answer = try await RawHTTPClient.exchange(
                port: server.port, request.bytes, hasBody: request.method != "HEAD")
        } catch {
            Issue.record("\(route) with \(what): \(error)", sourceLocation: sourceLocation)
            answer = nil
        }
        if let answer {
            let log = answer.status >= 500 ? "\nserver log:\n\(server.logTail)" : ""
            #expect(
                expect.accepts(answer.status),
                "\(route) with \(what): \(answer.status), expected \(expect): \(answer.text.prefix(300))\(log)",
                sourceLocation: sourceLocation)
        } else {
            Issue.record(
                "\(route) with \(what): the connection closed without an answer", sourceLocation: sourceLocation)
        }
        try await requireAlive(after: "\(route) with \(what)", sourceLocation: sourceLocation)
        if let location = answer?.header("Location"),
            let saved = location.firstMatch(of: /\/photos\/(\w+)\?saved=(\d+)$/)
        {
            revisions[String(saved.output.1)] = Int(saved.output.2)
        }
        return answer
    }

    /// Fails the test at once when the server has exited or does not answer `/healthz`.
    func requireAlive(after what: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try #require(
            server.process.isRunning, "the server exited after \(what):\n\(server.logTail)",
            sourceLocation: sourceLocation)
        let health = try await RawHTTPClient.exchange(
            port: server.port, Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        try #require(
            health?.status == 200, "/healthz after \(what): \(health?.status ?? 0)\n\(server.logTail)",
            sourceLocation: sourceLocation)
    }

    /// The route's valid request, then each varied part with each hostile value.
    func probe(_ route: RouteCase) async throws {
        try await send(
            try await request(route, .none), route: route.route, what: "its valid request", expect: route.baseline)
        for varied in route.varied {
            switch varied {
            case .path(let name, let rule):
                for value in HostileValue.inURL {
                    // An empty segment is another address (`/photos/` is the list), not a value.
                    try await send(
                        try await request(route, .path(name, value)), route: route.route,
                        what: "{\(name)} = \(value.name)",
                        expect: value.bytes.isEmpty ? .answered : rule.expectation(for: value, inTarget: true))
                }
            case .query(let name, let rule):
                for value in HostileValue.inURL {
                    try await send(
                        try await request(route, .query(name, value)), route: route.route,
                        what: "?\(name)= \(value.name)",
                        expect: rule.expectation(for: value, inTarget: true))
                }
            case .form(let name, let rule, let values):
                for value in values {
                    try await send(
                        try await request(route, .form(name, value)), route: route.route,
                        what: "form field \(name) = \(value.name)", expect: rule.expectation(for: value))
                }
            case .fields(let names, let rule):
                for value in HostileValue.inURL {
                    try await send(
                        try await request(route, .fields(names, value)), route: route.route,
                        what: "form fields \(names.joined(separator: ", ")) = \(value.name)",
                        expect: rule.expectation(for: value))
                }
            case .json(let bodies):
                for (name, body, expect) in bodies {
                    try await send(
                        try await request(route, .body(body)), route: route.route, what: "JSON body \(name)",
                        expect: expect)
                }
            case .header(let name, let values):
                for (value, expect) in values {
                    try await send(
                        try await request(route, .header(name, value.bytes)), route: route.route,
                        what: "\(name): \(value.name)", expect: expect)
                }
            }
        }
    }
}

@Suite("Hostile requests against a live photodesk serve", .serialized)
struct HostileRequestTests {
    @Test("the suite's route list is every route the gallery's router registers")
    func coversEveryRoute() async throws {
        let work = try TemporaryFolder("hostile-routes")
        let library = Library(path: work.path + "/library")
        let desk = Desk(store: try SQLiteCatalog(library: library), library: library)
        let server = GalleryServer(
            desk: desk, configuration: .init(assetsPath: Binary.root.appendingPathComponent("Assets").path),
            accessLog: false)
        // The 405 answers MethodGuard registers for the methods an address does not take are
        // not routes of their own; the method sweep below sends them all.
        let guards = Set(
            MethodGuard.routes.flatMap { path, allowed in
                MethodGuard.all.filter { !allowed.contains($0) }.map {
                    "\($0.rawValue) " + path.replacing(/:(\w+)/) { "{\($0.output.1)}" }
                }
            })
        let registered = Set(try await server.router().routes.map { "\($0.method.rawValue) \($0.path.description)" })
            .subtracting(guards)
        #expect(
            registered.subtracting(HostileRoutes.all).sorted() == [],
            "routes the hostile-request suite does not cover: add them to HostileRoutes.all and to the probes")
        #expect(
            Set(HostileRoutes.all).subtracting(registered).sorted() == [],
            "routes HostileRoutes.all lists that the router does not have")
    }

    @Test(
        "every route and parameter: extreme and malformed values are answered below 500 (4xx for typed ones), and the server stays up after each"
    )
    func everyRouteAndParameter() async throws {
        let server = try await HostileServer()
        defer { server.stop() }
        let run = ProbeRun(server: server)
        try await storeHostileText(run)
        for route in Self.routes(server) { try await run.probe(route) }
        try await methodsOnEveryAddress(run)
        try await staticFiles(run)
        try await malformedHTTP(run)
        try await signOut(run)
        for route in HostileRoutes.all {
            #expect(run.probed[route, default: 0] > 0, "\(route) was never probed")
        }
    }

    // MARK: The routes, their valid requests and what is varied

    static func routes(_ server: HostileServer) -> [RouteCase] {
        let stored = server.storedPhoto
        let edited = server.editedPhoto
        let solo = server.soloPhoto
        let id = RouteCase.Varied.path("id", .always(.refused))
        let slug = RouteCase.Varied.path("slug", .always(.refused))
        let csrf = RouteCase.Varied.form("csrf", .always(.refused))
        let limit = RouteCase.Varied.query("limit", .integer(1...200, valid: .success, blankIsAbsent: false))
        let searchText = ["q", "byline", "from", "to", "article", "camera"].map {
            RouteCase.Varied.query($0, .text(maxBytes: SearchRoutes.maxText, valid: .success))
        }
        let missing = RouteCase.Varied.query("missing", .oneOf(Set(SearchQuery.missingFields.map(\.rawValue))))
        let searchCursor = RouteCase.Varied.query("after", .cursor)
        let photoCursor = RouteCase.Varied.query("after", .cursor)
        // The free-text caption fields go through one loop: each value is sent in all of them at
        // once; a field with a closed list (the releases) takes its terms only, one field at a time.
        let captionFields = RouteCase.Varied.fields(
            CaptionField.allCases.filter { $0.metadata.vocabulary == nil }.map(\.rawValue),
            .text(maxBytes: nil, valid: .success))
        let termFields = CaptionField.allCases.compactMap { field in
            field.metadata.vocabulary.map { RouteCase.Varied.form(field.rawValue, .term($0)) }
        }
        let list: [RouteCase] = [
            RouteCase(
                method: "GET", template: "/", query: [("page", "1")], varied: [.query("page", .always(.success))]),
            RouteCase(
                method: "GET", template: "/articles/{slug}", path: ["slug": HostileServer.article], varied: [slug]),
            RouteCase(
                method: "POST", template: "/articles/{slug}/link", path: ["slug": HostileServer.draft],
                form: [("photo", solo), ("position", "1"), ("caption", "As used in the draft")], auth: .session,
                varied: [
                    .path("slug", .always(.refused)), .form("photo", .always(.refused)),
                    .form("position", .integer(1...1_000_000, valid: .success)),
                    .form("caption", .text(maxBytes: nil, valid: .success)), csrf,
                ]),
            RouteCase(
                method: "POST", template: "/articles/{slug}/unlink", path: ["slug": HostileServer.draft],
                form: [("photo", solo)], auth: .session, baseline: .answered,
                varied: [.path("slug", .always(.refused)), .form("photo", .always(.refused)), csrf]),
            RouteCase(
                method: "GET", template: "/photos", query: [("missing", "caption")],
                varied: [.query("missing", .oneOf(Set(SearchQuery.missingFields.map(\.rawValue)))), photoCursor]),
            RouteCase(
                method: "GET", template: "/photos/{id}", path: ["id": stored], query: [("saved", "1")],
                auth: .session, varied: [id, .query("saved", .integer(0...Int.max, valid: .success))]),
            RouteCase(
                method: "POST", template: "/photos/{id}/caption", path: ["id": server.formPhoto],
                form: [("caption", "A caption from the form")], auth: .session,
                varied: [id, .form("revision", .always(.refused)), csrf, captionFields] + termFields,
                freshRevision: true),
            RouteCase(
                method: "GET", template: "/photos/{id}/history", path: ["id": solo], auth: .session, varied: [id]),
            RouteCase(
                method: "POST", template: "/photos/{id}/revert", path: ["id": edited], form: [("revision", "1")],
                auth: .session, varied: [id, .form("revision", .always(.refused)), csrf]),
            RouteCase(
                method: "GET", template: "/search", query: [("q", "chợ"), ("byline", "Nguyễn")],
                varied: searchText + [missing, searchCursor]),
            RouteCase(method: "GET", template: "/feed.xml"),
            RouteCase(
                method: "GET", template: "/articles/{slug}/feed.xml", path: ["slug": HostileServer.article],
                varied: [slug]),
            RouteCase(
                method: "GET", template: "/login", query: [("next", "/photos")],
                headers: [("Cookie", "pd_login=\(HostileServer.loginSecret)")],
                varied: [.query("next", .always(.success))]),
            // Sign-in attempts with a password bcrypt is never run for (it holds a NUL), but
            // for the password's own probes.
            RouteCase(
                method: "POST", template: "/login",
                form: [
                    ("name", "admin"), ("password", "wrong\u{0}password"), ("csrf", HostileServer.loginSecret),
                    ("next", "/photos"),
                ], headers: [("Cookie", "pd_login=\(HostileServer.loginSecret)")], baseline: .refused,
                varied: [
                    .form("name", .always(.refused)),
                    .form("password", .always(.refused), values: HostileValue.core),
                    .form("next", .always(.refused)), .form("csrf", .always(.refused)),
                ], ownClient: true),
            RouteCase(
                method: "POST", template: "/logout", form: [("csrf", "not the session's token")], auth: .session,
                baseline: .refused, varied: [csrf]),
            RouteCase(method: "GET", template: "/admin/users", auth: .session),
            RouteCase(
                method: "POST", template: "/admin/users",
                form: [("name", "probe-user"), ("password", "short"), ("role", "editor")], auth: .session,
                baseline: .refused,
                varied: [
                    .form("name", .always(.refused)),
                    .form("password", .always(.answered), values: HostileValue.core),
                    .form("role", .always(.refused)), csrf,
                ]),
            RouteCase(
                method: "POST", template: "/admin/users/{name}/remove", path: ["name": "nobody"], form: [],
                auth: .session, baseline: .refused, varied: [.path("name", .always(.refused)), csrf]),
            RouteCase(
                method: "POST", template: "/admin/users/{name}/token", path: ["name": "admin"],
                form: [("label", "a probe")], auth: .session,
                varied: [
                    .path("name", .always(.refused)), .form("label", .text(maxBytes: nil, valid: .success)), csrf,
                ]),
            RouteCase(
                method: "POST", template: "/admin/tokens/{id}/revoke", path: ["id": "tok_nothing"], form: [],
                auth: .session, baseline: .refused, varied: [.path("id", .always(.refused)), csrf]),
            RouteCase(
                method: "GET", template: "/r/{id}/{file}", path: ["id": stored, "file": server.rendition],
                varied: [.path("id", .always(.refused)), .path("file", .always(.refused))] + Self.renditionHeaders),
            RouteCase(
                method: "GET", template: "/r/{id}/{file}", path: ["id": stored, "file": server.rendition],
                headers: [("Range", "bytes=0-1")],
                varied: [.header("If-Range", HostileValue.inHeader.map { ($0, .answered) })]),
            RouteCase(
                method: "HEAD", template: "/r/{id}/{file}", path: ["id": stored, "file": server.rendition],
                varied: [.path("id", .always(.refused)), .path("file", .always(.refused))] + Self.renditionHeaders),
            RouteCase(method: "GET", template: "/healthz"),
            RouteCase(method: "GET", template: "/metrics", auth: .bearer),
            RouteCase(
                method: "GET", template: "/api/v1/assets", query: [("limit", "2")], varied: [limit, photoCursor]),
            RouteCase(method: "GET", template: "/api/v1/assets/{id}", path: ["id": stored], varied: [id]),
            RouteCase(method: "GET", template: "/api/v1/assets/{id}/caption", path: ["id": stored], varied: [id]),
            RouteCase(
                method: "PATCH", template: "/api/v1/assets/{id}/caption", path: ["id": edited],
                json: #"{"headline": "From the API"}"#, headers: [("If-Match", "*")], auth: .bearer,
                varied: [id, .json(Self.captionBodies), .header("If-Match", Self.ifMatchValues)]),
            RouteCase(
                method: "GET", template: "/api/v1/assets/{id}/history", path: ["id": solo], auth: .bearer,
                varied: [id]),
            RouteCase(
                method: "GET", template: "/api/v1/assets/{id}/original", path: ["id": stored], auth: .bearer,
                varied: [id]),
            RouteCase(
                method: "POST", template: "/api/v1/assets/{id}/revert", path: ["id": edited],
                json: #"{"revision": 1}"#, auth: .bearer, varied: [id, .json(Self.revertBodies)]),
            RouteCase(
                method: "GET", template: "/api/v1/search", query: [("q", "chợ"), ("limit", "5")],
                varied: searchText + [missing, searchCursor, limit]),
            RouteCase(method: "GET", template: "/api/v1/articles", query: [("limit", "5")], varied: [limit]),
            RouteCase(
                method: "GET", template: "/api/v1/articles/{slug}", path: ["slug": HostileServer.article],
                varied: [slug]),
            RouteCase(
                method: "POST", template: "/api/v1/articles/{slug}/photos", path: ["slug": HostileServer.draft],
                json: #"{"photos": ["\#(solo)"], "position": 1, "caption": "From the API"}"#, auth: .bearer,
                varied: [.path("slug", .always(.refused)), .json(Self.linkBodies(solo))]),
            RouteCase(
                method: "DELETE", template: "/api/v1/articles/{slug}/photos/{id}",
                path: ["slug": HostileServer.draft, "id": solo], auth: .bearer, baseline: .answered,
                varied: [.path("slug", .always(.refused)), id]),
            RouteCase(method: "GET", template: "/api/v1/openapi.json"),
            RouteCase(method: "GET", template: "/desk", auth: .session),
            // Publishing again a photo already published on its own: the request is valid and
            // changes nothing the other probes rely on.
            RouteCase(
                method: "POST", template: "/photos/{id}/publish", path: ["id": solo], form: [("action", "publish")],
                auth: .session, varied: [id, .form("action", .always(.refused)), csrf]),
            RouteCase(
                method: "GET", template: "/articles/{slug}/crop/{position}",
                path: ["slug": HostileServer.article, "position": "1"], auth: .session,
                varied: [slug, .path("position", .always(.refused))]),
            RouteCase(
                method: "POST", template: "/articles/{slug}/crop/{position}",
                path: ["slug": HostileServer.article, "position": "1"], form: [("preset", "square")], auth: .session,
                varied: [
                    slug, .path("position", .always(.refused)), .form("preset", .always(.answered)),
                    .form("x", .always(.answered)), .form("width", .always(.answered)), csrf,
                ]),
            // The draft taken back to draft: valid, and nothing becomes public.
            RouteCase(
                method: "POST", template: "/articles/{slug}/publish", path: ["slug": HostileServer.draft],
                form: [("action", "unpublish")], auth: .session,
                varied: [
                    slug, .form("action", .always(.refused)), .form("at", .always(.answered)),
                    .form("offset", .always(.answered)), csrf,
                ]),
            RouteCase(method: "GET", template: "/desk/upload", auth: .session),
            // A form without files: refused (the page's form is multipart), whatever its fields.
            RouteCase(
                method: "POST", template: "/desk/upload", form: [("note", "no files")], auth: .session,
                baseline: .answered, varied: [csrf]),
            // Rights. An allowing lease on a photo anyone may use changes nothing the other probes
            // rely on; kills are probed without a reason (refused), so nothing is withdrawn.
            RouteCase(
                method: "GET", template: "/api/v1/assets/{id}/rights", path: ["id": stored], auth: .bearer,
                varied: [id]),
            RouteCase(
                method: "POST", template: "/api/v1/assets/{id}/leases", path: ["id": solo],
                json: #"{"allow": true, "note": "probe"}"#, auth: .bearer, varied: [id, .json(Self.leaseBodies)]),
            RouteCase(
                method: "POST", template: "/api/v1/assets/{id}/leases/{lease}/revoke",
                path: ["id": solo, "lease": "999999"], json: #"{"note": "probe"}"#, auth: .bearer,
                baseline: .refused, varied: [id, .path("lease", .always(.refused))]),
            RouteCase(
                method: "POST", template: "/api/v1/assets/{id}/kill", path: ["id": solo], json: #"{"reason": ""}"#,
                auth: .bearer, baseline: .refused, varied: [id]),
            RouteCase(
                method: "POST", template: "/api/v1/assets/{id}/unkill", path: ["id": solo],
                json: #"{"reason": "probe"}"#, auth: .bearer, baseline: .refused, varied: [id]),
            RouteCase(method: "GET", template: "/api/v1/kills", auth: .bearer),
            // The draft scheduled for 2099: nothing becomes public.
            RouteCase(
                method: "POST", template: "/api/v1/articles/{slug}/publish", path: ["slug": HostileServer.draft],
                json: #"{"at": "2099-01-01T00:00:00Z"}"#, auth: .bearer,
                varied: [.path("slug", .always(.refused)), .json(Self.publishBodies)]),
            RouteCase(
                method: "POST", template: "/photos/{id}/lease", path: ["id": solo],
                form: [("kind", "allow"), ("note", "probe")], auth: .session,
                varied: [
                    id, .form("kind", .always(.refused)), .form("from", .always(.answered)),
                    .form("until", .always(.answered)), .form("revoke", .always(.answered)), csrf,
                ]),
            RouteCase(
                method: "POST", template: "/photos/{id}/kill", path: ["id": solo], form: [("action", "kill")],
                auth: .session, baseline: .refused, varied: [id, .form("action", .always(.refused)), csrf]),
            RouteCase(method: "GET", template: "/api/v1/ninjs/photos/{id}", path: ["id": stored], varied: [id]),
            RouteCase(
                method: "GET", template: "/api/v1/ninjs/articles/{slug}", path: ["slug": HostileServer.article],
                varied: [slug]),
            // One file as the body: not a photo, so its outcome is "failed", in a 200 or a 4xx.
            RouteCase(
                method: "POST", template: "/api/v1/uploads", query: [("name", "probe.jpg")],
                json: #"{"not": "a photo"}"#, auth: .bearer, baseline: .answered,
                varied: [.query("name", .always(.answered))]),
        ]
        return list.map { route in
            var route = route
            route.varied += Self.everyRequestHeaders(route)
            return route
        }
    }

    /// Each value with one expectation.
    static func each(_ values: [HostileValue], _ expect: Expectation) -> [(HostileValue, Expectation)] {
        values.map { ($0, expect) }
    }

    /// JSON bodies from text.
    static func bodies(_ list: [(String, String, Expectation)]) -> [(String, [UInt8], Expectation)] {
        list.map { ($0.0, Array($0.1.utf8), $0.2) }
    }

    /// The headers every request is read for (who asks, from where, with what body), each
    /// with its hostile values; what the answer must be depends on the route.
    static func everyRequestHeaders(_ route: RouteCase) -> [RouteCase.Varied] {
        // The middleware reads Authorization, Cookie, X-Forwarded-For and Host the same way
        // before every route: the routes that matter most get every value, the others a few.
        let full = [
            "GET /photos/{id}", "POST /photos/{id}/caption", "PATCH /api/v1/assets/{id}/caption", "GET /r/{id}/{file}",
            "POST /login", "GET /feed.xml",
        ].contains(route.route)
        let values =
            full
            ? HostileValue.inHeader
            : HostileValue.inHeader.filter {
                ["Int.max", "10 kB", "invalid UTF-8", "control characters", "unbalanced quotes"].contains($0.name)
            }
        // An unreadable Authorization is refused everywhere but where the memory fast path
        // answers a public rendition before any middleware runs.
        let authorization: Expectation = route.template.hasPrefix("/r/") ? .answered : .refused
        let bearers: [HostileValue] =
            !full
            ? []
            : [
                .init("Basic", "Basic YWRtaW46eA=="), .init("Bearer alone", "Bearer"),
                .init("a bearer NUL escape", "Bearer pdt_%00"),
                .init("a 10 kB bearer token", "Bearer " + String(repeating: "t", count: 10_240)),
            ]
        let sessions = values.map { HostileValue("pd_session=" + $0.name, bytes: Array("pd_session=".utf8) + $0.bytes) }
        let cookies: [HostileValue] =
            sessions
            + (!full
                ? []
                : [
                    .init("10 kB", String(repeating: "a", count: 10_240)), .init("only a quote", "\""),
                    .init("a thousand cookies", String(repeating: "a=1; ", count: 1_000)),
                    .init("an unbalanced quote", "pd_session=\"abc; pd_login=\""),
                ])
        let forwarded: [HostileValue] =
            !full
            ? []
            : [
                .init("a list with junk", "1.2.3.4, ::1, 300.1.1.1, unknown"),
                .init("a mapped address", "::ffff:127.0.0.1"),
                .init("a hundred hops", String(repeating: "10.0.0.1, ", count: 100)),
            ]
        var varied: [RouteCase.Varied] = [
            .header("Authorization", each(values + bearers, authorization)),
            .header("Cookie", each(cookies, .answered)),
            .header("X-Forwarded-For", each(values + forwarded, .answered)),
        ]
        // Host keys the readers' page cache and makes the absolute URLs of pages and feeds.
        if route.method == "GET" || route.method == "HEAD" {
            varied.append(.header("Host", each(values.filter { !$0.bytes.isEmpty }, .answered)))
        }
        // Whether the client used TLS, as a trusted proxy says: read where a cookie is set or an
        // absolute URL made.
        let readsScheme = [
            "GET /login", "POST /login", "POST /logout", "GET /articles/{slug}", "GET /photos/{id}", "GET /feed.xml",
            "GET /articles/{slug}/feed.xml",
        ]
        if readsScheme.contains(route.route) {
            varied += [
                .header("X-Forwarded-Proto", each(HostileValue.inHeader, .answered)),
                .header("Forwarded", each(HostileValue.inHeader, .answered)),
            ]
        }
        let hasBody = route.form != nil || route.json != nil
        if route.writes {
            let types: [HostileValue] = [
                .init("multipart without a boundary", "multipart/form-data; boundary=\""),
                .init("UTF-16 JSON", "application/json; charset=utf-16"),
            ]
            let lengths: [HostileValue] = [
                .init("Int.max", "9223372036854775807"), .init("Int.max + 1", "9223372036854775808"),
                .init("24 digits", "999999999999999999999999"), .init("-1", "-1"), .init("-0", "-0"),
                .init("1e999", "1e999"), .init("NaN", "NaN"), .init("two values", "1, 2"),
                .init("10 kB of digits", String(repeating: "9", count: 10_240)), .init("empty", ""),
            ]
            varied += [
                .header("Content-Type", each(values + types, .answered)),
                .header("Content-Length", each(lengths, hasBody ? .refused : .answered)),
            ]
            if route.isAPI {
                // A session (not a bearer token) must send its CSRF token with API writes.
                varied.append(.header("X-CSRF-Token", each(values, .refused)))
            }
        }
        if hasBody {
            // A body that is not chunked, announced as chunked (or as a coding no one knows).
            let codings: [HostileValue] = [
                .init("gzip", "gzip"), .init("chunked twice", "chunked, chunked"), .init("NaN", "NaN"),
            ]
            varied.append(.header("Transfer-Encoding", each(codings, .refused)))
        }
        return varied
    }

    /// Range and If-None-Match on a rendition.
    static let renditionHeaders: [RouteCase.Varied] = {
        let valid: [HostileValue] = [
            .init("bytes=0-Int.max", "bytes=0-9223372036854775807"),
            .init("bytes=0-24 digits", "bytes=0-999999999999999999999999"),
            .init("bytes=-Int.min", "bytes=-9223372036854775808"), .init("bytes=0-0,-1", "bytes=0-0,-1"),
            .init("bytes= 0-1", "bytes= 0-1"),
        ]
        let malformed: [HostileValue] = [
            .init("bytes=Int.max-", "bytes=9223372036854775807-"),
            .init("bytes=24 digits-", "bytes=999999999999999999999999-"),
            .init("bytes=Int.max-Int.max", "bytes=9223372036854775807-9223372036854775807"),
            .init("bytes=-0", "bytes=-0"), .init("bytes=1e999-", "bytes=1e999-"), .init("bytes=NaN-", "bytes=NaN-"),
            .init("bytes=5-1", "bytes=5-1"), .init("bytes=-", "bytes=-"), .init("bytes=0--1", "bytes=0--1"),
            .init("bytes=-0-1", "bytes=-0-1"), .init("bytes=+1-2", "bytes=+1-2"), .init("bytes=\"0-1", "bytes=\"0-1"),
            .init("items=0-1", "items=0-1"),
            .init("bytes=10 kB-", "bytes=" + String(repeating: "1", count: 10_240) + "-"),
        ]
        return [
            .header("Range", each(HostileValue.inHeader + malformed, .refused) + each(valid, .success)),
            .header("If-None-Match", each(HostileValue.inHeader + [.init("*", "*")], .answered)),
        ]
    }()

    /// `If-Match` on a caption edit: a malformed revision matches nothing (412).
    static let ifMatchValues: [(HostileValue, Expectation)] = each(
        HostileValue.inHeader + [
            .init("a weak Int.max", "W/\"9223372036854775807\""),
            .init("Int.max + 1 quoted", "\"9223372036854775808\""),
            .init("-1 quoted", "\"-1\""), .init("a list", "\"1\", \"2\""), .init("W/ alone", "W/"),
            .init("quotes alone", "\"\""),
        ], .refused)

    /// JSON the caption edit is sent: wrong types, nesting, numbers no type holds.
    static let captionBodies: [(String, [UInt8], Expectation)] =
        bodies([
            ("a number for a text", #"{"caption": 1}"#, .refused),
            ("a list for a text", #"{"caption": ["a"]}"#, .refused),
            ("an object for a text", #"{"caption": {"a": 1}}"#, .refused),
            ("numbers for keywords", #"{"keywords": [1, 2]}"#, .refused),
            ("keywords as a list", #"{"keywords": ["a", "b"]}"#, .success),
            ("null clears", #"{"credit": null}"#, .success), ("an unknown field", #"{"captions": "x"}"#, .refused),
            ("no field", "{}", .refused), ("a list", "[]", .refused), ("null", "null", .refused),
            ("a string", #""caption""#, .refused), ("1e999", "1e999", .refused), ("NaN", "NaN", .refused),
            ("Int.max + 1", "9223372036854775808", .refused),
            ("a number too large for a Double", #"{"caption": 1e999}"#, .refused), ("empty", "", .refused),
            ("cut short", #"{"caption": "x"#, .refused), ("a NUL escape", #"{"caption": "a\u0000b"}"#, .success),
            ("control escapes", #"{"caption": "\u001b[2J\u0007\u009b"}"#, .success),
            ("a lone surrogate", #"{"caption": "\ud800"}"#, .answered),
            ("10 kB of text", #"{"caption": ""# + String(repeating: "a", count: 10_240) + #""}"#, .success),
            ("a list nested 100 000 deep", String(repeating: "[", count: 100_000), .refused),
            (
                "an object nested 20 000 deep",
                #"{"caption": "# + String(repeating: #"{"a": "#, count: 20_000) + "1"
                    + String(repeating: "}", count: 20_001), .refused
            ),
            ("the same field twice", #"{"caption": "a", "caption": "b"}"#, .answered),
            ("a byte order mark", "\u{FEFF}{\"caption\": \"x\"}", .answered),
        ]) + [
            ("invalid UTF-8 in a text", Array(#"{"caption": ""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8), .refused),
            (
                "over the body limit",
                Array(#"{"caption": ""#.utf8) + Array(repeating: 97, count: 300 << 10) + Array(#""}"#.utf8), .refused
            ),
        ]

    /// JSON the revert is sent.
    static let revertBodies: [(String, [UInt8], Expectation)] = bodies([
        ("Int.max", #"{"revision": 9223372036854775807}"#, .refused),
        ("Int.max + 1", #"{"revision": 9223372036854775808}"#, .refused),
        ("Int.min", #"{"revision": -9223372036854775808}"#, .refused), ("-0", #"{"revision": -0}"#, .refused),
        ("1e999", #"{"revision": 1e999}"#, .refused), ("NaN", #"{"revision": NaN}"#, .refused),
        ("1.5", #"{"revision": 1.5}"#, .refused), ("a string", #"{"revision": "1"}"#, .refused),
        ("null", #"{"revision": null}"#, .refused), ("a list", #"{"revision": [1]}"#, .refused),
        ("nested 100 000 deep", #"{"revision": "# + String(repeating: "[", count: 100_000), .refused),
        ("no body", "", .refused), ("a list for the object", "[1]", .refused),
    ])

    /// JSON placing photos in an article.
    /// Lease bodies: wrong types, times that are not times, a lease that ends before it starts.
    static let leaseBodies: [(String, [UInt8], Expectation)] = bodies([
        ("allow as text", #"{"allow": "yes", "note": "x"}"#, .refused),
        ("no note", #"{"allow": true}"#, .refused), ("empty note", #"{"allow": true, "note": ""}"#, .refused),
        ("from not a time", #"{"allow": true, "note": "x", "from": "yesterday"}"#, .refused),
        ("until Int.max", #"{"allow": true, "note": "x", "until": 9223372036854775807}"#, .refused),
        ("until before from", #"{"allow": true, "note": "x", "from": "2030-01-02", "until": "2030-01-01"}"#, .refused),
        ("10 kB note", #"{"allow": true, "note": ""# + String(repeating: "x", count: 10_000) + #""}"#, .refused),
        ("article unknown", #"{"allow": true, "note": "x", "article": "no-such-article"}"#, .refused),
        ("nested 100 000 deep", #"{"allow": "# + String(repeating: "[", count: 100_000), .refused),
        ("no body", "", .refused), ("a list for the object", "[1]", .refused),
    ])

    /// Publish bodies: times that are not times, an override of the wrong type (the bearer is an
    /// admin, whose override is otherwise taken).
    static let publishBodies: [(String, [UInt8], Expectation)] = bodies([
        ("at not a time", #"{"at": "soon"}"#, .refused), ("at a number", #"{"at": 1}"#, .refused),
        ("at 10 kB", #"{"at": ""# + String(repeating: "9", count: 10_000) + #""}"#, .refused),
        ("override a list", #"{"at": "2099-01-01", "override": [1]}"#, .refused),
        ("nested 100 000 deep", #"{"at": "# + String(repeating: "[", count: 100_000), .refused),
        ("a list for the object", "[1]", .refused),
    ])

    static func linkBodies(_ photo: String) -> [(String, [UInt8], Expectation)] {
        bodies([
            ("position Int.max", #"{"photos": ["\#(photo)"], "position": 9223372036854775807}"#, .refused),
            ("position Int.min", #"{"photos": ["\#(photo)"], "position": -9223372036854775808}"#, .refused),
            ("position Int.max + 1", #"{"photos": ["\#(photo)"], "position": 9223372036854775808}"#, .refused),
            ("position -0", #"{"photos": ["\#(photo)"], "position": -0}"#, .refused),
            ("position 1e999", #"{"photos": ["\#(photo)"], "position": 1e999}"#, .refused),
            ("position NaN", #"{"photos": ["\#(photo)"], "position": NaN}"#, .refused),
            ("position as text", #"{"photos": ["\#(photo)"], "position": "1"}"#, .refused),
            ("photos as text", #"{"photos": "\#(photo)"}"#, .refused),
            ("photos as numbers", #"{"photos": [1]}"#, .refused),
            ("no photos", #"{"photos": []}"#, .refused), ("no photos field", #"{"position": 1}"#, .refused),
            ("a NUL id", #"{"photos": ["\u0000"]}"#, .refused),
            ("a path as id", #"{"photos": ["../../etc/passwd"]}"#, .refused),
            ("a 10 kB id", #"{"photos": [""# + String(repeating: "a", count: 10_240) + #""]}"#, .refused),
            (
                "501 ids",
                #"{"photos": ["# + Array(repeating: "\"\(photo)\"", count: 501).joined(separator: ",") + "]}",
                .refused
            ),
            ("caption as a number", #"{"photos": ["\#(photo)"], "caption": 1}"#, .refused),
            ("a control-character caption", #"{"photos": ["\#(photo)"], "caption": "\u0001\u001b[2J"}"#, .success),
            ("nested 100 000 deep", String(repeating: "[", count: 100_000), .refused),
            ("not JSON", "photos=1", .refused),
        ])
    }

    // MARK: Phases besides the per-route probes

    /// A caption and a use in the published article holding every kind of hostile text, so each
    /// page, feed and document below is made with it; then each of those is fetched.
    func storeHostileText(_ run: ProbeRun) async throws {
        let server = run.server
        let text =
            #"Chợ \u0000 \u001b[2J\u0007\u009b \"q' <script>alert(1)</script> {{x}} ]]> &amp; \u202e ൎ\"ൎ: \ud83d\ude00"#
        let patch = RouteCase(
            method: "PATCH", template: "/api/v1/assets/{id}/caption", path: ["id": server.storedPhoto],
            json:
                #"{"caption": "\#(text)", "headline": "\#(text)", "byline": "\#(text)", "keywords": ["\#(text)", "<b>"], "instructions": "\#(text)", "city": "\#(text)"}"#,
            headers: [("If-Match", "*")], auth: .bearer)
        try await run.send(
            try await run.request(patch, .none), route: patch.route, what: "hostile text in every field",
            expect: .success)
        let link = RouteCase(
            method: "POST", template: "/api/v1/articles/{slug}/photos", path: ["slug": HostileServer.article],
            json: #"{"photos": ["\#(server.storedPhoto)"], "position": 2, "caption": "\#(text)"}"#, auth: .bearer)
        try await run.send(
            try await run.request(link, .none), route: link.route, what: "a hostile use caption", expect: .success)
        let pages: [RouteCase] = [
            RouteCase(method: "GET", template: "/"), RouteCase(method: "GET", template: "/", auth: .session),
            RouteCase(method: "GET", template: "/articles/{slug}", path: ["slug": HostileServer.article]),
            RouteCase(
                method: "GET", template: "/articles/{slug}", path: ["slug": HostileServer.article], auth: .session),
            RouteCase(method: "GET", template: "/photos/{id}", path: ["id": server.storedPhoto]),
            RouteCase(method: "GET", template: "/photos/{id}", path: ["id": server.storedPhoto], auth: .session),
            RouteCase(
                method: "GET", template: "/photos/{id}/history", path: ["id": server.storedPhoto], auth: .session),
            RouteCase(method: "GET", template: "/photos"),
            RouteCase(method: "GET", template: "/search", query: [("q", "chợ script")]),
            RouteCase(method: "GET", template: "/api/v1/assets/{id}", path: ["id": server.storedPhoto]),
            RouteCase(method: "GET", template: "/api/v1/articles/{slug}", path: ["slug": HostileServer.article]),
            RouteCase(method: "GET", template: "/api/v1/search", query: [("q", "script alert")]),
            RouteCase(method: "GET", template: "/metrics"),
        ]
        for page in pages {
            try await run.send(
                try await run.request(page, .none), route: page.route, what: "hostile text stored", expect: .success)
        }
        for feed in ["/feed.xml", "/articles/\(HostileServer.article)/feed.xml"] {
            let route = RouteCase(method: "GET", template: feed)
            let answer = try #require(
                try await run.send(
                    try await run.request(route, .none),
                    route: feed == "/feed.xml" ? "GET /feed.xml" : "GET /articles/{slug}/feed.xml",
                    what: "hostile text stored", expect: .success))
            #expect(XMLParser(data: Data(answer.body)).parse(), "\(feed) stays well-formed XML with hostile text in it")
        }
        // A valid page token of the photo list, for the cross-route cursor probes.
        let list = RouteCase(method: "GET", template: "/api/v1/assets", query: [("limit", "1")])
        let page = try #require(
            try await run.send(try await run.request(list, .none), route: list.route, what: "limit 1", expect: .success)
        )
        let next = try #require(
            (try JSONSerialization.jsonObject(with: Data(page.body)) as? [String: Any])?["next"] as? String)
        server.photoCursor = next
        let tokens: [(String, String, Expectation)] = [
            ("/photos", next, .success), ("/api/v1/assets", next, .success), ("/api/v1/search", next, .refused),
            ("/search", next, .refused), ("/photos", "t2.5", .refused), ("/api/v1/assets", "t1.1", .refused),
            ("/api/v1/assets", "r." + next, .refused), ("/search", "t2.5", .success),
            ("/search", "t2.9223372036854775807", .success), ("/search", "t2.9223372036854775808", .refused),
            ("/search", "t3.1", .refused), ("/search", "d7ff0000000000000.i1", .refused),
            ("/api/v1/search", "r." + next, .refused),
            ("/photos", "99999999999999_" + String(repeating: "f", count: 64), .success),
            ("/photos", "9223372036854775807_" + String(repeating: "f", count: 64), .refused),
        ]
        for (path, token, expect) in tokens {
            let route = RouteCase(method: "GET", template: path, query: [("q", "chợ"), ("after", token)])
            try await run.send(
                try await run.request(route, .none), route: "GET \(path)", what: "after = \(token)", expect: expect)
        }
    }

    /// Every method on every address (with its valid parameters), as a reader: 405 with Allow
    /// for the methods an address does not take, never a 5xx.
    func methodsOnEveryAddress(_ run: ProbeRun) async throws {
        var seen: Set<String> = []
        for route in Self.routes(run.server) where seen.insert(route.template).inserted {
            for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"] {
                var reader = route
                reader.method = method
                reader.auth = .reader
                reader.form = nil
                reader.json = nil
                reader.ownClient = false
                reader.freshRevision = false
                try await run.send(
                    try await run.request(reader, .none), route: route.route, what: "method \(method)",
                    expect: .answered)
            }
        }
    }

    /// Paths under /static/ that try to leave it.
    func staticFiles(_ run: ProbeRun) async throws {
        let good = RouteCase(method: "GET", template: "/static/site.css")
        try await run.send(try await run.request(good, .none), route: "static", what: "site.css", expect: .success)
        for target in [
            "/static/../catalog.sqlite", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fcatalog.sqlite",
            "/static/%00", "/static/site.css%00.png", "/static/%FF%FE", "/static//etc/passwd",
            "/static/" + String(repeating: "a", count: 10_240), "/static/..\\..\\etc\\passwd",
        ] {
            let request = WireRequest(
                method: "GET", target: Array(target.utf8),
                headers: [("Host", Array("127.0.0.1".utf8)), ("Connection", Array("close".utf8))], body: nil)
            try await run.send(request, route: "static", what: String(target.prefix(60)), expect: .refused)
        }
    }

    /// Requests whose framing itself is wrong: the parser refuses them with a 400.
    func malformedHTTP(_ run: ProbeRun) async throws {
        let host = "Host: 127.0.0.1\r\nConnection: close\r\n"
        let cases: [(String, [UInt8])] = [
            ("a space in the target", Array("GET /search?q=a b HTTP/1.1\r\n\(host)\r\n".utf8)),
            ("a NUL in the target", Array("GET /photos/\u{0} HTTP/1.1\r\n\(host)\r\n".utf8)),
            (
                "raw invalid UTF-8 in the target",
                Array("GET /photos/".utf8) + [0xFF, 0xFE] + Array(" HTTP/1.1\r\n\(host)\r\n".utf8)
            ),
            ("an unknown method", Array("BREW / HTTP/1.1\r\n\(host)\r\n".utf8)),
            ("a header without a colon", Array("GET / HTTP/1.1\r\n\(host)Broken\r\n\r\n".utf8)),
            ("a space in a header name", Array("GET / HTTP/1.1\r\n\(host)Bad Name: x\r\n\r\n".utf8)),
            ("a NUL in a header", Array("GET / HTTP/1.1\r\n\(host)X-A: a\u{0}b\r\n\r\n".utf8)),
            ("a folded header", Array("GET / HTTP/1.1\r\n\(host)X-A: a\r\n b\r\n\r\n".utf8)),
            (
                "Content-Length and Transfer-Encoding",
                Array(
                    "POST /login HTTP/1.1\r\n\(host)Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                        .utf8)
            ),
            (
                "a chunk size no integer holds",
                Array(
                    "POST /login HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFFFF\r\na\r\n0\r\n\r\n"
                        .utf8)
            ),
            (
                "two Content-Lengths",
                Array("POST /login HTTP/1.1\r\n\(host)Content-Length: 1\r\nContent-Length: 2\r\n\r\nab".utf8)
            ),
            ("an absolute target", Array("GET http://evil.example/photos HTTP/1.1\r\n\(host)\r\n".utf8)),
            ("an asterisk target", Array("GET * HTTP/1.1\r\n\(host)\r\n".utf8)),
            (
                "a 10 kB header name",
                Array("GET / HTTP/1.1\r\n\(host)\(String(repeating: "X", count: 10_240)): 1\r\n\r\n".utf8)
            ),
            (
                "a thousand headers",
                Array("GET / HTTP/1.1\r\n\(host)\(String(repeating: "X-A: 1\r\n", count: 1_000))\r\n".utf8)
            ),
        ]
        for (what, bytes) in cases {
            let answer = try await RawHTTPClient.exchange(port: run.server.port, bytes)
            #expect(answer.map { $0.status < 500 } == true, "\(what): \(answer?.status.description ?? "no answer")")
            try await run.requireAlive(after: what)
        }
    }

    /// Last: signing out with a wrong token is refused; with the session's own it ends it.
    func signOut(_ run: ProbeRun) async throws {
        let logout = RouteCase(method: "POST", template: "/logout", form: [], auth: .session)
        try await run.send(
            try await run.request(logout, .none), route: logout.route, what: "the session's token", expect: .success)
        let users = RouteCase(method: "GET", template: "/admin/users", auth: .session)
        let answer = try await run.send(
            try await run.request(users, .none), route: users.route, what: "an ended session", expect: .success)
        #expect(answer?.status == 303, "the session ended: the users page sends to the login page")
    }
}
