import Foundation
import PhotoModel

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
