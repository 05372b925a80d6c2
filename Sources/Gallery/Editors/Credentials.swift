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
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// Issues an API token for a user: the secret is returned once and only its hash is kept;
    /// the record's id names it in listings and for revoking.
    public static func issueToken(
        for name: String, label: String, days: Int = tokenLifetimeDays, in store: any CatalogStore, now: Date = Date()
    ) async throws -> (secret: String, token: APIToken) {
        let secret = "pdt_" + randomToken()
        let lifetime = TimeInterval(max(1, min(days, 3650))) * 86_400
        let token = APIToken(
            id: "tok_" + randomToken(bytes: 9), tokenHash: digest(secret), name: name,
            label: String(label.prefix(200)), createdAt: now, expiresAt: now.addingTimeInterval(lifetime))
        try await store.saveToken(token)
        return (secret, token)
    }
}

/// Runs bcrypt a few at a time (it is slow on purpose): a flood of sign-ins waits its turn, and
/// past a queue of `maxWaiting` is refused at once, instead of taking every core.
actor BcryptGate {
    let slots: Int
    let maxWaiting: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(slots: Int = max(1, ProcessInfo.processInfo.activeProcessorCount), maxWaiting: Int = 64) {
        self.slots = slots
        self.maxWaiting = maxWaiting
    }

    /// Runs `work` when a slot is free; nil when too many are waiting already.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T? {
        if running >= slots {
            guard waiting.count < maxWaiting else { return nil }
            await withCheckedContinuation { waiting.append($0) }
        } else {
            running += 1
        }
        let result = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
        return result
    }
}

/// The proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (`--trusted-proxy CIDR`).
public struct TrustedProxies: Sendable, Equatable {
    struct Network: Sendable, Equatable {
        var address: [UInt8]
        var prefix: Int

        func contains(_ other: [UInt8]) -> Bool {
            guard other.count == address.count else { return false }
            var bits = prefix
            for index in address.indices where bits > 0 {
                let take = min(8, bits)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
                if address[index] & mask != other[index] & mask { return false }
                bits -= take
            }
            return true
        }
    }

    var networks: [Network] = []

    /// No proxy is trusted.
    public init() {}

    /// Reads CIDR blocks (`10.0.0.0/8`, `::1/128`, or a bare address); nil naming the first bad one.
    public init(_ blocks: [String]) throws {
        for block in blocks {
            let parts = block.split(separator: "/", maxSplits: 1).map(String.init)
            guard let first = parts.first, let address = Self.bytes(first) else {
                throw GalleryError(.invalid, "--trusted-proxy \(block) is not an address or CIDR block")
            }
            let prefix = parts.count == 2 ? Int(parts[1]) : address.count * 8
            guard let prefix, (0...(address.count * 8)).contains(prefix) else {
                throw GalleryError(.invalid, "--trusted-proxy \(block): the prefix length is out of range")
            }
            networks.append(Network(address: address, prefix: prefix))
        }
    }

    /// Whether an address belongs to a trusted proxy.
    public func contains(_ address: String) -> Bool {
        guard !networks.isEmpty, let bytes = Self.bytes(address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// The client a request came from: the peer, unless the peer is a trusted proxy; then the
    /// right-most address of `X-Forwarded-For` that is not itself a trusted proxy.
    public func client(peer: String, forwardedFor: String?) -> String {
        guard contains(peer), let header = forwardedFor, header.utf8.count <= 2048 else { return peer }
        let hops = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard Self.bytes(hop) != nil else { return peer }
            if !contains(hop) { return hop }
        }
        return hops.first ?? peer
    }

    /// The bytes of an IPv4 or IPv6 address in text (hex digits, dots and colons only: the C
    /// parser would stop at a NUL and take `::2\0junk` for `::2`).
    static func bytes(_ text: String) -> [UInt8]? {
        let isAddressByte = { (byte: UInt8) in
            (48...58).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte) || byte == 46
        }
        guard text.utf8.count <= 64, text.utf8.allSatisfy(isAddressByte) else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
