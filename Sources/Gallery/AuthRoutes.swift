import Catalog
import Foundation
import Hummingbird
import Imaging

/// Signing in and out, and the admins' user management.
struct AuthRoutes: Sendable {
    let accounts: any AccountStore
    let pages: PageRenderer
    let throttle: LoginThrottle
    let metrics: GalleryMetrics
    let secureCookies: Bool

    static let loginCookie = "pd_login"
    static let sessionLifetime = 7 * 24 * 3600
    /// Checked against when the name is unknown, so a wrong name costs as long as a wrong password.
    static let decoyHash = Credentials.hashPassword("photodesk-decoy-password")

    func register(on router: Router<GalleryContext>) {
        router.get("/login") { request, context in try self.loginForm(request, context) }
        router.post("/login") { request, context in try await self.login(request, context) }
        router.post("/logout") { request, context in try await self.logout(request, context) }
        router.get("/admin/users") { request, context in try self.users(request, context) }
        router.post("/admin/users") { request, context in try await self.addUser(request, context) }
        router.post("/admin/users/:name/remove") { request, context in try await self.removeUser(request, context) }
        router.post("/admin/users/:name/token") { request, context in try await self.issueToken(request, context) }
    }

    struct LoginView {
        var csrf: String
        var next: String
        var name: String?
        var error: String?
        var signedInAs: String?
    }

    func loginForm(_ request: Request, _ context: GalleryContext, error: String? = nil, name: String? = nil,
        status: HTTPResponse.Status = .ok) throws -> Response
    {
        let secret = request.cookies[Self.loginCookie]?.value ?? Credentials.randomToken(bytes: 18)
        let next = request.uri.queryParameters.get("next").flatMap(Redirect.localPath) ?? "/"
        var response = try pages.page(
            "login", title: "Sign in",
            LoginView(csrf: secret, next: next, name: name, error: error, signedInAs: context.viewer?.name),
            context: context, status: status)
        response.setCookie(
            SessionCookie.make(
                name: Self.loginCookie, value: secret, maxAge: 3600,
                secure: SessionCookie.isSecure(request, forced: secureCookies)))
        return response
    }

