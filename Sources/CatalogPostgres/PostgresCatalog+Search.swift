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
            conditions.append("d.search_vector @@ \(statement.bind(query.words))::tsquery")
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

    /// Finds up to `wanted` matches below `before`, newest first, in one read-only transaction:
    /// it walks a first window of the newest documents, then goes on walking while the matches
    /// seen so far say the rest will be found within the walk budget, and otherwise reads the
    /// rest of the range through the GIN index. `body` runs one window and returns how many
    /// matches it found. The window arithmetic cannot overflow, whatever number a page token
    /// carries.
    func eachWindow(
        _ match: TextMatch, before document: Int64?, wanted: Int, stopBeforeIndex: (WalkSoFar) -> Bool = { _ in false },
        _ body: (PostgresConnection, FoldedQuery, _ low: Int64, _ high: Int64, WindowRead, _ limit: Int)
            async throws -> Int
    ) async throws {
        guard let text = Self.tsquery(match) else { return }
        try await read { connection in
            try await connection.run("BEGIN READ ONLY", logger: logger)
            do {
                // Folded once by the configuration, then bound as a tsquery value: the planner
                // sees the words, and no document parses it again. A phrase also asks for its
                // word pairs (see Schema/0004-phrase-pairs.sql), folded the same way.
                let words = match.mode == .phrase && match.terms.count > 1 ? match.terms.map(\.text) : []
                var tsquery = ""
                var folded: [String] = []
                for try await (query, lexemes) in try await connection.query(
                    """
                    SELECT to_tsquery('photodesk', \(text))::text, ARRAY(
                        SELECT coalesce((SELECT string_agg(lexeme, ' ') FROM unnest(to_tsvector('photodesk', w))), '')
                        FROM unnest(\(words)::text[]) WITH ORDINALITY AS t(w, i) ORDER BY i)
                    """, logger: logger
                ).decode((String, [String]).self) {
                    tsquery = query
                    folded = lexemes
                }
                let query = FoldedQuery(
                    words: tsquery, pairs: Self.wordPairs(folded, lastIsPrefix: match.terms.last?.prefix ?? false))
                if !tsquery.isEmpty,
                    let bounds = try await connection.rows(
                        "SELECT min(id) AS low, max(id) AS high FROM search_document", logger: logger
                    ).first,
                    let lowest = try bounds["low"].decode(Int64?.self),
                    let highest = try bounds["high"].decode(Int64?.self)
                {
                    var high = highest == Int64.max ? highest : highest + 1
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
                        found += try await body(connection, query, low, high, read, wanted - found)
                        if read == .walk {
                            walked += high - low
                            // Documents still to walk at the density seen so far, with a margin.
                            let needed =
                                found == 0
                                ? Int64.max
                                : Int64(min(9e18, Double(wanted - found) * Double(walked) / Double(found) * 1.25)) + 64
                            if needed <= Self.walkBudget - walked {
                                span = needed
                            } else if stopBeforeIndex(WalkSoFar(found: found, walked: walked, remaining: low - lowest))
                            {
                                break
                            } else {
                                read = .index
                                try await connection.run("SET LOCAL enable_indexscan = off", logger: logger)
                                try await connection.run("SET LOCAL enable_seqscan = off", logger: logger)
                            }
                        }
                        high = low
                    }
                }
                try await connection.run("COMMIT", logger: logger)
            } catch {
                try? await connection.run("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    public func searchHits(
        _ match: TextMatch, filters: SearchFilters, audience: Audience, before document: Int64?, limit: Int
    ) async throws -> [SearchHit] {
        let bounded = max(1, min(limit, 1000))
        var found: [(document: Int64, sha256: String)] = []
        try await eachWindow(match, before: document, wanted: bounded) { connection, query, low, high, read, limit in
            let statement = Self.windowStatement(
                query, filters: filters, audience: audience, low: low, high: high, read: read, limit: limit,
                counting: false)
            var count = 0
            for try await (id, sha256) in try await connection.query(statement.query, logger: logger).decode(
                (Int64, String).self)
            {
                found.append((id, sha256))
                count += 1
            }
            return count
        }
        guard !found.isEmpty else { return [] }
        let hashes = found.map(\.sha256)
        let captions = try await read { connection in
            var captions: [String: String] = [:]
            for try await (sha256, caption) in try await connection.query(
                "SELECT sha256, fields ->> 'caption' FROM caption WHERE sha256 = ANY(\(hashes))", logger: logger
            ).decode((String, String?).self) {
                captions[sha256] = caption
            }
            return captions
        }
        return found.map { SearchHit(document: $0.document, sha256: $0.sha256, caption: captions[$0.sha256]) }
    }

    /// Counts exactly up to `countCap` matches (see there), reading windows as `searchHits`
    /// does, so that a common word costs no more than walking its first few thousand documents.
    public func searchCount(_ match: TextMatch?, filters: SearchFilters, audience: Audience) async throws -> Int {
        guard let match else { return try await photoCount(filters: filters, audience: audience) }
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
            match, before: nil, wanted: Self.countCap,
            stopBeforeIndex: { walk in
                if surelyOverCap(walk) { total = Self.countCap }
                return surelyOverCap(walk)
            }
        ) { connection, query, low, high, read, limit in
            let statement = Self.windowStatement(
                query, filters: filters, audience: audience, low: low, high: high, read: read, limit: limit,
                counting: true)
            let count = try await connection.value(statement.query, as: Int.self, logger: logger) ?? 0
            total += count
            return count
        }
        return total
    }
}
