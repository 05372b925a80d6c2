import Catalog
import Desk
import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1

/// Finds who is asking: a bearer token (API clients) or a session cookie (browsers).
struct SessionMiddleware: RouterMiddleware {
    typealias Context = GalleryContext
    let accounts: Accounts

    static let cookieName = "pd_session"
    static let forwardedFor = HTTPField.Name.constant("X-Forwarded-For")

    func handle(_ request: Request, context: GalleryContext, next: (Request, GalleryContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        if let authorization = request.headers[.authorization] {
            guard authorization.utf8.count <= 512, authorization.lowercased().hasPrefix("bearer ") else {
                throw APIAuth.unauthorized("send Authorization: Bearer TOKEN (an admin issues tokens)")
            }
            let token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
            guard let owner = try await accounts.bearer(token) else {
                throw APIAuth.unauthorized("the bearer token is not valid (expired, revoked, or its user was removed)")
            }
            context.viewer = Viewer(name: owner.name, role: owner.role, csrf: nil, sessionHash: nil)
        } else if let secret = request.cookies[Self.cookieName]?.value,
            let (session, account) = try await accounts.session(secret: secret)
        {
            context.viewer = Viewer(
                name: account.name, role: account.role, csrf: session.csrf, sessionHash: session.tokenHash,
                lastDeskVisit: session.lastDeskVisit)
        }
        var response = try await next(request, context)
        if let name = context.viewer?.name { response.headers[AccessLogMiddleware.userHeader] = name }
        return response
    }
}

/// Checks for browser forms: a signed-in editor and the session's CSRF token.
enum FormAuth {
    /// Throws the refusal: 303 to the login page without a session, 403 without the right CSRF
    /// token or role.
    static func require(_ request: Request, _ context: GalleryContext, form: FormBody, role: Role = .editor) throws {
        guard let viewer = context.viewer, viewer.sessionHash != nil, let csrf = viewer.csrf else {
            throw Redirect.toLogin(from: request)
        }
        guard let sent = form["csrf"], Credentials.equal(sent, csrf) else {
            throw GalleryError(
                .forbidden,
                "Refused: the form's security token is missing or out of date. Go back, reload the page and try again.")
        }
        guard viewer.role >= role else {
            throw GalleryError(.forbidden, "Refused: this needs the \(role.rawValue) role.")
        }
    }
}

/// Checks for API writes: a bearer token, or a session with its CSRF token in `X-CSRF-Token`.
enum APIAuth {
    static let csrfHeader = HTTPField.Name.constant("X-CSRF-Token")

    /// The viewer, or the refusal thrown.
    @discardableResult
    static func require(_ request: Request, _ context: GalleryContext, role: Role = .editor) throws -> Viewer {
        guard let viewer = context.viewer else {
            throw unauthorized("sign in: send Authorization: Bearer TOKEN (an admin issues tokens)")
        }
        if let csrf = viewer.csrf {
            guard let sent = request.headers[csrfHeader], Credentials.equal(sent, csrf) else {
                throw GalleryError(
                    .forbidden, "a session needs its CSRF token in X-CSRF-Token; API clients use a bearer token")
            }
        }
        guard viewer.role >= role else { throw GalleryError(.forbidden, "this needs the \(role.rawValue) role") }
        return viewer
    }

