import Catalog
import Foundation
import PostgresNIO

extension PostgresCatalog {
    /// A lexeme as tsquery text: single-quoted, a quote doubled, a backslash doubled.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// tsquery text for a match: every term single-quoted (a quote doubled, a backslash
    /// doubled), so no text is ever tsquery syntax; prefix terms marked `:*`. Bound as a
    /// parameter of `to_tsquery('photodesk', …)`, which folds it as the documents were folded.
    static func tsquery(_ match: TextMatch) -> String? {
        guard !match.terms.isEmpty else { return nil }
        let words = match.terms.map { quoted($0.text) + ($0.prefix ? ":*" : "") }
        // As FTS5's phrase "a b"*: only the last word of a phrase is a prefix.
        let phrase =
            match.terms.enumerated().map { index, term in
                quoted(term.text) + (index == match.terms.count - 1 && term.prefix ? ":*" : "")
            }.joined(separator: " <-> ")
        switch match.mode {
        case .phrase: return match.terms.count > 1 ? "(\(phrase))" : words[0]
        case .allTerms: return "(" + words.joined(separator: " & ") + ")"
        case .allTermsNotPhrase:
            guard match.terms.count > 1 else { return nil }
            return "(" + words.joined(separator: " & ") + ") & !(\(phrase))"
        }
    }

    /// The tsquery of a phrase's neighbouring word pairs, `'~a b' & '~b c':*` (the last pair a
    /// prefix when the phrase's last word is one), from the phrase's words as the search
    /// configuration folds them; nil when there is no pair, or when a word does not fold to
    /// exactly one lexeme (the phrase is then checked from the positions alone).
    static func wordPairs(_ words: [String], lastIsPrefix: Bool) -> String? {
        guard words.count > 1, words.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else { return nil }
        return (1..<words.count).map { index in
            quoted("~" + words[index - 1] + " " + words[index]) + (index == words.count - 1 && lastIsPrefix ? ":*" : "")
        }.joined(separator: " & ")
    }

    /// A match as the search configuration folds it: the tsquery of its words, and for a phrase
    /// of two words or more the tsquery of its word pairs (which every match holds; for three
    /// words or more a document may hold the pairs apart, so the positions are still checked).
    struct FoldedQuery {
        var words: String
        var pairs: String?
        /// The words with each prefix term spelled out as the words it stands for (see
        /// Schema/0005-search-words.sql), for the GIN index; nil when no prefix was spelled out.
        var indexed: String? = nil
    }

    /// A prefix standing for more words than this is left a prefix.
    static let maxSpelledOut = 64

    /// `match` with each prefix term replaced by the words it stands for, `('bo' | 'border')`:
    /// what the prefix finds, read from the GIN index as exact words. `lexemes` are the terms as
    /// the configuration folds them, `expansions` each prefix term's words (space-separated, at
    /// most one more than `maxSpelledOut`). Nil when nothing was spelled out, or when a term does
    /// not fold to exactly one lexeme.
    static func spelledOut(_ match: TextMatch, lexemes: [String], expansions: [String]) -> String? {
        guard !match.terms.isEmpty, lexemes.count == match.terms.count, expansions.count == match.terms.count,
            lexemes.allSatisfy({ !$0.isEmpty && !$0.contains(" ") })
        else { return nil }
        var spelled = false
        func term(_ index: Int, prefix: Bool) -> String {
            let word = quoted(lexemes[index])
            guard prefix else { return word }
            let words = expansions[index].split(separator: " ").map { quoted(String($0)) }
            guard !words.isEmpty, words.count <= maxSpelledOut else { return word + ":*" }
            spelled = true
            return words.count == 1 ? words[0] : "(" + words.joined(separator: " | ") + ")"
        }
        let all = match.terms.indices.map { term($0, prefix: match.terms[$0].prefix) }.joined(separator: " & ")
        let last = match.terms.count - 1
        let phrase = match.terms.indices.map { term($0, prefix: $0 == last && match.terms[$0].prefix) }
            .joined(separator: " <-> ")
        let text: String
        switch match.mode {
        case .phrase: text = "(\(phrase))"
        case .allTerms: text = "(\(all))"
        case .allTermsNotPhrase:
            guard match.terms.count > 1 else { return nil }
            text = "(\(all)) & !(\(phrase))"
        }
        return spelled ? text : nil
    }

