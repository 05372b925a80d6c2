import Foundation

/// What a signed-in person may do: editors change captions, articles and publication; admins
/// also manage users and issue API tokens. Readers need no account.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    case editor, admin

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs == .editor && rhs == .admin }
}

/// A person who may sign in. The password is kept only as a bcrypt hash.
public struct Account: Codable, Sendable, Equatable {
    public var name: String
    public var role: Role
    public var passwordHash: String
    public var createdAt: Date

    /// Makes an account.
    public init(name: String, role: Role, passwordHash: String, createdAt: Date = Date()) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }

    /// The longest name accepted, in bytes.
    public static let maxNameBytes = 64

    /// Whether a name is acceptable: 1 to 64 ASCII letters, digits, `.`, `_` or `-`.
    public static func isValidName(_ name: String) -> Bool {
        (1...maxNameBytes).contains(name.utf8.count)
            && name.utf8.allSatisfy {
                (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 46 || $0 == 95
                    || $0 == 45
            }
    }
}

/// A signed-in browser. Only the SHA-256 of the cookie's secret is stored.
public struct Session: Codable, Sendable, Equatable {
    public var tokenHash: String
    public var name: String
    /// The token every form of this session carries.
    public var csrf: String
    public var createdAt: Date
    public var expiresAt: Date
    /// When the editor last looked at the desk's front page (what changed since).
    public var lastDeskVisit: Date?

    /// Makes a session.
    public init(
        tokenHash: String, name: String, csrf: String, createdAt: Date = Date(), expiresAt: Date,
        lastDeskVisit: Date? = nil
    ) {
        self.tokenHash = tokenHash
        self.name = name
        self.csrf = csrf
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastDeskVisit = lastDeskVisit
    }
}

/// A bearer token for the API, issued by an admin. Only its SHA-256 is stored; `id` names it in
/// listings and for revoking, and is not the secret.
public struct APIToken: Codable, Sendable, Equatable {
    public var id: String
    public var tokenHash: String
    public var name: String
    public var label: String
    public var createdAt: Date
    /// After this it is refused.
    public var expiresAt: Date

    /// Makes a token record.
    public init(id: String, tokenHash: String, name: String, label: String, createdAt: Date = Date(), expiresAt: Date) {
        self.id = id
        self.tokenHash = tokenHash
        self.name = name
        self.label = label
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// How failed sign-ins slow down further attempts: after `freeAttempts` counted attempts for a
/// key within `window`, the next must wait, doubling from 2 s up to `maxDelay`.
public struct ThrottlePolicy: Sendable, Equatable {
    public var freeAttempts: Int
    public var window: TimeInterval
    public var maxDelay: TimeInterval
    /// The wait after the last free attempt; it doubles with each attempt after.
    public var firstDelay: TimeInterval

    /// Makes a policy.
    public init(
        freeAttempts: Int = 5, window: TimeInterval = 15 * 60, maxDelay: TimeInterval = 15 * 60,
        firstDelay: TimeInterval = 2
    ) {
        self.freeAttempts = freeAttempts
        self.window = window
        self.maxDelay = maxDelay
        self.firstDelay = firstDelay
    }

    /// Seconds still to wait after `count` counted attempts, the last at `last`.
    public func wait(count: Int, last: Date, now: Date) -> TimeInterval {
        guard count >= freeAttempts, now.timeIntervalSince(last) <= window else { return 0 }
        let doublings = min(30, count - freeAttempts)
        let delay = min(maxDelay, Double(1 << doublings) * firstDelay)
        return max(0, delay - now.timeIntervalSince(last))
    }
}