    static func unauthorized(_ message: String) -> GalleryError {
        GalleryError(.unauthenticated, message, headers: [.wwwAuthenticate: "Bearer realm=\"photodesk\""])
    }
}

/// Redirects.
package enum Redirect {
    /// 303 See Other to a local path.
    static func to(_ location: String, cookies: [Cookie] = []) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// 303 to the login page, coming back here afterwards (as an error to throw).
    static func toLogin(from request: Request) -> SignInFirst {
        let back = request.method == .get ? request.uri.string : (request.headers[.referer].flatMap(localPath) ?? "/")
        let target = localPath(back) ?? "/"
        return SignInFirst(
            location: "/login?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
    }

    /// A path on this site, or nil, so that a login can never send a browser elsewhere: it must
    /// start with one `/` (not `//` or `/\`), and hold no control character, space or backslash
    /// (browsers drop tabs and newlines, so `/\t/evil.example` would be `//evil.example`).
    package static func localPath(_ text: String) -> String? {
        guard text.hasPrefix("/"), text.utf8.count <= 2048 else { return nil }
        let bytes = Array(text.utf8)
        if bytes.count > 1, bytes[1] == UInt8(ascii: "/") || bytes[1] == UInt8(ascii: "\\") { return nil }
        for scalar in text.unicodeScalars {
            if scalar.value < 0x21 || scalar.value == 0x7F || scalar == "\\" { return nil }
            if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
                || scalar.properties.generalCategory == .format
            {
                return nil
            }
        }
        // Escapes that decode to the same tricks are refused too.
        if let decoded = text.removingPercentEncoding, decoded != text {
            guard decoded.hasPrefix("/"), !decoded.hasPrefix("//"), !decoded.hasPrefix("/\\"),
                !decoded.unicodeScalars.contains(where: { $0.value < 0x21 || $0 == "\\" || $0.value == 0x7F })
            else { return nil }
        }
        return text
    }
}

/// A URL-encoded form body.
package struct FormBody: Sendable {
    /// The fields by name; the first of several with one name.
    package var values: [String: String] = [:]

    /// A field's value, decoded.
    package subscript(name: String) -> String? { values[name] }

    /// The same lookup under the name `URI.queryParameters` uses.
    func get(_ name: String) -> String? { values[name] }

    /// At most this many fields are read.
    package static let maxFields = 256

    /// Reads `name=value&...` text (a body, or a query string); `+` is a space.
    package init(_ text: String) {
        for pair in text.split(separator: "&").prefix(Self.maxFields) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            let key = decode(parts[0])
            if values[key] == nil { values[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
    }

    /// Reads a request's form, refusing bodies over `limit` bytes (413).
    static func read(_ request: Request, limit: Int = 256 << 10) async throws -> FormBody {
        FormBody(String(decoding: try await Body.collect(request, limit: limit).readableBytesView, as: UTF8.self))
    }
}

/// Request bodies, capped per route.
enum Body {
    /// The whole body: 413 when it is (or is announced as) over `limit` bytes, 400 when its
    /// framing is malformed (a transfer coding or chunk size the HTTP parser refuses).
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength], announces(length, over: limit) {
            throw GalleryError(.tooLarge, "The request body is over the \(limit)-byte limit of this address.")
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw GalleryError(.tooLarge, "The request body is over the \(limit)-byte limit of this address.")
        } catch let error as HTTPParserError {
            throw GalleryError(.invalid, "The request body is not valid HTTP/1.1 (\(error)).")
        }
    }

    /// Whether a `Content-Length` announces more than `limit` bytes; a length too large for an
    /// `Int` (the HTTP parser takes up to 2^64 - 1) is over every limit, not a body to wait for.
    static func announces(_ length: String, over limit: Int) -> Bool {
        guard !length.isEmpty, length.utf8.allSatisfy({ (48...57).contains($0) }) else { return false }
        return Int(length).map { $0 > limit } ?? true
    }
}

/// Cookies the gallery sets.
enum SessionCookie {
    /// Whether the request came over TLS: always with `--secure-cookies`, otherwise as a trusted
    /// proxy says (`X-Forwarded-Proto`, `Forwarded`).
    static func isSecure(_ request: Request, _ context: GalleryContext, proxies: TrustedProxies, forced: Bool) -> Bool {
        if forced || request.uri.scheme == .https { return true }
        guard proxies.contains(context.peerAddress) else { return false }
        if let proto = request.headers[HTTPField.Name.constant("X-Forwarded-Proto")],
            proto.lowercased().hasPrefix("https")
        {
            return true
        }
        if let forwarded = request.headers[HTTPField.Name.constant("Forwarded")],
            forwarded.lowercased().contains("proto=https")
        {
            return true
        }
        return false
    }

    static func make(name: String, value: String, maxAge: Int, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
