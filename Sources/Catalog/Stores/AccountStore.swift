import Foundation

/// The people who may sign in, their sessions and API tokens, and the sign-in throttle's counts.
/// Secrets are never stored: only bcrypt hashes of passwords and SHA-256 of tokens.
public protocol AccountStore: Sendable {
    /// Adds a user; `CatalogError.exists` when the name is taken.
    func addAccount(_ account: Account) async throws
    /// Changes a user's role or password hash; with `endSessions`, their sessions end in the
    /// same transaction.
    func updateAccount(_ account: Account, endSessions: Bool) async throws
    /// One user.
    func account(named name: String) async throws -> Account?
    /// Every user, by name.
    func accounts() async throws -> [Account]
    /// Removes a user with their sessions and tokens; false when there was none.
    func removeAccount(named name: String) async throws -> Bool
    /// Opens a session (and forgets expired ones).
    func saveSession(_ session: Session) async throws
    /// A live session and its user, by the hash of its secret.
    func session(tokenHash: String, now: Date) async throws -> (Session, Account)?
    /// Notes when a session's editor last looked at the desk.
    func markDeskVisit(tokenHash: String, at date: Date) async throws
    /// Ends a session.
    func deleteSession(tokenHash: String) async throws
    /// Keeps a token.
    func saveToken(_ token: APIToken) async throws
    /// A live token and its user, by the hash of its secret.
    func token(hash: String, now: Date) async throws -> (APIToken, Account)?
    /// A user's tokens, oldest first.
    func tokens(of name: String) async throws -> [APIToken]
    /// Revokes a token by its id; false when there was none.
    func revokeToken(id: String) async throws -> Bool
    /// Counts a sign-in attempt for every key, unless one of them must still wait: then nothing is
    /// counted and the wait is returned (seconds; 0 means counted and allowed). Atomic, so
    /// concurrent attempts cannot all pass the check.
    func chargeLoginAttempt(keys: [String], policy: ThrottlePolicy, now: Date) async throws -> TimeInterval
    /// Forgets the attempts of keys (after a successful sign-in).
    func clearLoginAttempts(keys: [String]) async throws
}
