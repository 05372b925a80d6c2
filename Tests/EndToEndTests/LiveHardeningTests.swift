import Foundation
import PhotoFactory
import Testing

/// A failed socket call, with the system's reason.
private struct LoopbackFailure: Error, CustomStringConvertible {
    var description: String
    init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
    init(plain: String) { description = plain }
}

/// Holds each download, its request sent, until all of them have sent theirs: the server then
/// has every one in hand at once, each waiting on a client that has not read yet (the way
/// downloads to slow readers pile up), however the threads happen to be scheduled.
private final class StartLine: @unchecked Sendable {
    // Safe: `arrived` is read and written only while holding `condition`.
    private let condition = NSCondition()
    private var arrived = 0
    let runners: Int

    init(runners: Int) {
        self.runners = runners
    }

    /// Waits for the others; false when they have not all come within `limit` seconds.
    func arriveAndWait(limit: TimeInterval = 120) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        condition.broadcast()
        let deadline = Date(timeIntervalSinceNow: limit)
        while arrived < runners {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }
}

/// HTTP/1.1 over a plain loopback socket, one request per connection: the answer exactly as the
/// server sent it (no redirect followed, every header kept), as a browser or a script would
/// see it. Each exchange runs on its own thread (blocking calls), bounded by a receive timeout.
private enum HardeningHTTP {
    struct Answer: Sendable {
        var status: Int
        var headers: [Header]
        /// The body; empty when it was compared as it arrived rather than kept.
        var body: Data
        /// The body's length as received (after undoing chunked encoding).
        var length: Int
        /// Whether the body was byte for byte the one expected, when one was given.
        var matched: Bool?

        struct Header: Sendable {
            var name: String
            var value: String
        }

        /// The first value of a header (names compared without case).
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        /// `NAME=VALUE` of the cookie the answer sets under that name.
        func cookie(_ name: String) -> String? {
            headers.filter { $0.name.lowercased() == "set-cookie" }.lazy.map {
                String($0.value.prefix { $0 != ";" })
            }.first { $0.hasPrefix(name + "=") }
        }

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// How long a read may wait before the exchange fails (a failure bound, never a pause).
    static let receiveLimit = 120

    /// A socket connected to `127.0.0.1:port` whose reads give up after `receiveTimeout` seconds.
    static func connect(port: Int, receiveTimeout: Int = receiveLimit) throws -> Int32 {
        let connection = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard connection >= 0 else { throw LoopbackFailure("socket") }
        var limit = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(connection, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let failure = LoopbackFailure("connect to port \(port)")
            close(connection)
            throw failure
        }
        return connection
    }

