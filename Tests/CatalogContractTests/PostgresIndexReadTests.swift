import Catalog
import Desk
import Foundation
import PostgresNIO
import Testing

@testable import CatalogPostgres

/// The PostgreSQL search past its walk: a catalog larger than the walk budget whose matches sit
/// among the oldest documents, so every search reads through the GIN index, with prefixes spelled
/// out as their words (Schema/0005-search-words.sql) or left prefixes (more than
/// `maxSpelledOut` words). Each answer is held to PostgreSQL's own reading of the same tsquery
/// over the whole table, newest first.
@Suite("PostgreSQL search read through the index", .enabled(if: Backend.available.contains(.postgres)))
struct PostgresIndexReadTests {
    /// More documents than a search walks before it reads through the index.
    static let size = Int(PostgresCatalog.walkBudget) + 4_000

    /// Document `g` (0 is the oldest): the common words everywhere; among the oldest 3,000, every
    /// 7th holds "border post" or "bordeaux wine", every 11th one of a hundred words "zq0"…"zq99",
    /// every 13th the phrase "ha bord"; then their neighbouring pairs, as `SearchTokens.document`
    /// makes them (`pg_temp.tokens`).
    static let text = """
        'ha noi anh ' || g
        || CASE WHEN g < 3000 AND g % 7 = 0 THEN CASE WHEN g % 2 = 0 THEN ' border post' ELSE ' bordeaux wine' END ELSE '' END
        || CASE WHEN g < 3000 AND g % 11 = 0 THEN ' zq' || (g % 100) ELSE '' END
        || CASE WHEN g < 3000 AND g % 13 = 0 THEN ' ha bord' ELSE '' END
        """

    static func fill(_ configuration: PostgresCatalog.Configuration) async throws {
        try await PostgresTestServer.connect(configuration) { connection in
            let logger = PostgresTestServer.logger
            try await connection.run(
                """
                CREATE FUNCTION pg_temp.tokens(words text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
                    SELECT array_to_string(w.list || ARRAY(
                        SELECT '~' || w.list[i] || '~' || w.list[i + 1]
                        FROM generate_series(1, cardinality(w.list) - 1) AS i ORDER BY i), ' ')
                    FROM (SELECT string_to_array(words, ' ') AS list) AS w
                $$
                """, logger: logger)
            try await connection.run(
                """
                INSERT INTO asset (sha256, format, bytes, width, height, orientation, created_at, published_at, public_from)
                SELECT lpad(to_hex(g + 1), 16, '0') || repeat('0', 48), 'jpeg', 1, 1, 1, 1,
                       to_timestamp(1600000000 + g), to_timestamp(1600000000), to_timestamp(1600000000)
                FROM generate_series(0, \(size - 1)) g
                """, logger: logger)
            try await connection.run(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO search_document (sha256, public_from, photo_text)
                        SELECT lpad(to_hex(g + 1), 16, '0') || repeat('0', 48), to_timestamp(1600000000),
                               pg_temp.tokens(\(text))
                        FROM generate_series(0, \(size - 1)) g ORDER BY g
                        """), logger: logger)
            for table in ["asset", "search_document", "search_word"] {
                try await connection.run(PostgresQuery(unsafeSQL: "VACUUM ANALYZE \(table)"), logger: logger)
            }
        }
    }

    /// The documents matching `match`, newest first, as PostgreSQL reads the tsquery itself.
    static func expected(_ match: TextMatch, _ configuration: PostgresCatalog.Configuration) async throws -> [Int64] {
        guard let tokens = match.tokens else { return [] }
        let text = PostgresCatalog.tsquery(tokens)
        return try await PostgresTestServer.connect(configuration) { connection in
            var ids: [Int64] = []
            for try await id in try await connection.query(
                """
                SELECT id FROM search_document WHERE search_vector @@ \(text)::tsquery
                ORDER BY id DESC
                """, logger: PostgresTestServer.logger
            ).decode(Int64.self) {
                ids.append(id)
            }
            return ids
        }
    }

    @Test("prefixes spelled out or not, phrases, words apart and counts find what the tsquery finds, page by page")
    func indexReads() async throws {
        let catalog = try await PostgresTestServer.freshCatalog()
        try await Self.fill(catalog.configuration)
        // "bord" stands for three words (spelled out), "zq" for a hundred (left a prefix).
        let words = try await PostgresTestServer.connect(catalog.configuration) { connection in
            try await connection.query(
                "SELECT count(*) FILTER (WHERE word LIKE 'bord%'), count(*) FILTER (WHERE word LIKE 'zq%') FROM search_word",
                logger: PostgresTestServer.logger
            ).collect().first?.decode((Int, Int).self)
        }
        #expect(words?.0 == 3 && words?.1 == 100, "bord, bordeaux, border; zq0 to zq99")
        for query in ["bord", "zq", "ha bord", "bordeaux wi", "zq1", "post zq", "noi bord"] {
            let terms = SearchText.terms(query)
            let tiers =
                terms.count > 1
                ? [TextMatch(terms: terms, mode: .phrase), TextMatch(terms: terms, mode: .allTermsNotPhrase)]
                : [TextMatch(terms: terms, mode: .allTerms)]
            var expected: [(tier: Int, document: Int64)] = []
            for (index, tier) in tiers.enumerated() {
                expected += try await Self.expected(tier, catalog.configuration).map { (index, $0) }
            }
            let all = try await Self.expected(TextMatch(terms: terms, mode: .allTerms), catalog.configuration)
            #expect(!all.isEmpty && all.allSatisfy { $0 <= 3_001 }, "\(query): the matches are among the oldest")
            // Page by page, 40 at a time, from each page's last tier and document.
            var found: [(tier: Int, document: Int64)] = []
            var start = 0
            var before: Int64?
            var total: Int?
            repeat {
                let page = try await catalog.searchTiers(
                    TieredSearch(
                        tiers: tiers, startTier: start, before: before, limit: 40,
                        counting: TextMatch(terms: terms, mode: .allTerms), filters: SearchFilters(),
                        audience: .readers(at: Date())))
                total = total ?? page.total
                found += page.hits.map { ($0.tier, $0.hit.document) }
                guard page.hits.count == 40, let last = page.hits.last else { break }
                start = last.tier
                before = last.hit.document
            } while found.count < 5_000
            #expect(found.map(\.tier) == expected.map(\.tier), "\(query): tiers")
            #expect(found.map(\.document) == expected.map(\.document), "\(query): documents")
            #expect(total == min(all.count, TextMatch.countCap), "\(query): count")
        }
        await catalog.shutdown()
    }
}
