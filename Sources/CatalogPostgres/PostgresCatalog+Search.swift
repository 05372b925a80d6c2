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

    /// The first window of documents a search reads, newest first; each next one is four times
    /// as wide, until the page is full (or the count reaches its cap) or no document is left.
    static let firstWindow: Int64 = 4096
    /// Windows wider than this are read through the GIN index only (its matches within the
    /// window), never by walking the window along the key testing every document: a window is
    /// this wide only when matches are rare.
    static let scanWindow: Int64 = 16_384
    /// `searchCount` counts matches up to this many; a larger total is reported as the cap.
    /// SQLite counts exactly, but a PostgreSQL count reads every matching row (a GIN index cannot
    /// answer it alone), which at a million captions costs tens of milliseconds for a common word.
    public static let countCap = 1000

    /// One window of a search: its documents `low <= id < high` that match, newest first, at
    /// most `limit`; or, when `counting`, how many of them match (at most `limit`).
    static func windowStatement(
        _ query: String, filters: SearchFilters, audience: Audience, low: Int64, high: Int64, limit: Int,
        counting: Bool = false
    ) -> Statement {
        var statement = Statement()
        let tsquery = statement.bind(query)
        var conditions = [
            "d.id >= \(statement.bind(low))", "d.id < \(statement.bind(high))",
            "d.search_vector @@ (SELECT to_tsquery('photodesk', \(tsquery)))",
        ]
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

    /// Runs `body` for each window, newest first, in one read-only transaction, until it returns
    /// false or no document is left below `before`. The window arithmetic cannot overflow,
    /// whatever number a page token carries.
    func eachWindow(
        before document: Int64?, _ body: (PostgresConnection, _ low: Int64, _ high: Int64) async throws -> Bool
    ) async throws {
        try await read { connection in
            try await connection.run("BEGIN READ ONLY", logger: logger)
            do {
                if let bounds = try await connection.rows(
                    "SELECT min(id) AS low, max(id) AS high FROM search_document", logger: logger
                ).first,
                    let lowest = try bounds["low"].decode(Int64?.self), let highest = try bounds["high"].decode(Int64?.self)
                {
                    var high = highest == Int64.max ? highest : highest + 1
                    if let document { high = min(high, document) }
                    var window = Self.firstWindow
                    var wide = false
                    while high > lowest {
                        let (difference, overflow) = high.subtractingReportingOverflow(window)
                        let low = overflow ? lowest : max(lowest, difference)
                        if !wide && high - low > Self.scanWindow {
                            // From here on matches are rare: only the GIN index's bitmap, never a
                            // walk of the window (nor of the table).
                            try await connection.run("SET LOCAL enable_indexscan = off", logger: logger)
                            try await connection.run("SET LOCAL enable_seqscan = off", logger: logger)
                            wide = true
                        }
                        guard try await body(connection, low, high) else { break }
                        high = low
                        window = window > Int64.max / 4 ? Int64.max : window * 4
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
        guard let query = Self.tsquery(match) else { return [] }
        let bounded = max(1, min(limit, 1000))
        var found: [(document: Int64, sha256: String)] = []
        try await eachWindow(before: document) { connection, low, high in
            let statement = Self.windowStatement(
                query, filters: filters, audience: audience, low: low, high: high, limit: bounded - found.count)
            for try await (id, sha256) in try await connection.query(statement.query, logger: logger).decode(
                (Int64, String).self)
            {
                found.append((id, sha256))
            }
            return found.count < bounded
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

    /// Counts exactly up to `countCap` matches (see there), window by window as `searchHits`
    /// reads them, so that a common word costs no more than its first windows.
    public func searchCount(_ match: TextMatch?, filters: SearchFilters, audience: Audience) async throws -> Int {
        guard let match else { return try await photoCount(filters: filters, audience: audience) }
        guard let query = Self.tsquery(match) else { return 0 }
        var total = 0
        try await eachWindow(before: nil) { connection, low, high in
            let statement = Self.windowStatement(
                query, filters: filters, audience: audience, low: low, high: high, limit: Self.countCap - total,
                counting: true)
            total += try await connection.value(statement.query, as: Int.self, logger: logger) ?? 0
            return total < Self.countCap
        }
        return total
    }
}
