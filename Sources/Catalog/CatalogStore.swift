import Foundation
import PhotoModel

/// A catalog backend: storage primitives over plain values, split by concern, and nothing of
/// the desk's rules (which live in `Desk`, written once over any store). Every method is one read
/// or one transaction; writes that must not overwrite a newer change take the version they
/// expect (compare-and-set) and fail with `CatalogError.conflict` otherwise. Every write
/// transaction increments the change counter.
///
/// Derived data the store keeps itself, inside the write's transaction:
/// - a photo's search document is its own search text followed by the search text of each of its
///   article uses, indexed for `SearchStore`;
/// - a photo's `publicFrom` is the earliest of its own `publishedAt` and the `publishAt` (or the
///   beginning of time, when none) of each published article that uses it, but never before its
///   rights' `usableFrom`; nil when neither, or when its rights say it may never run
///   (`usableFrom` nil). Its `publicUntil` is its rights' `usableUntil`.
///
/// The contract suite holds every backend to each part.
public protocol CatalogStore: PhotoStore, FileStore, CaptionStore, ArticleStore, SearchStore, AccountStore, RightsStore,
    TwinStore,
    ChangeSignal
{
    /// The backend's name ("sqlite", "postgresql"), for health checks and logs.
    var backend: String { get }
}
