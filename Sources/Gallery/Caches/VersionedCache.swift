import Catalog
import Foundation

/// Values made from the catalog, kept with the catalog version they were made at and answered
/// only while the catalog is still at that version (and before the cache's horizon, the next
/// time what readers see changes with no write: a scheduled publication). The readers' pages
/// and the renditions in memory are both kept in one; the catalog's change signal tells the
/// version.
///
/// Bounded in count and bytes: emptied when full, when the version moves, and when this process
/// writes (`clear`). A value made by a request that began before a clear is not kept.
final class VersionedCache<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every field is read and written with `lock` held; values are immutable.
    private let lock = NSLock()
    private var entries: [String: Value] = [:]
    private var bytes = 0
    private var version: CatalogVersion?
    private var horizon: Date = .distantFuture
    /// The version a request is finding the horizon for, when one is.
    private var horizonClaim: CatalogVersion?
    private var clears = 0
    let maxEntries: Int
    let maxBytes: Int
    /// The bytes a value holds.
    private let size: @Sendable (Value) -> Int

    /// A request's right to keep what it makes: given before it reads the catalog, refused
    /// after a clear.
    struct Ticket: Sendable {
        fileprivate let clears: Int
    }

    init(maxEntries: Int, maxBytes: Int, size: @escaping @Sendable (Value) -> Int) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.size = size
    }

    /// Taken before the catalog is read for a value to keep.
    func ticket() -> Ticket {
        lock.withLock { Ticket(clears: clears) }
    }

    /// The value for `key` when the cache is at `version` and `now` is before its horizon.
    func value(_ key: String, at version: CatalogVersion, now: Date = Date()) -> Value? {
        lock.withLock {
            guard version == self.version, now < horizon else { return nil }
            return entries[key]
        }
    }

    /// Whether values made at `version` need a new horizon first: the cache is at another
    /// version, or past its horizon.
    func needsHorizon(at version: CatalogVersion, now: Date) -> Bool {
        lock.withLock { version != self.version || now >= horizon }
    }

    /// Whether this caller is the one to find the horizon for `version` (then it calls `reset`,
    /// or `releaseHorizonClaim` when it cannot): one read of the catalog after a change rather
    /// than one per request arriving meanwhile, which make their answers without keeping them.
    func claimHorizon(at version: CatalogVersion) -> Bool {
        lock.withLock {
            if let claim = horizonClaim, claim >= version { return false }
            horizonClaim = version
            return true
        }
    }

    /// Gives up a claim whose horizon could not be found.
    func releaseHorizonClaim(_ version: CatalogVersion) {
        lock.withLock {
            if horizonClaim == version { horizonClaim = nil }
        }
    }

    /// Empties the cache and holds values made at `version` until `horizon`; nothing happens
    /// when the cache is already at a newer version.
    func reset(to version: CatalogVersion, horizon: Date = .distantFuture) {
        lock.withLock {
            if horizonClaim.map({ $0 <= version }) == true { horizonClaim = nil }
            if let current = self.version, version < current { return }
            removeAll()
            self.version = version
            self.horizon = horizon
        }
    }

    /// Moves to a newer version, emptying the cache (an older or the same one changes nothing);
    /// its horizon is then unknown, so nothing is answered until `reset` gives one.
    func advance(to version: CatalogVersion) {
        lock.withLock {
            if let current = self.version, version <= current { return }
            removeAll()
            self.version = version
            horizon = .distantPast
        }
    }

    /// Keeps a value made at `version` under a ticket taken before it was made; dropped when the
    /// cache has moved to another version or was cleared meanwhile, or when the value is larger
    /// than an eighth of the cache.
    func store(_ key: String, _ value: Value, at version: CatalogVersion, ticket: Ticket) {
        let bytes = size(value)
        lock.withLock {
            guard version == self.version, ticket.clears == clears, bytes <= maxBytes / 8 else { return }
            if entries.count >= maxEntries || self.bytes + bytes > maxBytes { removeAll() }
            if let old = entries.updateValue(value, forKey: key) { self.bytes -= size(old) }
            self.bytes += bytes
        }
    }

    /// Forgets one value.
    func remove(_ key: String) {
        lock.withLock {
            if let old = entries.removeValue(forKey: key) { bytes -= size(old) }
        }
    }

    /// Forgets everything (a write in this process, before the catalog's version tells of it).
    func clear() {
        lock.withLock {
            removeAll()
            version = nil
            clears += 1
        }
    }

    /// How many values are kept.
    var count: Int { lock.withLock { entries.count } }

    private func removeAll() {
        entries.removeAll(keepingCapacity: true)
        bytes = 0
    }
}
