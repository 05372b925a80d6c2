import Foundation
import PhotoModel

/// Photos as the desk lists and shows them: one photo, a page of the newest, cards, neighbours,
/// counts, publication on its own and removal.
public protocol PhotoStore: Sendable {
    /// A photo by its full hash.
    func photo(sha256: String) async throws -> Photo?
    /// Photos whose hash starts with a lower-case hex prefix, at most `limit`, by hash.
    func photos(hashPrefix: String, limit: Int) async throws -> [Photo]
    /// Everything about one photo, in one read.
    func details(sha256: String) async throws -> PhotoDetails?
    /// Cards for several photos by full hash, in one read; hashes not found are absent.
    func cards(sha256s: [String]) async throws -> [String: PhotoCard]
    /// The newest photos first that match the filters and the audience sees, by keyset after a cursor.
    func photos(filters: SearchFilters, limit: Int, after cursor: PhotoCursor?, audience: Audience) async throws
        -> [PhotoCard]
    /// The photos just newer and just older than one, in the listing's order, that the audience sees.
    func neighbours(of sha256: String, audience: Audience) async throws -> (newer: PhotoCard?, older: PhotoCard?)
    /// How many photos match the filters and the audience sees; with `limit`, counting stops
    /// there (the answer is then at most `limit`), so a page's count costs the same at any size.
    func photoCount(filters: SearchFilters, audience: Audience, upTo limit: Int?) async throws -> Int
    /// Publishes a photo on its own from a time, or takes that back (nil).
    func setPhotoPublication(_ sha256: String, publishedAt: Date?) async throws
    /// Removes a photo and returns its renditions. With `requireUnused`, refused with
    /// `CatalogError.inUse` when an article uses it; otherwise its uses become gaps.
    func deletePhoto(_ sha256: String, requireUnused: Bool) async throws -> [Rendition]
    /// Counts for monitoring, as the audience sees them.
    func statistics(audience: Audience) async throws -> CatalogStatistics
}

extension PhotoStore {
    /// How many photos match the filters and the audience sees, all counted.
    public func photoCount(filters: SearchFilters, audience: Audience) async throws -> Int {
        try await photoCount(filters: filters, audience: audience, upTo: nil)
    }
}
