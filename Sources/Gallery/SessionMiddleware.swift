import Catalog
import Foundation
import HTTPTypes
import Hummingbird

/// Finds who is asking: a session cookie (browsers) or a bearer token (API clients).
struct SessionMiddleware: RouterMiddleware {
    typealias Context = GalleryContext
    let accounts: any AccountStore

    static let cookieName = "pd_session"

    func handle(_ request: Request, context: GalleryContext, next: (Request, GalleryContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        if let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") {
            let token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
            guard let owner = try accounts.tokenOwner(tokenHash: Credentials.digest(token)) else {
                return APIAuth.unauthorized("the bearer token is not valid (revoked, or its user was removed)")
            }
            context.viewer = Viewer(name: owner.name, role: owner.role, csrf: nil, sessionHash: nil)
        } else if let secret = request.cookies[Self.cookieName]?.value, !secret.isEmpty {
            let hash = Credentials.digest(secret)
            if let (session, account) = try accounts.session(tokenHash: hash, now: Date()) {
                context.viewer = Viewer(name: account.name, role: account.role, csrf: session.csrf, sessionHash: hash)
            }
        }
        return try await next(request, context)
    }
}

/// Checks for browser forms: a signed-in editor and the session's CSRF token.
enum FormAuth {
    /// nil when the form may proceed; otherwise the refusal: 303 to the login page without a
    /// session, 403 without the right CSRF token or role.
    static func refusal(_ request: Request, _ context: GalleryContext, form: FormBody, role: Role = .editor)
        -> Response?
    {
        guard let viewer = context.viewer, viewer.sessionHash != nil, let csrf = viewer.csrf else {
            return Redirect.to(loginFor: request)
        }
        guard let sent = form["csrf"], Credentials.equal(sent, csrf) else {
            return PlainText.response(
                .forbidden,
                "Refused: the form's security token is missing or out of date. Go back, reload the page and try again.")
        }
        guard viewer.role >= role else {
            return PlainText.response(.forbidden, "Refused: this needs the \(role.rawValue) role.")
        }
        return nil
    }
}

/// Checks for API writes: a bearer token, or a session with its CSRF token in `X-CSRF-Token`.
enum APIAuth {
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    static func refusal(_ request: Request, _ context: GalleryContext, role: Role = .editor) -> Response? {
        guard let viewer = context.viewer else {
            return unauthorized("sign in: send Authorization: Bearer TOKEN (an admin issues tokens)")
        }
        if let csrf = viewer.csrf {
            guard let sent = request.headers[csrfHeader], Credentials.equal(sent, csrf) else {
                return try? JSONBody.response(
                    ["error": "a session needs its CSRF token in X-CSRF-Token; API clients use a bearer token"],
                    status: .forbidden)
            }
        }
        guard viewer.role >= role else {
            return try? JSONBody.response(["error": "this needs the \(role.rawValue) role"], status: .forbidden)
        }
        return nil
    }

    static func unauthorized(_ message: String) -> Response {
        var response =
            (try? JSONBody.response(["error": message], status: .unauthorized)) ?? Response(status: .unauthorized)
        response.headers[.wwwAuthenticate] = "Bearer realm=\"photodesk\""
        return response
    }
}

/// Redirects.
enum Redirect {
    /// 303 See Other to a local path.
    static func to(_ location: String, cookies: [Cookie] = []) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// 303 to the login page, coming back here afterwards.
    static func to(loginFor request: Request) -> Response {
        let back = request.method == .get ? request.uri.string : (request.headers[.referer].flatMap(localPath) ?? "/")
        return to("/login?next=" + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
    }

    /// A path on this site, or nil (so a login cannot send anyone elsewhere).
    static func localPath(_ text: String) -> String? {
        if text.hasPrefix("/") && !text.hasPrefix("//") && !text.contains("\\") { return text }
        guard let url = URL(string: text), url.host != nil else { return nil }
        let path = url.path.isEmpty ? "/" : url.path
        return path + (url.query.map { "?" + $0 } ?? "")
    }
}

/// A URL-encoded form body.
struct FormBody: Sendable {
    var values: [String: String] = [:]

    subscript(name: String) -> String? { values[name] }

    /// The same lookup under the name `URI.queryParameters` uses.
    func get(_ name: String) -> String? { values[name] }

    init(_ text: String) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            let key = decode(parts[0])
            values[key] = parts.count > 1 ? decode(parts[1]) : ""
        }
    }

    /// Reads a request's form (up to 1 MB).
    static func read(_ request: Request) async throws -> FormBody {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        return FormBody(String(buffer: buffer))
    }
}

/// Cookies the gallery sets.
enum SessionCookie {
    /// Whether the request came over TLS, as a trusted proxy says (`X-Forwarded-Proto`, `Forwarded`).
    static func isSecure(_ request: Request, forced: Bool) -> Bool {
        if forced || request.uri.scheme == .https { return true }
        if let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!], proto.lowercased().hasPrefix("https") {
            return true
        }
        if let forwarded = request.headers[HTTPField.Name("Forwarded")!], forwarded.lowercased().contains("proto=https")
        {
            return true
        }
        return false
    }

    static func make(name: String, value: String, maxAge: Int, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
