import Catalog
import Foundation
import PhotoModel

/// The people who may sign in, beside the desk: accounts with bcrypt passwords, browser
/// sessions, API tokens and the sign-in throttle. The command line and the gallery manage
/// users through it, never through the store. Passwords arrive already hashed where the caller
/// runs bcrypt on its own terms (the gallery, a few at a time); secrets are never stored, only
/// their SHA-256.
public struct Accounts: Sendable {
    let store: any AccountStore
    let clock: @Sendable () -> Date

    /// How long a browser session lasts.
    public static let sessionLifetime: TimeInterval = 7 * 24 * 3600

    // MARK: Users

    /// One user, or nil.
    public func account(named name: String) async throws -> Account? {
        guard Account.isValidName(name) else { return nil }
        return try await stored { try await store.account(named: name) }
    }

    /// One user, or `notFound` naming them.
    public func existing(_ name: String) async throws -> Account {
        guard let account = try await account(named: name) else {
            throw DeskError(.notFound, "no user named \(name.prefix(Account.maxNameBytes))")
        }
        return account
    }

    /// Every user, by name.
    public func all() async throws -> [Account] {
        try await stored { try await store.accounts() }
    }

    /// Adds a user whose password is already hashed: `invalid` for a name that is not 1 to 64
    /// letters, digits, dots, dashes or underscores; `exists` when the name is taken.
    public func add(_ name: String, role: Role, passwordHash: String) async throws {
        guard Account.isValidName(name) else {
            throw DeskError(.invalid, "a name is 1 to 64 letters, digits, dots, dashes or underscores")
        }
        do {
            try await store.addAccount(Account(name: name, role: role, passwordHash: passwordHash, createdAt: clock()))
        } catch let error as CatalogError where error.code == .exists {
            throw DeskError(.exists, "a user named \(name) already exists")
        } catch let error as CatalogError {
            throw DeskError(error)
        }
    }

    /// Changes a user's password (already hashed) and, when given, role; their sessions end.
    public func setPassword(_ name: String, passwordHash: String, role: Role? = nil) async throws {
        var account = try await existing(name)
        account.passwordHash = passwordHash
        if let role { account.role = role }
        try await stored { try await store.updateAccount(account, endSessions: true) }
    }

    /// Removes a user with their sessions and tokens; `notFound` when there is none.
    public func remove(_ name: String) async throws {
        guard Account.isValidName(name), try await stored({ try await store.removeAccount(named: name) }) else {
            throw DeskError(.notFound, "no user named \(name.prefix(Account.maxNameBytes))")
        }
    }

    // MARK: API tokens

    /// A user's tokens, oldest first (expired ones too, unless `liveOnly`).
    public func tokens(of name: String, liveOnly: Bool = false) async throws -> [APIToken] {
        _ = try await existing(name)
        let now = clock()
        return try await stored { try await store.tokens(of: name) }.filter { !liveOnly || $0.expiresAt > now }
    }

    /// Issues an API token for a user: the secret is returned once and only its hash is kept;
    /// the record's id names it in listings and for revoking.
    public func issueToken(for name: String, label: String, days: Int = Credentials.tokenLifetimeDays) async throws
        -> (secret: String, token: APIToken)
    {
        _ = try await existing(name)
        let now = clock()
        let secret = "pdt_" + Credentials.randomToken()
        let lifetime = TimeInterval(max(1, min(days, 3650))) * 86_400
        let token = APIToken(
            id: "tok_" + Credentials.randomToken(bytes: 9), tokenHash: Credentials.digest(secret), name: name,
            label: String(label.prefix(200)), createdAt: now, expiresAt: now.addingTimeInterval(lifetime))
        try await stored { try await store.saveToken(token) }
        return (secret, token)
    }

    /// Revokes a token by its id (not its secret); `notFound` when there is none.
    public func revokeToken(id: String) async throws {
        guard id.utf8.count <= 64, try await stored({ try await store.revokeToken(id: id) }) else {
            throw DeskError(.notFound, "no token \(id.prefix(64))")
        }
    }

    /// The user a bearer token's secret belongs to, while it is live.
    public func bearer(_ secret: String) async throws -> Account? {
        guard !secret.isEmpty, secret.utf8.count <= 512 else { return nil }
        return try await stored { try await store.token(hash: Credentials.digest(secret), now: clock()) }?.1
    }

    // MARK: Sessions and signing in

    /// Counts a sign-in attempt under each key, unless one must still wait: then the wait in
    /// seconds (nothing counted); 0 when the attempt may go on. Counted before the password is
    /// checked, so concurrent attempts cannot all slip past.
    public func chargeSignIn(keys: [String], policy: ThrottlePolicy) async throws -> TimeInterval {
        try await stored { try await store.chargeLoginAttempt(keys: keys, policy: policy, now: clock()) }
    }

    /// Forgets the attempts of keys, after a successful sign-in.
    public func clearSignIns(keys: [String]) async throws {
        try await stored { try await store.clearLoginAttempts(keys: keys) }
    }

    /// Opens a session for a user who signed in: the cookie's secret (returned once) and the
    /// session as stored (by the secret's hash).
    public func openSession(for account: Account) async throws -> (secret: String, session: Session) {
        let now = clock()
        let secret = Credentials.randomToken()
        let session = Session(
            tokenHash: Credentials.digest(secret), name: account.name, csrf: Credentials.randomToken(bytes: 18),
            createdAt: now, expiresAt: now.addingTimeInterval(Self.sessionLifetime))
        try await stored { try await store.saveSession(session) }
        return (secret, session)
    }

    /// The live session a cookie's secret opens, with its user.
    public func session(secret: String) async throws -> (session: Session, account: Account)? {
        guard !secret.isEmpty, secret.utf8.count <= 256 else { return nil }
        return try await stored { try await store.session(tokenHash: Credentials.digest(secret), now: clock()) }
    }

    /// Ends a session (by its secret's hash).
    public func endSession(hash: String) async throws {
        try await stored { try await store.deleteSession(tokenHash: hash) }
    }

    /// Notes that a session's editor looked at the desk's front page now.
    public func markDeskVisit(hash: String) async throws {
        try await stored { try await store.markDeskVisit(tokenHash: hash, at: clock()) }
    }
}