    func login(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        guard let cookie = request.cookies[Self.loginCookie]?.value, let sent = form["csrf"],
            Credentials.equal(cookie, sent)
        else {
            return PlainText.response(
                .forbidden,
                "Refused: the login form's security token is missing or out of date. Reload the login page.")
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        let next = form["next"].flatMap(Redirect.localPath) ?? "/"
        let keys = ["name:" + name.lowercased(), "address:" + context.clientAddress]
        let wait = throttle.wait(for: keys)
        if wait > 0 {
            metrics.loginRefused()
            var response = try loginForm(
                request, context,
                error: "Too many failed sign-ins. Try again in \(wait) seconds.", name: name,
                status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let account = try accounts.account(named: name)
        let hash = account?.passwordHash ?? Self.decoyHash
        let matches = await Blocking.run { Credentials.verify(password, hash: hash) }
        guard let account, matches else {
            throttle.fail(keys)
            metrics.loginFailed()
            return try loginForm(
                request, context, error: "Wrong name or password.", name: name, status: .unauthorized)
        }
        throttle.succeed(keys)
        let secret = Credentials.randomToken()
        let now = Date()
        try accounts.saveSession(
            SessionRecord(
                tokenHash: Credentials.digest(secret), name: account.name, csrf: Credentials.randomToken(bytes: 18),
                createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(Self.sessionLifetime))))
        metrics.loginSucceeded()
        let secure = SessionCookie.isSecure(request, forced: secureCookies)
        return Redirect.to(
            next,
            cookies: [
                SessionCookie.make(
                    name: SessionMiddleware.cookieName, value: secret, maxAge: Self.sessionLifetime, secure: secure),
                SessionCookie.make(name: Self.loginCookie, value: "", maxAge: 0, secure: secure),
            ])
    }

    func logout(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        if let refusal = FormAuth.refusal(request, context, form: form) { return refusal }
        if let hash = context.viewer?.sessionHash { try accounts.deleteSession(tokenHash: hash) }
        return Redirect.to(
            "/",
            cookies: [
                SessionCookie.make(
                    name: SessionMiddleware.cookieName, value: "", maxAge: 0,
                    secure: SessionCookie.isSecure(request, forced: secureCookies))
            ])
    }

    struct UsersView {
        struct User {
            var name: String
            var role: String
            var created: String
            var tokens: Int
            var isSelf: Bool
        }
        var users: [User]
        var csrf: String
        var message: String?
        var error: String?
        var issuedToken: String?
        var issuedFor: String?
    }

    /// 303 to the login page for readers, 403 for editors; nil for admins.
    func adminRefusal(_ request: Request, _ context: GalleryContext) -> Response? {
        guard let viewer = context.viewer, viewer.sessionHash != nil else { return Redirect.to(loginFor: request) }
        guard viewer.role == .admin else {
            return PlainText.response(.forbidden, "Refused: managing users needs the admin role.")
        }
        return nil
    }

    func users(
        _ request: Request, _ context: GalleryContext, message: String? = nil, error: String? = nil,
        issued: (name: String, token: String)? = nil, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        if let refusal = adminRefusal(request, context) { return refusal }
        let users = try accounts.accounts().map { account in
            UsersView.User(
                name: account.name, role: account.role.rawValue,
                created: ISO8601DateFormatter().string(from: account.createdAt),
                tokens: (try? accounts.tokens(of: account.name).count) ?? 0, isSelf: account.name == context.viewer?.name)
        }
        return try pages.page(
            "users", title: "Users",
            UsersView(
                users: users, csrf: context.viewer?.csrf ?? "", message: message, error: error,
                issuedToken: issued?.token, issuedFor: issued?.name),
            context: context, status: status)
    }

    func addUser(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        if let refusal = FormAuth.refusal(request, context, form: form, role: .admin) { return refusal }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        guard AccountRecord.isValidName(name) else {
            return try users(
                request, context, error: "A name is 1 to 64 letters, digits, dots, dashes or underscores.",
                status: .badRequest)
        }
        guard let role = Role(rawValue: form["role"] ?? "editor") else {
            return try users(request, context, error: "The role is editor or admin.", status: .badRequest)
        }
        if let problem = Credentials.passwordProblem(password) {
            return try users(request, context, error: "Not added: \(problem).", status: .badRequest)
        }
        let hash = await Blocking.run { Credentials.hashPassword(password) }
        do {
            try accounts.addAccount(AccountRecord(name: name, role: role, passwordHash: hash))
        } catch let error as CatalogError where error.code == .exists {
            return try users(request, context, error: "Not added: \(error.message).", status: .conflict)
        }
        return try users(request, context, message: "Added \(name) (\(role.rawValue)).")
    }

    func removeUser(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        if let refusal = FormAuth.refusal(request, context, form: form, role: .admin) { return refusal }
        let name = try context.parameters.require("name")
        guard name != context.viewer?.name else {
            return try users(request, context, error: "You cannot remove yourself.", status: .badRequest)
        }
        guard try accounts.removeAccount(named: name) else {
            return try users(request, context, error: "No user named \(name).", status: .notFound)
        }
        return try users(request, context, message: "Removed \(name), with their sessions and tokens.")
    }

    func issueToken(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        if let refusal = FormAuth.refusal(request, context, form: form, role: .admin) { return refusal }
        let name = try context.parameters.require("name")
        guard try accounts.account(named: name) != nil else {
            return try users(request, context, error: "No user named \(name).", status: .notFound)
        }
        let label = (form["label"] ?? "").trimmingCharacters(in: .whitespaces)
        let token = try Credentials.issueToken(
            for: name, label: label.isEmpty ? "issued by \(context.viewer?.name ?? "admin")" : label, in: accounts)
        return try users(request, context, issued: (name, token))
    }
}
