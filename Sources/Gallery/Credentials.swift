import Catalog
import Crypto
import Foundation
import HummingbirdBcrypt

/// Secrets: passwords (bcrypt), session and API tokens (random, stored as SHA-256).
public enum Credentials {
    /// bcrypt cost: about a quarter of a second here, slow enough to make guessing expensive.
    public static let bcryptCost: UInt8 = 11

    /// A bcrypt hash of a password.
    public static func hashPassword(_ password: String, cost: UInt8 = bcryptCost) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Whether a password matches a bcrypt hash.
    public static func verify(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// What a new password must be: 10 characters or more.
    public static func passwordProblem(_ password: String) -> String? {
        password.count < 10 ? "a password needs at least 10 characters" : nil
    }

    /// A random URL-safe secret of `bytes` bytes.
    public static func randomToken(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/", with: "_"
        ).replacingOccurrences(of: "=", with: "")
    }

    /// The SHA-256 (hex) under which a secret is stored.
    public static func digest(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two secrets in time that does not depend on where they differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// Issues an API token for a user: the token is returned once and only its hash is kept.
    public static func issueToken(for name: String, label: String, in store: any AccountStore) throws -> String {
        let token = "pdt_" + randomToken()
        try store.saveToken(APITokenRecord(tokenHash: digest(token), name: name, label: label))
        return token
    }
}

/// Slows down repeated failed logins: after `freeAttempts` failures for one name or one client
/// address within the window, each further attempt must wait, doubling up to `maxDelay`.
final class LoginThrottle: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [String: (count: Int, last: Date)] = [:]
    let freeAttempts = 5
    let window: TimeInterval = 15 * 60
    let maxDelay: TimeInterval = 15 * 60

    /// Seconds to wait before another attempt for these keys; 0 when allowed now.
    func wait(for keys: [String], now: Date = Date()) -> Int {
        lock.lock()
        defer { lock.unlock() }
        var longest: TimeInterval = 0
        for key in keys {
            guard let entry = failures[key] else { continue }
            if now.timeIntervalSince(entry.last) > window {
                failures[key] = nil
                continue
            }
            guard entry.count >= freeAttempts else { continue }
            let delay = min(maxDelay, pow(2, Double(entry.count - freeAttempts)) * 2)
            longest = max(longest, delay - now.timeIntervalSince(entry.last))
        }
        return longest > 0 ? Int(longest.rounded(.up)) : 0
    }

    /// Notes a failed attempt.
    func fail(_ keys: [String], now: Date = Date()) {
        lock.lock()
        defer { lock.unlock() }
        for key in keys {
            let count = failures[key].map { now.timeIntervalSince($0.last) > window ? 0 : $0.count } ?? 0
            failures[key] = (count + 1, now)
        }
        if failures.count > 100_000 { failures = failures.filter { now.timeIntervalSince($0.value.last) <= window } }
    }

    /// Forgets a name's failures after it signed in.
    func succeed(_ keys: [String]) {
        lock.lock()
        defer { lock.unlock() }
        for key in keys { failures[key] = nil }
    }
}
