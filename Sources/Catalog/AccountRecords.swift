import Foundation
import GRDB

/// What a signed-in person may do: editors change captions and article links, admins also
/// manage users and issue API tokens. Readers need no account.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    case editor, admin

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs == .editor && rhs == .admin }
}

/// A person who may sign in. The password is kept only as a bcrypt hash.
public struct AccountRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "account"

    public var name: String
    public var role: Role
    public var passwordHash: String
    public var createdAt: Date

    /// Makes a record.
    public init(name: String, role: Role, passwordHash: String, createdAt: Date = Date()) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }

    /// Whether a name is acceptable: 1 to 64 letters, digits, `.`, `_` or `-`.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "_" || $0 == "-"
            }
    }
}

/// A signed-in browser. Only the SHA-256 of the cookie's secret is stored.
public struct SessionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "session"

    public var tokenHash: String
    public var name: String
    /// The token every form of this session carries.
    public var csrf: String
    public var createdAt: Date
    public var expiresAt: Date

    /// Makes a record.
    public init(tokenHash: String, name: String, csrf: String, createdAt: Date = Date(), expiresAt: Date) {
        self.tokenHash = tokenHash
        self.name = name
        self.csrf = csrf
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// A bearer token for API writes, issued by an admin. Only its SHA-256 is stored.
public struct APITokenRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "apiToken"

    public var tokenHash: String
    public var name: String
    public var label: String
    public var createdAt: Date

    /// Makes a record.
    public init(tokenHash: String, name: String, label: String, createdAt: Date = Date()) {
        self.tokenHash = tokenHash
        self.name = name
        self.label = label
        self.createdAt = createdAt
    }
}

/// Counts for `/metrics`.
public struct CatalogStatistics: Sendable, Equatable {
    public var assets = 0
    public var locations = 0
    public var renditions = 0
    public var renditionBytes = 0
    public var articles = 0
    public var captionRevisions = 0
    public var missingCaptions = 0
    /// When a file was last ingested or seen unchanged (seconds since 1970), 0 when never.
    public var lastSeen: Double = 0

    public init() {}
}

/// Users, sessions and API tokens, next to the catalog they guard.
public protocol AccountStore: Sendable {
    /// Adds a user; refused when the name is taken.
    func addAccount(_ account: AccountRecord) throws
    /// Changes a user's password hash or role.
    func updateAccount(_ account: AccountRecord) throws
    /// One user.
    func account(named name: String) throws -> AccountRecord?
    /// Every user, by name.
    func accounts() throws -> [AccountRecord]
    /// Removes a user with their sessions and tokens; false when there was none.
    func removeAccount(named name: String) throws -> Bool
    /// Opens a session.
    func saveSession(_ session: SessionRecord) throws
    /// A live session and its user, by the hash of its secret.
    func session(tokenHash: String, now: Date) throws -> (SessionRecord, AccountRecord)?
    /// Ends a session.
    func deleteSession(tokenHash: String) throws
    /// Keeps a token.
    func saveToken(_ token: APITokenRecord) throws
    /// The user a token belongs to.
    func tokenOwner(tokenHash: String) throws -> AccountRecord?
    /// A user's tokens.
    func tokens(of name: String) throws -> [APITokenRecord]
    /// Counts for monitoring.
    func statistics() throws -> CatalogStatistics
}
