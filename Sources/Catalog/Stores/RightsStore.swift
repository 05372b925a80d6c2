import Foundation
import PhotoModel

/// What the catalog keeps about rights: each photo's derived state with its leases, kills and
/// history, and the shared settings (the rights rules). The desk derives the state; the store
/// keeps it, and folds its usable period into the photo's visibility (`Photo.publicFrom`,
/// `Photo.publicUntil`) in the same transaction.
public protocol RightsStore: Sendable {
    /// A photo's rights: its state, leases and history; nil when there is no such photo.
    func rights(of sha256: String) async throws -> PhotoRights?
    /// Applies a change (or none) and the state derived with it, as a compare-and-set on the
    /// state's version: `CatalogError.conflict` when another write came first, `notFound` when
    /// the photo or the lease is not there. Returns the state as saved (its version increased).
    @discardableResult
    func commitRights(
        _ sha256: String, change: RightsChange?, state: PhotoRightsState, expectingVersion: Int
    ) async throws -> PhotoRightsState
    /// Writes a photo's rights as another catalog holds them (copying a catalog): its state, its
    /// leases (numbered anew, the history following) and its history, in one transaction.
    func importRights(_ sha256: String, _ rights: PhotoRights) async throws
    /// The photos that are killed, newest kill first.
    func kills() async throws -> [KillRecord]
    /// The hashes of photos after a hash, in hash order, at most `limit` (to derive every photo's
    /// rights again when the rules change).
    func photoHashes(after sha256: String?, limit: Int) async throws -> [String]
    /// A shared setting by name; nil when never set.
    func setting(_ name: String) async throws -> StoredSetting?
    /// Saves a shared setting.
    func saveSetting(_ name: String, value: String, by: String, at: Date) async throws
}