    /// What a count does with the documents it has walked, when the rest would have to be read
    /// through the index: `found` matches among the newest `walked`, `remaining` documents left.
    struct WalkSoFar {
        var found: Int
        var walked: Int64
        var remaining: Int64
    }

    /// How a window of documents is read.
    enum WindowRead {
        /// Along the document numbers (the key), newest first, testing each document: cheap while
        /// matches are common, bounded by the window's width.
        case walk
        /// Through the GIN index: the matches of the words, then the newest of them; cheap while
        /// matches are rare, whatever the range.
        case index
    }

    /// The first window a search walks, newest first.
    static let firstWindow: Int64 = 1024
    /// The most documents a search walks in all: past it (or when the matches seen so far say
    /// the page would need more), it reads the rest of the range through the GIN index.
    static let walkBudget: Int64 = 16_384
    /// `searchCount` counts matches up to this many; a larger total is reported as the cap
    /// ("500 or more", `TextMatch.countCap`): a PostgreSQL count must read every matching row (a
    /// GIN index cannot answer it alone), which at a million captions costs tens of milliseconds
    /// for a common word.
    public static let countCap = TextMatch.countCap

    /// One window of a search: its documents `low <= id < high` that match, newest first, at
    /// most `limit`; or, when `counting`, how many of them match (at most `limit`).
    static func windowStatement(
        _ query: FoldedQuery, filters: SearchFilters, audience: Audience, low: Int64, high: Int64, read: WindowRead,
        limit: Int, counting: Bool
    ) -> Statement {
        var statement = Statement()
        var conditions = ["d.id >= \(statement.bind(low))", "d.id < \(statement.bind(high))"]
        // The function form of @@ is one the GIN index cannot answer: a walk stays a walk, and a
        // phrase read through the index asks the index for its word pairs only, its positions
        // checked on those few rows.
        switch (read, query.pairs) {
        case (.walk, _):
            conditions.append("ts_match_vq(d.search_vector, \(statement.bind(query.words))::tsquery)")
        case (.index, nil):
            conditions.append("d.search_vector @@ \(statement.bind(query.indexed ?? query.words))::tsquery")
        case (.index, let pairs?):
            conditions.append("d.search_vector @@ \(statement.bind(pairs))::tsquery")
            conditions.append("ts_match_vq(d.search_vector, \(statement.bind(query.words))::tsquery)")
        }
        var joins = ""
        if !filters.isEmpty {
            joins = " JOIN asset ON asset.sha256 = d.sha256 LEFT JOIN caption ON caption.sha256 = d.sha256"
            conditions += PostgresFilters.conditions(filters, audience: .editors, into: &statement)
        }
        if case .readers(let now) = audience {
            conditions.append("d.public_from <= \(statement.bind(now.instant))")
        }
        // A count needs any `limit` matches of the window, not the newest: without the order, a
        // read through the index stops at the limit instead of fetching and sorting every match.
        let matching =
            "SELECT d.id, d.sha256 FROM search_document d\(joins) WHERE \(conditions.joined(separator: " AND "))"
            + (counting ? "" : " ORDER BY d.id DESC") + " LIMIT \(statement.bind(limit))"
        statement.append(counting ? "SELECT count(*) FROM (\(matching)) matching" : matching)
        return statement
    }

