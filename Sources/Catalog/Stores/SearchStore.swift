import Foundation
import PhotoModel

/// The search index: each photo's document (its words and their neighbouring pairs, as the desk
/// made them) matched by tokens, newest document first.
public protocol SearchStore: Sendable {
    /// Search documents matching, newest (highest number) first, below a document number.
    func searchHits(
        _ match: TextMatch, filters: SearchFilters, audience: Audience, before document: Int64?, limit: Int
    ) async throws -> [SearchHit]
    /// How many photos match (all tiers together when `match` is all terms); a text match counts
    /// up to `TextMatch.countCap` (more are reported as the cap).
    func searchCount(_ match: TextMatch?, filters: SearchFilters, audience: Audience) async throws -> Int
    /// A page of a search in tiers and its count: the same hits as `searchHits` over each tier
    /// in turn from `startTier` (below `before` in that tier) until `limit`, and the same total
    /// as `searchCount(counting)`. The default runs those calls one after the other; a backend
    /// answers it in one read (one snapshot, one trip to the store) when it can.
    func searchTiers(_ search: TieredSearch) async throws -> TieredPage
}

extension SearchStore {
    public func searchTiers(_ search: TieredSearch) async throws -> TieredPage {
        try await searchTiersOneByOne(search)
    }

    /// `searchTiers` through `searchHits` and `searchCount`, one call after another (the
    /// default, and what the contract suite holds a backend's own answer to).
    public func searchTiersOneByOne(_ search: TieredSearch) async throws -> TieredPage {
        let limit = search.boundedLimit
        var hits: [TieredHit] = []
        for read in search.reads where hits.count < limit {
            let found = try await searchHits(
                search.tiers[read.tier], filters: search.filters, audience: search.audience, before: read.before,
                limit: limit - hits.count)
            hits += found.map { TieredHit(tier: read.tier, hit: $0) }
        }
        var total: Int?
        if let counting = search.counting {
            total = try await searchCount(counting, filters: search.filters, audience: search.audience)
        }
        return TieredPage(hits: hits, total: total)
    }
}
