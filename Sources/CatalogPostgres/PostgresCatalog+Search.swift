import Catalog
import Foundation
import PostgresNIO

extension PostgresCatalog {
    /// tsquery text for a match: every term single-quoted (a quote doubled, a backslash
    /// doubled), so no text is ever tsquery syntax; prefix terms marked `:*`. Bound as a
    /// parameter of `to_tsquery('photodesk', …)`, which folds it as the documents were folded.
    static func tsquery(_ match: TextMatch) -> String? {
        guard !match.terms.isEmpty else { return nil }
        func quote(_ text: String) -> String {
            "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
        }
        let words = match.terms.map { quote($0.text) + ($0.prefix ? ":*" : "") }
        // As FTS5's phrase "a b"*: only the last word of a phrase is a prefix.
        let phrase =
            match.terms.enumerated().map { index, term in
                quote(term.text) + (index == match.terms.count - 1 && term.prefix ? ":*" : "")
            }.joined(separator: " <-> ")
        switch match.mode {
        case .phrase: return match.terms.count > 1 ? "(\(phrase))" : words[0]
        case .allTerms: return "(" + words.joined(separator: " & ") + ")"
        case .allTermsNotPhrase:
            guard match.terms.count > 1 else { return nil }
            return "(" + words.joined(separator: " & ") + ") & !(\(phrase))"
        }
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
    /// ("500 or more"). SQLite counts exactly, but a PostgreSQL count must read every matching
    /// row (a GIN index cannot answer it alone), which at a million captions costs tens of
    /// milliseconds for a common word.
    public static let countCap = 500

    /// One window of a search: its documents `low <= id < high` that match, newest first, at
    /// most `limit`; or, when `counting`, how many of them match (at most `limit`).
    static func windowStatement(
        _ tsquery: String, filters: SearchFilters, audience: Audience, low: Int64, high: Int64, read: WindowRead,
        limit: Int, counting: Bool
    ) -> Statement {
        var statement = Statement()
        let query = statement.bind(tsquery)
        // The function form of @@ is one the GIN index cannot answer: a walk stays a walk.
        let test =
            read == .walk ? "ts_match_vq(d.search_vector, \(query)::tsquery)" : "d.search_vector @@ \(query)::tsquery"
        var conditions = ["d.id >= \(statement.bind(low))", "d.id < \(statement.bind(high))", test]
        var joins = ""
        if !filters.isEmpty {
            joins = " JOIN asset ON asset.sha256 = d.sha256 LEFT JOIN caption ON caption.sha256 = d.sha256"
            conditions += PostgresFilters.conditions(filters, audience: .editors, into: &statement)
        }
        if case .readers(let now) = audience {
            conditions.append("d.public_from <= \(statement.bind(now.instant))")
        }
        let matching =
            "SELECT d.id, d.sha256 FROM search_document d\(joins) WHERE \(conditions.joined(separator: " AND "))"
            + " ORDER BY d.id DESC LIMIT \(statement.bind(limit))"
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
        _ match: TextMatch, before document: Int64?, wanted: Int,
        _ body: (PostgresConnection, _ tsquery: String, _ low: Int64, _ high: Int64, WindowRead, _ limit: Int)
            async throws -> Int
    ) async throws {
        guard let text = Self.tsquery(match) else { return }
        try await read { connection in
            try await connection.run("BEGIN READ ONLY", logger: logger)
            do {
                // Folded once by the configuration, then bound as a tsquery value: the planner
                // sees the words, and no document parses it again.
                let tsquery =
                    try await connection.value(
                        "SELECT to_tsquery('photodesk', \(text))::text", as: String.self, logger: logger) ?? ""
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
                        found += try await body(connection, tsquery, low, high, read, wanted - found)
                        if read == .walk {
                            walked += high - low
                            // Documents still to walk at the density seen so far, with a margin.
                            let needed =
                                found == 0
                                ? Int64.max
                                : Int64(min(9e18, Double(wanted - found) * Double(walked) / Double(found) * 1.25)) + 64
                            if needed <= Self.walkBudget - walked {
                                span = needed
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
        try await eachWindow(match, before: document, wanted: bounded) { connection, tsquery, low, high, read, limit in
            let statement = Self.windowStatement(
                tsquery, filters: filters, audience: audience, low: low, high: high, read: read, limit: limit,
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
        try await eachWindow(match, before: nil, wanted: Self.countCap) { connection, tsquery, low, high, read, limit in
            let statement = Self.windowStatement(
                tsquery, filters: filters, audience: audience, low: low, high: high, read: read, limit: limit,
                counting: true)
            let count = try await connection.value(statement.query, as: Int.self, logger: logger) ?? 0
            total += count
            return count
        }
        return total
    }
}