    /// The search's matches as the configuration folds them (nil for a match with no words),
    /// and the lowest and highest document numbers (nil when there is none): one statement.
    func folded(_ matches: [TextMatch], on connection: PostgresConnection) async throws -> (
        queries: [FoldedQuery?], bounds: (low: Int64, high: Int64)?
    ) {
        let texts = matches.map { Self.tsquery($0) ?? "" }
        // Every match of a search holds the same terms: each folded as the configuration folds
        // it (for a phrase's word pairs, see Schema/0004-phrase-pairs.sql), and each prefix's
        // words (up to one more than maxSpelledOut, see Schema/0005-search-words.sql).
        let terms = matches.first { !$0.terms.isEmpty }?.terms ?? []
        let words = terms.map(\.text)
        let prefixes = terms.map(\.prefix)
        var queries: [String] = []
        var lexemes: [String] = []
        var expansions: [String] = []
        var bounds: (low: Int64, high: Int64)?
        for try await (folded, termLexemes, termExpansions, low, high) in try await connection.query(
            """
            WITH terms AS (
                SELECT t.i, t.prefix,
                       coalesce((SELECT string_agg(lexeme, ' ') FROM unnest(to_tsvector('photodesk', t.w))), '') AS lexemes
                FROM unnest(\(words)::text[], \(prefixes)::boolean[]) WITH ORDINALITY AS t(w, prefix, i)
            )
            SELECT ARRAY(
                       SELECT CASE WHEN q = '' THEN '' ELSE to_tsquery('photodesk', q)::text END
                       FROM unnest(\(texts)::text[]) WITH ORDINALITY AS t(q, i) ORDER BY i),
                   ARRAY(SELECT lexemes FROM terms ORDER BY i),
                   ARRAY(
                       SELECT CASE WHEN prefix AND lexemes <> '' AND position(' ' IN lexemes) = 0 THEN
                           coalesce((SELECT string_agg(w.word, ' ' ORDER BY w.word) FROM (
                               SELECT word FROM search_word
                               WHERE word >= terms.lexemes AND word < terms.lexemes || chr(1114111)
                               ORDER BY word LIMIT \(Self.maxSpelledOut + 1)) w), '')
                           ELSE '' END
                       FROM terms ORDER BY i),
                   (SELECT min(id) FROM search_document), (SELECT max(id) FROM search_document)
            """, logger: logger
        ).decode(([String], [String], [String], Int64?, Int64?).self) {
            queries = folded
            lexemes = termLexemes
            expansions = termExpansions
            if let low, let high { bounds = (low, high) }
        }
        return (
            matches.indices.map { index in
                guard index < queries.count, !queries[index].isEmpty else { return nil }
                let match = matches[index]
                let pairs =
                    match.mode == .phrase && match.terms.count > 1
                    ? Self.wordPairs(lexemes, lastIsPrefix: match.terms.last?.prefix ?? false) : nil
                return FoldedQuery(
                    words: queries[index], pairs: pairs,
                    indexed: Self.spelledOut(match, lexemes: lexemes, expansions: expansions))
            }, bounds
        )
    }

