import Catalog
import Crypto
import Foundation
import HummingbirdBcrypt

/// Secrets: passwords (bcrypt), session and API tokens (random, stored as SHA-256).
public enum Credentials {
    /// bcrypt cost: about a quarter of a second here, slow enough to make guessing expensive.
    public static let bcryptCost: UInt8 = 11
    /// bcrypt reads at most this many bytes of a password; longer ones are refused, not cut.
    public static let maxPasswordBytes = 72
    /// How long an API token lives unless its issuer says otherwise.
    public static let tokenLifetimeDays = 365

    /// A bcrypt hash of a password.
    public static func hashPassword(_ password: String, cost: UInt8 = bcryptCost) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Whether a password matches a bcrypt hash (false for one bcrypt cannot check as given).
    public static func verify(_ password: String, hash: String) -> Bool {
        guard passwordProblem(password, forNew: false) == nil else { return false }
        return Bcrypt.verify(password, hash: hash)
    }

    /// Why a password cannot be used, or nil: at least 10 characters for a new one; never a NUL
    /// or more than 72 bytes (bcrypt would silently ignore what follows).
    public static func passwordProblem(_ password: String, forNew: Bool = true) -> String? {
        if password.utf8.contains(0) { return "a password cannot contain a NUL character" }
        if password.utf8.count > maxPasswordBytes {
            return "a password can be at most \(maxPasswordBytes) bytes (bcrypt ignores the rest)"
        }
        if forNew && password.count < 10 { return "a password needs at least 10 characters" }
        return nil
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
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
