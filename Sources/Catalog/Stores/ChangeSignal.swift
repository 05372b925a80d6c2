import Foundation

/// The catalog's version: its change counter, which grows with every counted write committed
/// anywhere (this process, a command beside it, another node). Versions only grow, so a later
/// one is greater.
public struct CatalogVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The change counter.
    public let value: Int64

    /// Wraps a number.
    public init(_ value: Int64) {
        self.value = value
    }

    public var description: String { String(value) }

    public static func < (left: CatalogVersion, right: CatalogVersion) -> Bool { left.value < right.value }
}

/// What a store can tell of its version without a query or a wait.
public enum VersionReading: Sendable, Equatable {
    /// The version now: what was made at this version is current.
    case current(CatalogVersion)
    /// This store keeps no cheap version: read `changeCounter()` to know.
    case noMark
    /// The store keeps one but cannot tell it now (its notification connection is down, say):
    /// anything kept in memory may be stale, so nothing is answered from memory until it can.
    case unreadable
}

/// The one change signal of a catalog: a cheap reading of its version, the authoritative
/// counter, and a stream of versions as writes commit. Caches keep what they make with the
/// version it was made at and answer it only while the version is the same.
public protocol ChangeSignal: Sendable {
    /// The catalog's version now, without a query (SQLite: `PRAGMA data_version` on a connection
    /// kept for it; PostgreSQL: the counter its last notification carried).
    func currentVersion() -> VersionReading
    /// A number kept in the catalog that grows with every committed write (a query).
    func changeCounter() async throws -> Int64
    /// The versions as writes commit anywhere, starting with the version when it is first read;
    /// ends when the store closes. A consumer that falls behind gets the newest.
    func changes() -> AsyncStream<CatalogVersion>
}

extension ChangeSignal {
    /// The version a cache may key on now: the cheap reading when there is one, the change
    /// counter (a query) when the store keeps no mark, nil when the mark cannot be read (then
    /// nothing is answered from, or kept in, memory).
    public func version() async throws -> CatalogVersion? {
        switch currentVersion() {
        case .current(let version): version
        case .noMark: CatalogVersion(try await changeCounter())
        case .unreadable: nil
        }
    }
}