    /// Runs `body` in one read-only transaction on one pooled connection, on one snapshot (so
    /// the words a prefix stands for, the tiers and the count see the same documents).
    func readOnly<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await read { connection in
            try await connection.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                let result = try await body(connection)
                try await connection.run("COMMIT", logger: logger)
                return result
            } catch {
                try? await connection.run("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Finds up to `wanted` matches below `before`, newest first, inside the caller's read-only
    /// transaction: it walks a first window of the newest documents, then goes on walking while
    /// the matches seen so far say the rest will be found within the walk budget, and otherwise
    /// reads the rest of the range through the GIN index (the planner told so for the rest of
    /// this call only). `body` runs one window and returns how many matches it found. The window
    /// arithmetic cannot overflow, whatever number a page token carries.
    func eachWindow(
        _ query: FoldedQuery, on connection: PostgresConnection, bounds: (low: Int64, high: Int64),
        before document: Int64?, wanted: Int, stopBeforeIndex: (WalkSoFar) -> Bool = { _ in false },
        _ body: (FoldedQuery, _ low: Int64, _ high: Int64, WindowRead, _ limit: Int) async throws -> Int
    ) async throws {
        let lowest = bounds.low
        var high = bounds.high == Int64.max ? bounds.high : bounds.high + 1
        if let document { high = min(high, document) }
        var span = Self.firstWindow
        var read = WindowRead.walk
        var walked: Int64 = 0
        var found = 0
        while found < wanted && high > lowest {
            var low = lowest
            if read == .walk {
                let (difference, overflow) = high.subtractingReportingOverflow(span)
                low = overflow ? lowest : max(lowest, difference)
            }
            found += try await body(query, low, high, read, wanted - found)
            if read == .walk {
                walked += high - low
                // Documents still to walk at the density seen so far, with a margin.
                let needed =
                    found == 0
                    ? Int64.max
                    : Int64(min(9e18, Double(wanted - found) * Double(walked) / Double(found) * 1.25)) + 64
                if needed <= Self.walkBudget - walked {
                    span = needed
                } else if stopBeforeIndex(WalkSoFar(found: found, walked: walked, remaining: low - lowest)) {
                    break
                } else {
                    read = .index
                    try await Self.planner(indexOnly: true, connection, logger: logger)
                }
            }
            high = low
        }
        if read == .index { try await Self.planner(indexOnly: false, connection, logger: logger) }
    }

    /// Tells the planner, for the rest of the transaction, to read through the GIN index only
    /// (no walk along the key, no sequential scan), or to choose freely again. One statement.
    static func planner(indexOnly: Bool, _ connection: PostgresConnection, logger: Logger) async throws {
        let setting = indexOnly ? "off" : "on"
        try await connection.run(
            "SELECT set_config('enable_indexscan', \(setting), true), set_config('enable_seqscan', \(setting), true)",
            logger: logger)
    }

    /// The matches of one window, newest first.
    func windowHits(
        _ query: FoldedQuery, on connection: PostgresConnection, filters: SearchFilters, audience: Audience,
        low: Int64, high: Int64, read: WindowRead, limit: Int
    ) async throws -> [(document: Int64, sha256: String)] {
        let statement = Self.windowStatement(
            query, filters: filters, audience: audience, low: low, high: high, read: read, limit: limit,
            counting: false)
        var found: [(document: Int64, sha256: String)] = []
        for try await (id, sha256) in try await connection.query(statement.query, logger: logger).decode(
            (Int64, String).self)
        {
            found.append((id, sha256))
        }
        return found
    }

    /// Up to `limit` matches below `before`, newest first (see `eachWindow`).
    func hits(
        _ query: FoldedQuery, on connection: PostgresConnection, bounds: (low: Int64, high: Int64),
        filters: SearchFilters, audience: Audience, before document: Int64?, limit: Int
    ) async throws -> [(document: Int64, sha256: String)] {
        var found: [(document: Int64, sha256: String)] = []
        try await eachWindow(query, on: connection, bounds: bounds, before: document, wanted: limit) {
            query, low, high, read, limit in
            let window = try await windowHits(
                query, on: connection, filters: filters, audience: audience, low: low, high: high, read: read,
                limit: limit)
            found += window
            return window.count
        }
        return found
    }

    /// Counts exactly up to `countCap` matches (see there), reading windows as `hits` does, so
    /// that a common word costs no more than walking its first few thousand documents.
    func count(
        _ query: FoldedQuery, on connection: PostgresConnection, bounds: (low: Int64, high: Int64),
        filters: SearchFilters, audience: Audience
    ) async throws -> Int {
        var total = 0
        // Past the walk, reading the rest through the index fetches every match from the table
        // (a GIN index cannot count): thousands of rows for a common pair of words. When the
        // newest documents already hold enough matches that the rest, at the same density, would
        // hold twice the cap, the count is the cap without reading them.
        let surelyOverCap = { (walk: WalkSoFar) -> Bool in
            walk.found >= 32
                && Double(walk.found) + Double(walk.found) / Double(walk.walked) * Double(walk.remaining)
                    >= Double(2 * Self.countCap)
        }
        try await eachWindow(
            query, on: connection, bounds: bounds, before: nil, wanted: Self.countCap,
            stopBeforeIndex: { walk in
                if surelyOverCap(walk) { total = Self.countCap }
                return surelyOverCap(walk)
            }
        ) { query, low, high, read, limit in
            let statement = Self.windowStatement(
                query, filters: filters, audience: audience, low: low, high: high, read: read, limit: limit,
                counting: true)
            let count = try await connection.value(statement.query, as: Int.self, logger: logger) ?? 0
            total += count
            return count
        }
        return total
    }

    /// The captions of the hits' photos, by hash.
    func captions(_ hashes: [String], on connection: PostgresConnection) async throws -> [String: String] {
        guard !hashes.isEmpty else { return [:] }
        var captions: [String: String] = [:]
        for try await (sha256, caption) in try await connection.query(
            "SELECT sha256, fields ->> 'caption' FROM caption WHERE sha256 = ANY(\(hashes))", logger: logger
        ).decode((String, String?).self) {
            captions[sha256] = caption
        }
        return captions
    }

    /// The tiers, the count and the hits' captions in one read-only transaction on one
    /// connection: the matches folded and the document range read in one statement, then each
    /// tier's windows, the count's, and the captions.
    public func searchTiers(_ search: TieredSearch) async throws -> TieredPage {
        let limit = search.boundedLimit
        let reads = search.reads
        let matches = reads.map { search.tiers[$0.tier] } + (search.counting.map { [$0] } ?? [])
        return try await readOnly { connection in
            let (queries, bounds) = try await folded(matches, on: connection)
            var found: [(tier: Int, document: Int64, sha256: String)] = []
            var total: Int?
            if let bounds {
                for (position, read) in reads.enumerated() where found.count < limit {
                    guard let query = queries[position] else { continue }
                    found += try await hits(
                        query, on: connection, bounds: bounds, filters: search.filters, audience: search.audience,
                        before: read.before, limit: limit - found.count
                    ).map { (read.tier, $0.document, $0.sha256) }
                }
                if search.counting != nil {
                    total = 0
                    if let query = queries.last ?? nil {
                        total = try await count(
                            query, on: connection, bounds: bounds, filters: search.filters, audience: search.audience)
                    }
                }
            } else if search.counting != nil {
                total = 0
            }
            let captions = try await captions(found.map(\.sha256), on: connection)
            return TieredPage(
                hits: found.map {
                    TieredHit(
                        tier: $0.tier,
                        hit: SearchHit(document: $0.document, sha256: $0.sha256, caption: captions[$0.sha256]))
                }, total: total)
        }
    }

    public func searchHits(
        _ match: TextMatch, filters: SearchFilters, audience: Audience, before document: Int64?, limit: Int
    ) async throws -> [SearchHit] {
        let bounded = max(1, min(limit, 1000))
        return try await readOnly { connection in
            let (queries, bounds) = try await folded([match], on: connection)
            guard let query = queries.first ?? nil, let bounds else { return [] }
            let found = try await hits(
                query, on: connection, bounds: bounds, filters: filters, audience: audience, before: document,
                limit: bounded)
            let captions = try await captions(found.map(\.sha256), on: connection)
            return found.map { SearchHit(document: $0.document, sha256: $0.sha256, caption: captions[$0.sha256]) }
        }
    }

    public func searchCount(_ match: TextMatch?, filters: SearchFilters, audience: Audience) async throws -> Int {
        guard let match else { return try await photoCount(filters: filters, audience: audience) }
        return try await readOnly { connection in
            let (queries, bounds) = try await folded([match], on: connection)
            guard let query = queries.first ?? nil, let bounds else { return 0 }
            return try await count(query, on: connection, bounds: bounds, filters: filters, audience: audience)
        }
    }
}
