import Catalog
import Desk
import Foundation
import Hummingbird
import Imaging

/// Signing in and out, and the admins' user management.
struct AuthRoutes: Sendable {
    let environment: GalleryEnvironment
    var accounts: Accounts { environment.desk.accounts }
    var pages: PageRenderer { environment.pages }

    init(_ environment: GalleryEnvironment) {
        self.environment = environment
    }

    static let loginCookie = "pd_login"
    static let sessionLifetime = Int(Accounts.sessionLifetime)
    /// Checked against when the name is unknown, so a wrong name costs as long as a wrong password.
    static let decoyHash = Credentials.hashPassword("photodesk-decoy-password")

    func register(on router: Router<GalleryContext>) {
        router.get("/login") { request, context in try self.loginForm(request, context) }
        router.post("/login") { request, context in try await self.login(request, context) }
        router.post("/logout") { request, context in try await self.logout(request, context) }
        router.get("/admin/users") { request, context in try await self.users(request, context) }
        router.post("/admin/users") { request, context in try await self.addUser(request, context) }
        router.post("/admin/users/:name/remove") { request, context in try await self.removeUser(request, context) }
        router.post("/admin/users/:name/token") { request, context in try await self.issueToken(request, context) }
        router.post("/admin/tokens/:id/revoke") { request, context in try await self.revokeToken(request, context) }
    }

    struct LoginView {
        var csrf: String
        var next: String
        var name: String?
        var error: String?
        var signedInAs: String?
    }

    func loginForm(
        _ request: Request, _ context: GalleryContext, error: String? = nil, name: String? = nil,
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let cookie = request.cookies[Self.loginCookie]?.value ?? ""
        let secret = (16...64).contains(cookie.utf8.count) ? cookie : Credentials.randomToken(bytes: 18)
        let next = request.uri.queryParameters.get("next").flatMap(Redirect.localPath) ?? "/"
        var response = try pages.page(
            "login", title: "Sign in",
            LoginView(csrf: secret, next: next, name: name, error: error, signedInAs: context.viewer?.name),
            context: context, status: status)
        response.headers[.cacheControl] = "no-store"
        response.setCookie(
            SessionCookie.make(
                name: Self.loginCookie, value: secret, maxAge: 3600,
                secure: environment.secureCookie(request, context)))
        return response
    }

    /// The keys a sign-in attempt is counted under: the name from this address, and the address.
    /// Attempts from elsewhere never slow an editor down; names are cut to the longest valid name
    /// first, so no text grows the table.
    static func throttleKeys(name: String, client: String) -> [String] {
        let capped = String(decoding: name.lowercased().utf8.prefix(Account.maxNameBytes), as: UTF8.self)
        return ["pair:" + capped + "|" + client, "address:" + client]
    }

