import Catalog
import Foundation
import PostgresNIO

extension PostgresCatalog {
    /// A lexeme as tsquery text: single-quoted, a quote doubled, a backslash doubled.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// tsquery text for a match's tokens (`TextMatch.tokens`), cast with `::tsquery`: no
    /// parser and no configuration, since the tokens are the desk's own. Each token is
    /// single-quoted, so no text is ever tsquery syntax; a prefix is `:*`, or, when `spelled`
    /// holds the words a word's prefix stands for, those words `('bo' | 'border')`, which the GIN
    /// index reads as exact keys (see Schema/0005-search-words.sql). `(all) & !(none)`.
    static func tsquery(_ tokens: TokenQuery, spelled: [String: [String]] = [:]) -> String {
        func term(_ token: SearchTerm) -> String {
            guard token.prefix else { return quoted(token.text) }
            guard let words = spelled[token.text], !words.isEmpty else { return quoted(token.text) + ":*" }
            return words.count == 1 ? quoted(words[0]) : "(" + words.map(quoted).joined(separator: " | ") + ")"
        }
        let all = "(" + tokens.all.map(term).joined(separator: " & ") + ")"
        guard let none = tokens.none else { return all }
        return all + " & !(" + none.map(term).joined(separator: " & ") + ")"
    }

    /// A match as the store asks it: its tsquery with prefixes, and the same with each word
    /// prefix spelled out as the words it stands for (nil when none was).
    struct FoldedQuery {
        var words: String
        var indexed: String? = nil
    }

    /// A word prefix standing for more words than this is left a prefix.
    static let maxSpelledOut = 64

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
        // The function form of @@ is one the GIN index cannot answer: a walk stays a walk.
        switch read {
        case .walk:
            conditions.append("ts_match_vq(d.search_vector, \(statement.bind(query.words))::tsquery)")
        case .index:
            conditions.append("d.search_vector @@ \(statement.bind(query.indexed ?? query.words))::tsquery")
        }
        var joins = ""
        if !filters.isEmpty {
            joins = " JOIN asset ON asset.sha256 = d.sha256 LEFT JOIN caption ON caption.sha256 = d.sha256"
            conditions += PostgresFilters.conditions(filters, audience: .editors, into: &statement)
        }
        if case .readers(let now) = audience {
            let at = statement.bind(now.instant)
            conditions.append("d.public_from <= \(at) AND (d.public_until IS NULL OR d.public_until > \(at))")
        }
        // A count needs any `limit` matches of the window, not the newest: without the order, a
        // read through the index stops at the limit instead of fetching and sorting every match.
        let matching =
            "SELECT d.id, d.sha256 FROM search_document d\(joins) WHERE \(conditions.joined(separator: " AND "))"
            + (counting ? "" : " ORDER BY d.id DESC") + " LIMIT \(statement.bind(limit))"
        statement.append(counting ? "SELECT count(*) FROM (\(matching)) matching" : matching)
        return statement
    }

    /// The search's matches as tsqueries (nil for a match of no tokens), and the lowest and
    /// highest document numbers (nil when there is none): one statement, which also reads the
    /// words each word prefix stands for (up to one more than `maxSpelledOut`).
    func folded(_ matches: [TextMatch], on connection: PostgresConnection) async throws -> (
        queries: [FoldedQuery?], bounds: (low: Int64, high: Int64)?
    ) {
        let tokens = matches.map(\.tokens)
        let prefixes = Array(
            Set(
                tokens.flatMap { ($0?.all ?? []) + ($0?.none ?? []) }.filter { $0.prefix && !$0.text.hasPrefix("~") }
                    .map(
                        \.text))
        ).sorted()
        var spelled: [String: [String]] = [:]
        var bounds: (low: Int64, high: Int64)?
        for try await (expansions, low, high) in try await connection.query(
            """
            SELECT ARRAY(
                       SELECT coalesce((SELECT string_agg(w.word, ' ' ORDER BY w.word) FROM (
                           SELECT word FROM search_word WHERE word >= t.p AND word < t.p || chr(1114111)
                           ORDER BY word LIMIT \(Self.maxSpelledOut + 1)) w), '')
                       FROM unnest(\(prefixes)::text[]) WITH ORDINALITY AS t(p, i) ORDER BY i),
                   (SELECT min(id) FROM search_document), (SELECT max(id) FROM search_document)
            """, logger: logger
        ).decode(([String], Int64?, Int64?).self) {
            for (prefix, words) in zip(prefixes, expansions) {
                let list = words.split(separator: " ").map(String.init)
                if !list.isEmpty && list.count <= Self.maxSpelledOut { spelled[prefix] = list }
            }
            if let low, let high { bounds = (low, high) }
        }
        return (
            tokens.map { tokens in
                tokens.map {
                    let words = Self.tsquery($0)
                    let indexed = Self.tsquery($0, spelled: spelled)
                    return FoldedQuery(words: words, indexed: indexed == words ? nil : indexed)
                }
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