    static func writeAll(_ connection: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw LoopbackFailure("send") }
            offset += written
        }
    }

    /// Sends one request and reads its whole answer. With `expected`, the body is compared with
    /// it as it arrives and not kept (many large downloads at once cost the test no memory);
    /// `received` is told the body's bytes so far after each read. With `startLine`, reading
    /// starts once every runner has sent its request.
    static func send(
        port: Int, _ method: String, _ target: String, headers: [(String, String)] = [], body: Data = Data(),
        expected: Data? = nil, startLine: StartLine? = nil, received: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> Answer {
        let headers = headers.map { Answer.Header(name: $0.0, value: $0.1) }
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result {
                        try exchange(
                            port: port, method: method, target: target, headers: headers, body: body,
                            expected: expected, startLine: startLine, received: received)
                    })
            }.start()
        }
    }

    private static func exchange(
        port: Int, method: String, target: String, headers: [Answer.Header], body: Data, expected: Data?,
        startLine: StartLine?, received: (Int) -> Void
    ) throws -> Answer {
        var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for header in headers { request += "\(header.name): \(header.value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PATCH" { request += "Content-Length: \(body.count)\r\n" }
        request += "\r\n"
        let connection: Int32
        do {
            connection = try connect(port: port)
            try writeAll(connection, Array(request.utf8) + Array(body))
        } catch {
            // The others are not kept waiting for a runner that fell.
            _ = startLine?.arriveAndWait(limit: 0)
            throw error
        }
        defer { close(connection) }
        if let startLine, !startLine.arriveAndWait() {
            throw LoopbackFailure(plain: "not all \(startLine.runners) requests were sent within 120 seconds")
        }

        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var head: [UInt8] = []
        var answer: Answer?
        var declared: Int?
        var kept: [UInt8] = []
        var length = 0
        var matched = true
        func take(_ bytes: ArraySlice<UInt8>) {
            if let expected {
                matched =
                    matched && length + bytes.count <= expected.count
                    && expected[(expected.startIndex + length)...].prefix(bytes.count).elementsEqual(bytes)
            } else {
                kept += bytes
            }
            length += bytes.count
        }
        while declared.map({ length < $0 }) ?? true {
            let count = recv(connection, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else { throw LoopbackFailure("receive the answer to \(method) \(target.prefix(80))") }
            if answer != nil {
                take(buffer[0..<count])
            } else {
                head += buffer[0..<count]
                guard let end = head.firstRange(of: Array("\r\n\r\n".utf8)) else { continue }
                let lines = String(decoding: head[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                let fields = lines.dropFirst().compactMap { line -> Answer.Header? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return Answer.Header(
                        name: String(line[..<colon]),
                        value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                let status = lines[0].split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                answer = Answer(status: status, headers: fields, body: Data(), length: 0)
                declared = answer?.header("Content-Length").flatMap { Int($0) }
                take(head[end.upperBound...])
            }
            received(length)
        }
        guard var answer else {
            throw LoopbackFailure(plain: "no complete answer to \(method) \(target.prefix(80)): \(head.count) bytes")
        }
        if let declared, kept.count > declared { kept.removeLast(kept.count - declared) }
        answer.length = min(length, declared ?? length)
        if answer.header("Transfer-Encoding")?.lowercased() == "chunked" {
            answer.body = try dechunked(kept)
            answer.length = answer.body.count
        } else {
            answer.body = Data(kept)
        }
        if let expected { answer.matched = matched && answer.length == expected.count }
        return answer
    }

    /// The body of a chunked answer (RFC 9112, 7.1).
    private static func dechunked(_ bytes: [UInt8]) throws -> Data {
        var body = Data()
        var index = 0
        while let lineEnd = bytes[index...].firstRange(of: Array("\r\n".utf8)) {
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self).prefix { $0 != ";" }
            guard let size = Int(sizeText, radix: 16) else { throw LoopbackFailure(plain: "a bad chunk size") }
            if size == 0 { return body }
            guard lineEnd.upperBound + size <= bytes.count else { throw LoopbackFailure(plain: "a chunk cut short") }
            body.append(contentsOf: bytes[lineEnd.upperBound..<lineEnd.upperBound + size])
            index = lineEnd.upperBound + size + 2
            guard index <= bytes.count else { break }
        }
        throw LoopbackFailure(plain: "a chunked body without its last chunk")
    }

    /// Text percent-encoded for a query or a form: only unreserved ASCII is left as it is.
    static func encoded(_ text: String) -> String {
        let unreserved = CharacterSet(
            charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// A URL-encoded form body.
    static func form(_ fields: [(String, String)]) -> Data {
        Data(fields.map { "\(encoded($0.0))=\(encoded($0.1))" }.joined(separator: "&").utf8)
    }
}

/// The sign-in form as the server hands it out: its CSRF cookie and its hidden fields.
private struct LoginForm: Sendable {
    var cookie: String
    var csrf: String
    var next: String

    /// `GET /login` with `query` (`?next=...`, already encoded).
    static func fetch(port: Int, query: String = "") async throws -> LoginForm {
        let answer = try await HardeningHTTP.send(port: port, "GET", "/login" + query)
        #expect(answer.status == 200, "GET /login\(query): \(answer.text.prefix(300))")
        return LoginForm(
            cookie: try #require(answer.cookie("pd_login")), csrf: try #require(hidden("csrf", in: answer.text)),
            next: try #require(hidden("next", in: answer.text)))
    }

    /// Posts the form with a name and a password; `next` replaces the form's own.
    func submit(port: Int, name: String, password: String, next: String? = nil) async throws
        -> HardeningHTTP.Answer
    {
        try await HardeningHTTP.send(
            port: port, "POST", "/login",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie)],
            body: HardeningHTTP.form([
                ("csrf", csrf), ("next", next ?? self.next), ("name", name), ("password", password),
            ]))
    }

    /// The value of a hidden field, its HTML escapes undone.
    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        var value = String(html[range.upperBound...].prefix { $0 != "\"" })
        for (escape, character) in [
            ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#x27;", "'"), ("&#x2F;", "/"),
            ("&#47;", "/"), ("&amp;", "&"),
        ] {
            value = value.replacingOccurrences(of: escape, with: character)
        }
        return value
    }
}

/// The hardening the desk promises, checked against the built binary on loopback: sign-in
/// redirects that stay on the site, revoked tokens and changed passwords that take effect at
/// once in a running server, the sign-in throttle under concurrent attempts, slow clients cut
/// off, and large renditions streamed from disk.
@Suite("Hardening against the live server", .serialized)
struct LiveHardeningTests {
    static let password = "correct horse battery"
    static let megabyte = 1 << 20

    /// A library with one editor, `desk`, and one small photo (private); the photo's id.
    static func library(in work: TemporaryFolder) throws -> (path: String, photo: String) {
        let library = work.path + "/library"
        try SyntheticPhoto(width: 640, height: 480, seed: 11).write(to: work.file("in/desk.jpg"))
        let ingest = try Binary.run(["ingest", "--library", library, "--json", work.path + "/in"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let photo = try #require(ingest.stdout.firstMatch(of: /"id":"([0-9a-f]{16})"/)).output.1
        let added = try Binary.run(
            ["user", "add", "--library", library, "desk", "--role", "editor"], input: password + "\n")
        #expect(added.status == 0, "\(added.stderr)")
        return (library, String(photo))
    }

    /// Whether a `Location` keeps the browser on this site: one `/` first (not `//` or `/\`,
    /// which browsers read as another host), and no control character or space anywhere.
    static func staysOnSite(_ location: String) -> Bool {
        location.hasPrefix("/") && !location.hasPrefix("//") && !location.hasPrefix("/\\")
            && !location.unicodeScalars.contains {
                $0.value < 0x21 || $0.value == 0x7F || $0.properties.isWhitespace
                    || $0.properties.generalCategory == .control || $0 == "\\"
            }
    }

    /// A caption change through the API (read for its ETag, then patched), sent with `headers`.
    fileprivate static func patchCaption(port: Int, photo: String, _ caption: String, headers: [(String, String)])
        async throws
        -> HardeningHTTP.Answer
    {
        let current = try await HardeningHTTP.send(
            port: port, "GET", "/api/v1/assets/\(photo)/caption", headers: headers)
        let etag = current.header("ETag") ?? "\"1\""
        return try await HardeningHTTP.send(
            port: port, "PATCH", "/api/v1/assets/\(photo)/caption",
            headers: headers + [("Content-Type", "application/json"), ("If-Match", etag)],
            body: try JSONSerialization.data(withJSONObject: ["caption": caption]))
    }

    @Test(
        "sign-in redirects stay on the site: every off-site next= (tab, //, /\\, a scheme, CRLF) lands on /, a local one is kept"
    )
    func redirects() async throws {
        let work = try TemporaryFolder("e2e-redirects")
        let (library, _) = try Self.library(in: work)
        let server = try ServeProcess(library: library)
        defer { server.stop() }

        let offSite = [
            "/%09/evil.example/", "//evil.example/", "/\\evil.example", "https://evil.example/",
            "/ok%0d%0aSet-Cookie:x=1", "javascript:alert(1)",
        ]
        // Each as typed and as the server reads it once its escapes are undone.
        let values = offSite.flatMap { [$0, $0.removingPercentEncoding ?? $0] }.reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        #expect(values.count == 8)
        for value in values {
            // The link a stranger sends: /login?next=VALUE, then the form as the server filled it in.
            let form = try await LoginForm.fetch(port: server.port, query: "?next=" + HardeningHTTP.encoded(value))
            #expect(form.next == "/", "the form does not carry \(value.debugDescription)")
            let viaLink = try await form.submit(port: server.port, name: "desk", password: Self.password)
            #expect(viaLink.status == 303, "\(viaLink.text.prefix(300))")
            let linkLocation = try #require(viaLink.header("Location"))
            #expect(Self.staysOnSite(linkLocation) && linkLocation == "/", "next=\(value.debugDescription)")
            #expect(viaLink.cookie("pd_session") != nil)
            #expect(viaLink.cookie("x") == nil, "no header is smuggled in")

            // The same value posted in the form itself.
            let direct = try await LoginForm.fetch(port: server.port).submit(
                port: server.port, name: "desk", password: Self.password, next: value)
            #expect(direct.status == 303, "\(direct.text.prefix(300))")
            let directLocation = try #require(direct.header("Location"))
            #expect(Self.staysOnSite(directLocation) && directLocation == "/", "posted next=\(value.debugDescription)")
        }

        for local in ["/photos", "/photos?missing=caption"] {
            let form = try await LoginForm.fetch(port: server.port, query: "?next=" + HardeningHTTP.encoded(local))
            #expect(form.next == local)
            let viaLink = try await form.submit(port: server.port, name: "desk", password: Self.password)
            #expect(viaLink.status == 303 && viaLink.header("Location") == local)
            let direct = try await LoginForm.fetch(port: server.port).submit(
                port: server.port, name: "desk", password: Self.password, next: local)
            #expect(direct.status == 303 && direct.header("Location") == local)
        }
    }

    @Test(
        "a token revoked with photodesk user revoke gets 401 at once from the running server; the user's other token still works"
    )
    func revokedToken() async throws {
        let work = try TemporaryFolder("e2e-revoke")
        let (library, photo) = try Self.library(in: work)
        var secrets: [String: String] = [:]
        for label in ["script", "scanner"] {
            let issued = try Binary.run(["user", "token", "--library", library, "desk", "--label", label])
            #expect(issued.status == 0, "\(issued.stderr)")
            secrets[label] = issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let listed = try Binary.run(["user", "tokens", "--library", library, "desk"])
        #expect(listed.status == 0, "\(listed.stderr)")
        // One line per token: ID, expiry, label, separated by tabs.
        let ids = Dictionary(
            uniqueKeysWithValues: listed.stdout.split(separator: "\n").map {
                let columns = $0.split(separator: "\t")
                return (String(columns[2]), String(columns[0]))
            })
        let revoked = try #require(ids["script"])
        #expect(revoked.hasPrefix("tok_"))
        let script = [("Authorization", "Bearer \(try #require(secrets["script"]))")]
        let scanner = [("Authorization", "Bearer \(try #require(secrets["scanner"]))")]

        let server = try ServeProcess(library: library)
        defer { server.stop() }
        let before = try await HardeningHTTP.send(port: server.port, "GET", "/api/v1/assets/\(photo)", headers: script)
        #expect(before.status == 200, "a private photo, seen with the token: \(before.text.prefix(300))")
        let written = try await Self.patchCaption(port: server.port, photo: photo, "Chợ phiên", headers: script)
        #expect(written.status == 200, "\(written.text.prefix(300))")

        let revoke = try Binary.run(["user", "revoke", "--library", library, revoked])
        #expect(revoke.status == 0 && revoke.stdout == "Revoked \(revoked).\n", "\(revoke.stderr)")

        let read = try await HardeningHTTP.send(port: server.port, "GET", "/api/v1/assets/\(photo)", headers: script)
        #expect(read.status == 401)
        #expect(read.header("WWW-Authenticate") == "Bearer realm=\"photodesk\"")
        let write = try await Self.patchCaption(port: server.port, photo: photo, "Sửa lại", headers: script)
        #expect(write.status == 401)
        let other = try await Self.patchCaption(port: server.port, photo: photo, "Chợ phiên Đồng Văn", headers: scanner)
        #expect(other.status == 200, "the scanner's token is not revoked: \(other.text.prefix(300))")
        let remaining = try Binary.run(["user", "tokens", "--library", library, "desk"])
        let kept = try #require(ids["scanner"])
        #expect(!remaining.stdout.contains(revoked) && remaining.stdout.contains(kept))
    }

    @Test("photodesk user password ends a live session: the desk sends the cookie to /login, an API write gets 401")
    func passwordEndsSession() async throws {
        let work = try TemporaryFolder("e2e-password")
        let (library, photo) = try Self.library(in: work)
        let server = try ServeProcess(library: library)
        defer { server.stop() }

        let signIn = try await LoginForm.fetch(port: server.port).submit(
            port: server.port, name: "desk", password: Self.password, next: "/desk")
        #expect(signIn.status == 303 && signIn.header("Location") == "/desk")
        let session = try #require(signIn.cookie("pd_session"))
        let desk = try await HardeningHTTP.send(port: server.port, "GET", "/desk", headers: [("Cookie", session)])
        #expect(desk.status == 200, "\(desk.text.prefix(300))")
        let page = try await HardeningHTTP.send(
            port: server.port, "GET", "/photos/\(photo)", headers: [("Cookie", session)])
        let csrf = try #require(LoginForm.hidden("csrf", in: page.text), "an editor's photo page carries the form")
        let browser = [("Cookie", session), ("X-CSRF-Token", csrf)]
        let written = try await Self.patchCaption(port: server.port, photo: photo, "Trước", headers: browser)
        #expect(written.status == 200, "\(written.text.prefix(300))")

        let changed = try Binary.run(
            ["user", "password", "--library", library, "desk"], input: "a different long password\n")
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stdout == "Changed the password of desk; their sessions have ended.\n")

        let after = try await HardeningHTTP.send(port: server.port, "GET", "/desk", headers: [("Cookie", session)])
        #expect(after.status == 303)
        #expect(after.header("Location") == "/login?next=%2Fdesk")
        let write = try await Self.patchCaption(port: server.port, photo: photo, "Sau", headers: browser)
        #expect(write.status == 401, "\(write.text.prefix(300))")

        let old = try await LoginForm.fetch(port: server.port).submit(
            port: server.port, name: "desk", password: Self.password)
        #expect(old.status == 401)
        let new = try await LoginForm.fetch(port: server.port).submit(
            port: server.port, name: "desk", password: "a different long password")
        #expect(new.status == 303 && new.cookie("pd_session") != nil)
    }

    /// What one sign-in attempt of the throttle test got back.
    private enum Attempt: Sendable {
        case wrong(HardeningHTTP.Answer)
        case right(HardeningHTTP.Answer, Duration)
    }

    @Test(
        "20 concurrent wrong passwords for one editor: exactly 5 are checked (401), 15 get 429 with Retry-After, then the right one is 429 too"
    )
    func throttle() async throws {
        let work = try TemporaryFolder("e2e-throttle")
        let (library, _) = try Self.library(in: work)
        let server = try ServeProcess(library: library)
        defer { server.stop() }
        let form = try await LoginForm.fetch(port: server.port)
        let port = server.port

        // Five attempts are free; each is counted before bcrypt runs, so of 20 at once exactly 5
        // are checked and the others wait. The first wait is 2 seconds from the fifth attempt.
        let start = ContinuousClock.now
        var wrong: [HardeningHTTP.Answer] = []
        var right: (answer: HardeningHTTP.Answer, after: Duration)?
        try await withThrowingTaskGroup(of: Attempt.self) { group in
            for _ in 0..<20 {
                group.addTask { .wrong(try await form.submit(port: port, name: "desk", password: "not the password")) }
            }
            var rightSent = false
            for try await attempt in group {
                switch attempt {
                case .wrong(let answer):
                    wrong.append(answer)
                    // The right password goes as soon as the refusals are in, while bcrypt still
                    // checks the five.
                    if !rightSent, wrong.count(where: { $0.status == 429 }) == 15 || wrong.count == 20 {
                        rightSent = true
                        group.addTask {
                            let answer = try await form.submit(port: port, name: "desk", password: Self.password)
                            return .right(answer, start.duration(to: .now))
                        }
                    }
                case .right(let answer, let after):
                    right = (answer, after)
                }
            }
        }
        let statuses = Dictionary(grouping: wrong.map(\.status), by: { $0 }).mapValues(\.count)
        #expect(statuses == [401: 5, 429: 15])
        for answer in wrong where answer.status == 429 {
            // ceil(2 s - time since the fifth attempt), which may be a moment ahead of this one's arrival.
            let seconds = try #require(answer.header("Retry-After").flatMap { Int($0) })
            #expect((1...3).contains(seconds))
            #expect(answer.text.contains("Too many failed sign-ins. Try again in \(seconds) seconds."))
        }
        let (answer, after) = try #require(right)
        if after < .seconds(2) {
            #expect(answer.status == 429, "the right password inside the wait is refused all the same")
            #expect(answer.header("Retry-After").flatMap { Int($0) }.map { (1...3).contains($0) } == true)
            #expect(answer.cookie("pd_session") == nil)
        } else {
            // A machine so loaded that the 2-second wait was over: only then may it pass.
            print("throttle: the right password was sent \(after) after the first attempt, past the first wait")
            #expect(answer.status == 429 || answer.status == 303)
        }

        let metrics = try await HardeningHTTP.send(port: server.port, "GET", "/metrics")
        #expect(metrics.text.contains("photodesk_logins_total{outcome=\"failed\"} 5\n"))
        let throttled = answer.status == 429 ? 16 : 15
        #expect(metrics.text.contains("photodesk_logins_total{outcome=\"throttled\"} \(throttled)\n"))
    }

    @Test("a client that sends half a request line is dropped after --header-timeout; the server answers the next one")
    func slowClient() async throws {
        let work = try TemporaryFolder("e2e-slow")
        let (library, _) = try Self.library(in: work)
        let server = try ServeProcess(library: library, arguments: ["--header-timeout", "1"])
        defer { server.stop() }
        let port = server.port

        let ending: String = try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result {
                        // Reads give up after 30 s: past that the test fails instead of hanging.
                        let connection = try HardeningHTTP.connect(port: port, receiveTimeout: 30)
                        defer { close(connection) }
                        try HardeningHTTP.writeAll(connection, Array("GET /heal".utf8))
                        var buffer = [UInt8](repeating: 0, count: 4096)
                        var answered: [UInt8] = []
                        while true {
                            let count = recv(connection, &buffer, buffer.count, 0)
                            if count > 0 {
                                answered += buffer[0..<count]
                                continue
                            }
                            if count == 0 { return "closed after \(answered.count) bytes" }
                            if errno == ECONNRESET { return "reset after \(answered.count) bytes" }
                            throw LoopbackFailure("the server kept the half-sent request open")
                        }
                    })
            }.start()
        }
        #expect(ending == "closed after 0 bytes" || ending == "reset after 0 bytes", "\(ending)")

        let health = try await HardeningHTTP.send(port: server.port, "GET", "/healthz")
        #expect(health.status == 200 && health.text.hasPrefix("ok\n"))
    }

    @Test("serve refuses a header or idle timeout outside 1 to 3600 seconds, naming the option")
    func timeoutOptions() throws {
        let work = try TemporaryFolder("e2e-timeouts")
        let library = work.path + "/library"
        for (option, value) in [("--header-timeout", "0"), ("--idle-timeout", "3601"), ("--header-timeout", "-5")] {
            let run = try Binary.run(["serve", "--library", library, "--port", "0", "\(option)=\(value)"])
            #expect(run.status == 2, "\(option) \(value): exit \(run.status)")
            #expect(
                run.stderr.contains("\(option) must be 1 to 3600 seconds, not \(value)"),
                "\(option) \(value): \(run.stderr)")
        }
        let help = try Binary.run(["serve", "--help"])
        #expect(help.stdout.contains("--header-timeout <seconds>") && help.stdout.contains("--idle-timeout <seconds>"))
    }

    @Test(
        "requests pipelined on one keep-alive connection, some answered from memory before the decoder and some by the router, come back whole and in order"
    )
    func pipelinedRenditions() async throws {
        let work = try TemporaryFolder("e2e-pipelined")
        let library = work.path + "/library"
        try FileManager.default.createDirectory(atPath: work.path + "/in", withIntermediateDirectories: true)
        try SyntheticPhoto(width: 640, height: 480, seed: 5).write(to: work.file("in/visit.jpg"))
        let ingest = try Binary.run(["ingest", "--library", library, "--json", work.path + "/in"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let id = String(try #require(ingest.stdout.firstMatch(of: /"id":"([0-9a-f]{16})"/)).output.1)
        #expect(try Binary.run(["publish", "--library", library, id]).status == 0)
        let server = try ServeProcess(library: library)
        defer { server.stop() }
        let thumb = "/r/\(id)/thumb.webp"
        // The router's answer, which also puts the rendition in memory.
        let warm = try await HardeningHTTP.send(port: server.port, "GET", thumb)
        try #require(warm.status == 200)
        let etag = try #require(warm.header("ETag"))

        let host = "Host: 127.0.0.1\r\n"
        let requests = [
            "GET \(thumb) HTTP/1.1\r\n\(host)\r\n",
            "HEAD \(thumb) HTTP/1.1\r\n\(host)\r\n",
            "GET \(thumb) HTTP/1.1\r\n\(host)Range: bytes=0-3\r\n\r\n",
            "GET \(thumb) HTTP/1.1\r\n\(host)If-None-Match: \(etag)\r\n\r\n",
            "GET \(thumb) HTTP/1.1\r\n\(host)\r\n",
            "GET /healthz HTTP/1.1\r\n\(host)Connection: close\r\n\r\n",
        ]
        let connection = try HardeningHTTP.connect(port: server.port)
        defer { close(connection) }
        try HardeningHTTP.writeAll(connection, Array(requests.joined().utf8))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        // The answers one after another: each head, then as many bytes as it declares (none
        // for HEAD and 304), the last one up to the close.
        var answers: [(status: Int, body: [UInt8])] = []
        var rest = received[...]
        for (index, request) in requests.enumerated() {
            guard let end = rest.firstRange(of: Array("\r\n\r\n".utf8)) else {
                Issue.record("answer \(index + 1) is missing: \(String(decoding: rest, as: UTF8.self))")
                return
            }
            let head = String(decoding: rest[..<end.lowerBound], as: UTF8.self).lowercased()
            let status = Int(head.split(separator: " ")[1]) ?? 0
            let declared = head.firstMatch(of: /content-length: *(\d+)/).flatMap { Int($0.output.1) } ?? 0
            let length = request.hasPrefix("HEAD") || status == 304 ? 0 : declared
            let body = Array(rest[end.upperBound...].prefix(length))
            answers.append((status, body))
            rest = rest[(end.upperBound + body.count)...]
        }
        #expect(answers.map(\.status) == [200, 200, 206, 304, 200, 200])
        #expect(answers[0].body == Array(warm.body) && answers[4].body == Array(warm.body))
        #expect(answers[2].body == Array(warm.body.prefix(4)))
        #expect(String(decoding: answers[5].body, as: UTF8.self).hasPrefix("ok"))
        #expect(rest.isEmpty, "nothing after the last answer")
        let metrics = try await HardeningHTTP.send(port: server.port, "GET", "/metrics")
        let fromMemory = metrics.text.firstMatch(of: /photodesk_http_renditions_from_memory_total (\d+)/)
        // The first two before the decoder; the fifth from memory too only when the router had
        // answered the two before it by the time it was decoded (answers stay in order).
        let counted = fromMemory.flatMap { Int($0.output.1) } ?? 0
        #expect((2...3).contains(counted), "\(counted) answers came from memory")
    }

    @Test(
        "a rendition over the memory cache's 512 KiB is streamed: 50 parallel downloads, whole and exact, memory flat")
    func largeRendition() async throws {
        let work = try TemporaryFolder("e2e-stream")
        let library = work.path + "/library"
        var noisy = SyntheticPhoto(width: 4000, height: 3000, seed: 21)
        noisy.noise = 60
        try noisy.write(to: work.file("in/noisy.jpg"))
        // A 3000-pixel `large` of noise at quality 92: about 5 MB, nine times the cache's limit,
        // so that a server holding each download's file (or a megabyte of it) would show 50 times.
        let pipeline = work.file("downloads.yml")
        try """
        name: downloads
        renditions:
          - name: large
            width: 3000
            height: 3000
            format: jpeg
            quality: 92
        """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let ingest = try Binary.run(
            ["ingest", "--library", library, "--pipeline", pipeline, "--json", work.path + "/in"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let id = String(try #require(ingest.stdout.firstMatch(of: /"id":"([0-9a-f]{16})"/)).output.1)
        let publish = try Binary.run(["publish", "--library", library, id])
        #expect(publish.status == 0, "\(publish.stderr)")
        let show = try Binary.run(["show", "--library", library, "--json", id])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let renditions = try #require(document["renditions"] as? [[String: Any]])
        let large = try #require(renditions.first { $0["preset"] as? String == "large" }?["path"] as? String)
        let file = try Data(contentsOf: URL(fileURLWithPath: library + "/" + large))
        try #require(file.count > 512 << 10, "the large rendition is \(file.count) bytes, not over the cache's limit")

        let server = try ServeProcess(library: library)
        defer { server.stop() }
        let pid = server.pid
        let port = server.port
        let started = try #require(ResidentMemory.of(pid))
        let warm = try await HardeningHTTP.send(port: port, "GET", "/r/\(id)/large.jpg")
        #expect(warm.status == 200 && warm.body == file)
        #expect(warm.header("Content-Length") == String(file.count))
        #expect(warm.header("Content-Type") == "image/jpeg")
        let baseline = try #require(ResidentMemory.of(pid))

        let sampler = PeakSampler()
        let downloads = 50
        let startLine = StartLine(runners: downloads)
        let exact = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<downloads {
                group.addTask {
                    let answer = try await HardeningHTTP.send(
                        port: port, "GET", "/r/\(id)/large.jpg", expected: file, startLine: startLine,
                        received: { _ in sampler.note(ResidentMemory.of(pid)) })
                    return answer.status == 200 && answer.matched == true
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        sampler.note(ResidentMemory.of(pid))
        let after = try #require(ResidentMemory.of(pid))
        #expect(exact == downloads, "every download is whole and byte for byte the file")
        #expect(sampler.count >= downloads)

        let megabytes = { (bytes: Int) in String(format: "%.1f MB", Double(bytes) / Double(Self.megabyte)) }
        print(
            "\(downloads) parallel downloads of a \(megabytes(file.count)) rendition: resident memory \(megabytes(started)) at start, \(megabytes(baseline)) after one download, peak \(megabytes(sampler.highest)) while downloading (\(sampler.count) samples), \(megabytes(after)) after"
        )
        // A chunk read and a chunk being sent per download stay well under this; reading ahead
        // of the client (eight chunks each) or holding whole files goes over it.
        #expect(sampler.highest - baseline < 25 * Self.megabyte)
    }
}