    func login(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request, limit: 16 << 10)
        guard let cookie = request.cookies[Self.loginCookie]?.value, let sent = form["csrf"],
            Credentials.equal(cookie, sent)
        else {
            throw GalleryError(
                .forbidden, "Refused: the login form's security token is missing or out of date. Reload the login page."
            )
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        let next = form["next"].flatMap(Redirect.localPath) ?? "/"
        let keys = Self.throttleKeys(name: name, client: context.clientAddress)
        // Counted before bcrypt runs: concurrent attempts cannot all slip past the check.
        let wait = try await accounts.chargeSignIn(keys: keys, policy: environment.throttle)
        if wait > 0 {
            environment.metrics.loginRefused()
            let seconds = Int(wait.rounded(.up))
            var response = try loginForm(
                request, context, error: "Too many failed sign-ins. Try again in \(seconds) seconds.",
                name: String(name.prefix(64)), status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
        let account = try await accounts.account(named: name)
        let hash = account?.passwordHash ?? Self.decoyHash
        guard let matches = await environment.bcrypt.run({ Credentials.verify(password, hash: hash) }) else {
            throw GalleryError(
                .unavailable, "Too many sign-ins at once; try again in a moment.", headers: [.retryAfter: "5"])
        }
        guard let account, matches else {
            environment.metrics.loginFailed()
            return try loginForm(
                request, context, error: "Wrong name or password.", name: String(name.prefix(64)),
                status: .unauthorized)
        }
        try await accounts.clearSignIns(keys: keys)
        let (secret, _) = try await accounts.openSession(for: account)
        environment.metrics.loginSucceeded()
        let secure = environment.secureCookie(request, context)
        return Redirect.to(
            next,
            cookies: [
                SessionCookie.make(
                    name: SessionMiddleware.cookieName, value: secret, maxAge: Self.sessionLifetime, secure: secure),
                SessionCookie.make(name: Self.loginCookie, value: "", maxAge: 0, secure: secure),
            ])
    }

    func logout(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request, limit: 16 << 10)
        try FormAuth.require(request, context, form: form)
        if let hash = context.viewer?.sessionHash { try await accounts.endSession(hash: hash) }
        return Redirect.to(
            "/",
            cookies: [
                SessionCookie.make(
                    name: SessionMiddleware.cookieName, value: "", maxAge: 0,
                    secure: environment.secureCookie(request, context))
            ])
    }

    struct UsersView {
        struct Token {
            var id: String
            var label: String
            var expires: String
        }
        struct User {
            var name: String
            var role: String
            var created: String
            var tokens: [Token]
            var tokenCount: Int
            var isSelf: Bool
        }
        var users: [User]
        var csrf: String
        var message: String?
        var error: String?
        var issuedToken: String?
        var issuedFor: String?
    }

    /// 303 to the login page for readers, 403 for editors.
    func requireAdmin(_ request: Request, _ context: GalleryContext) throws {
        guard let viewer = context.viewer, viewer.sessionHash != nil else { throw Redirect.toLogin(from: request) }
        guard viewer.role == .admin else {
            throw GalleryError(.forbidden, "Refused: managing users needs the admin role.")
        }
    }

    func users(
        _ request: Request, _ context: GalleryContext, message: String? = nil, error: String? = nil,
        issued: (name: String, token: String)? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        try requireAdmin(request, context)
        let formatter = ISO8601DateFormatter()
        var users: [UsersView.User] = []
        for account in try await accounts.all() {
            let tokens = try await accounts.tokens(of: account.name, liveOnly: true)
            users.append(
                UsersView.User(
                    name: account.name, role: account.role.rawValue, created: formatter.string(from: account.createdAt),
                    tokens: tokens.map {
                        .init(id: $0.id, label: $0.label, expires: formatter.string(from: $0.expiresAt))
                    },
                    tokenCount: tokens.count, isSelf: account.name == context.viewer?.name))
        }
        var response = try pages.page(
            "users", title: "Users",
            UsersView(
                users: users, csrf: context.viewer?.csrf ?? "", message: message, error: error,
                issuedToken: issued?.token, issuedFor: issued?.name),
            context: context, status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    func addUser(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request, limit: 16 << 10)
        try FormAuth.require(request, context, form: form, role: .admin)
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        guard Account.isValidName(name) else {
            return try await users(
                request, context, error: "A name is 1 to 64 letters, digits, dots, dashes or underscores.",
                status: .badRequest)
        }
        guard let role = Role(rawValue: form["role"] ?? "editor") else {
            return try await users(request, context, error: "The role is editor or admin.", status: .badRequest)
        }
        if let problem = Credentials.passwordProblem(password) {
            return try await users(request, context, error: "Not added: \(problem).", status: .badRequest)
        }
        guard let hash = await environment.bcrypt.run({ Credentials.hashPassword(password) }) else {
            throw GalleryError(.unavailable, "The server is busy; try again in a moment.")
        }
        do {
            try await accounts.add(name, role: role, passwordHash: hash)
        } catch let error as DeskError where error.code == .exists || error.code == .invalid {
            return try await users(
                request, context, error: "Not added: \(error.message).",
                status: GalleryError.httpStatus(of: error.kind))
        }
        return try await users(request, context, message: "Added \(name) (\(role.rawValue)).")
    }

    func removeUser(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request, limit: 16 << 10)
        try FormAuth.require(request, context, form: form, role: .admin)
        let name = try context.parameters.require("name")
        guard name != context.viewer?.name else {
            return try await users(request, context, error: "You cannot remove yourself.", status: .badRequest)
        }
        do { try await accounts.remove(name) } catch let error as DeskError where error.code == .notFound {
            return try await users(request, context, error: "No user named \(name.prefix(64)).", status: .notFound)
        }
        return try await users(request, context, message: "Removed \(name), with their sessions and tokens.")
    }

    func issueToken(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request, limit: 16 << 10)
        try FormAuth.require(request, context, form: form, role: .admin)
        let name = try context.parameters.require("name")
        let label = (form["label"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            let issued = try await accounts.issueToken(
                for: name, label: label.isEmpty ? "issued by \(context.viewer?.name ?? "admin")" : label)
            return try await users(request, context, issued: (name, issued.secret))
        } catch let error as DeskError where error.code == .notFound {
            return try await users(request, context, error: "No user named \(name.prefix(64)).", status: .notFound)
        }
    }

    func revokeToken(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request, limit: 16 << 10)
        try FormAuth.require(request, context, form: form, role: .admin)
        let id = try context.parameters.require("id")
        do { try await accounts.revokeToken(id: id) } catch let error as DeskError where error.code == .notFound {
            return try await users(request, context, error: "No token \(id.prefix(64)).", status: .notFound)
        }
        return try await users(request, context, message: "Revoked \(id).")
    }
}
