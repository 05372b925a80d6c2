import Catalog
import Foundation
import PhotoModel

extension Desk {
    /// Searches captions and the articles photos appear in, diacritics folded. Words first find
    /// the photos whose text holds them as one phrase (tier 2), then those holding every word
    /// anywhere (tier 1); newest first within each. Filters alone list the newest photos that
    /// match. Pages continue from a token of the same kind of search; any other token is
    /// refused (`invalid`).
    public func search(_ query: SearchQuery, limit: Int, after token: String?, audience: Audience) async throws
        -> SearchPage
    {
        let bounded = max(1, min(limit, 200))
        let terms = SearchText.terms(query.text)
        let cursor = try PageToken.read(token, as: SearchCursor.init(token:))
        if terms.isEmpty {
            var after: PhotoCursor?
            switch cursor {
            case .recent(let position): after = position
            case .tier: throw PageToken.refused
            case nil: break
            }
            guard !query.filters.isEmpty else { return SearchPage(results: [], total: 0, next: nil) }
            let cards = try await stored {
                try await store.photos(filters: query.filters, limit: bounded + 1, after: after, audience: audience)
            }
            let shown = cards.prefix(bounded)
            let total = try await stored { try await store.photoCount(filters: query.filters, audience: audience) }
            return SearchPage(
                results: shown.map { .init(sha256: $0.sha256, caption: $0.caption.caption, score: 0) }, total: total,
                next: cards.count > bounded ? shown.last.map { SearchCursor.recent($0.cursor).token } : nil)
        }
        if case .recent = cursor { throw PageToken.refused }
        // One word is its own phrase: a single tier.
        let ranks = terms.count > 1 ? [2, 1] : [2]
        let tiers =
            terms.count > 1
            ? [TextMatch(terms: terms, mode: .phrase), TextMatch(terms: terms, mode: .allTermsNotPhrase)]
            : [TextMatch(terms: terms, mode: .allTerms)]
        // A page token names the tier it stopped in and the document it stopped at: the page goes
        // on below that document, then through the later tiers.
        var startTier = 0
        var before: Int64?
        if case .tier(let rank, let document) = cursor {
            startTier = ranks.firstIndex { $0 <= rank } ?? ranks.count
            if startTier < ranks.count, ranks[startTier] == rank { before = document }
        }
        let found = try await stored {
            try await search.searchTiers(
                TieredSearch(
                    tiers: tiers, startTier: startTier, before: before, limit: bounded + 1,
                    counting: TextMatch(terms: terms, mode: .allTerms), filters: query.filters, audience: audience))
        }
        let shown = found.hits.prefix(bounded)
        // A tier's rank from its index (a store answers with indices into `tiers`).
        let rank = { (hit: TieredHit) in ranks.indices.contains(hit.tier) ? ranks[hit.tier] : 1 }
        return SearchPage(
            results: shown.map { .init(sha256: $0.hit.sha256, caption: $0.hit.caption, score: Double(rank($0))) },
            total: found.total ?? 0,
            next: found.hits.count > bounded
                ? shown.last.map { SearchCursor.tier(rank($0), document: $0.hit.document).token } : nil)
    }

    /// Every photo a search finds, in its order (for batch captions).
    public func allMatches(_ query: SearchQuery, audience: Audience = .editors) async throws -> [String] {
        var hashes: [String] = []
        var token: String?
        repeat {
            let page = try await search(query, limit: 200, after: token, audience: audience)
            hashes += page.results.map(\.sha256)
            token = page.next
        } while token != nil
        return hashes
    }
}
