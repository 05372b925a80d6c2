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
    /// as wide, until the page is full or no document is left.
    static let firstWindow: Int64 = 4096
    /// Windows up to this width are read along the document numbers (the key's index), testing
    /// each document; wider ones are read through the GIN index (its matches within the window).
    static let scanWindow: Int64 = 16_384

    /// The statement for one window: matching documents with `low <= id < high`, newest first.
    static func windowStatement(
        _ query: String, filters: SearchFilters, audience: Audience, low: Int64, high: Int64, limit: Int
    ) -> Statement {
        var statement = Statement()
        let tsquery = statement.bind(query)
        let lowBound = statement.bind(low)
        let highBound = statement.bind(high)
        // A window read along the key tests each document with the function form of @@, which the
        // GIN index cannot answer, so the planner cannot trade the bounded walk for a read of every
        // match of a frequent word; a wide window uses @@, so the index narrows it first.
        let test =
            high - low <= scanWindow
            ? "ts_match_vq(d.search_vector, (SELECT to_tsquery('photodesk', \(tsquery))))"
            : "d.search_vector @@ (SELECT to_tsquery('photodesk', \(tsquery)))"
        var conditions = ["d.id >= \(lowBound)", "d.id < \(highBound)", test]
        var joins = ""
        if !filters.isEmpty {
            joins = " JOIN asset ON asset.sha256 = d.sha256 LEFT JOIN caption ON caption.sha256 = d.sha256"
            conditions += PostgresFilters.conditions(filters, audience: .editors, into: &statement)
        }
        if case .readers(let now) = audience {
            conditions.append("d.public_from <= \(statement.bind(now.instant))")
        }
        statement.append(
            "SELECT d.id, d.sha256 FROM search_document d\(joins) WHERE \(conditions.joined(separator: " AND "))"
                + " ORDER BY d.id DESC LIMIT \(statement.bind(limit))")
        return statement
    }

    public func searchHits(
        _ match: TextMatch, filters: SearchFilters, audience: Audience, before document: Int64?, limit: Int
    ) async throws -> [SearchHit] {
        guard let query = Self.tsquery(match) else { return [] }
        let bounded = max(1, min(limit, 1000))
        return try await read { connection in
            guard
                let bounds = try await connection.rows(
                    "SELECT min(id) AS low, max(id) AS high FROM search_document", logger: logger
                ).first,
                let lowest = try bounds["low"].decode(Int64?.self), let highest = try bounds["high"].decode(Int64?.self)
            else { return [] }
            // Below `high` (exclusive), down to `lowest`; arithmetic that cannot overflow
            // whatever number a page token carries.
            var high = highest == Int64.max ? highest : highest + 1
            if let document { high = min(high, document) }
            var window = Self.firstWindow
            var found: [(document: Int64, sha256: String)] = []
            while found.count < bounded && high > lowest {
                let (difference, overflow) = high.subtractingReportingOverflow(window)
                let low = overflow ? lowest : max(lowest, difference)
                let statement = Self.windowStatement(
                    query, filters: filters, audience: audience, low: low, high: high, limit: bounded - found.count)
                for try await (id, sha256) in try await connection.query(statement.query, logger: logger).decode(
                    (Int64, String).self)
                {
                    found.append((id, sha256))
                }
                high = low
                window = window > Int64.max / 4 ? Int64.max : window * 4
            }
            guard !found.isEmpty else { return [] }
            var captions: [String: String] = [:]
            for try await (sha256, caption) in try await connection.query(
                "SELECT sha256, fields ->> 'caption' FROM caption WHERE sha256 = ANY(\(found.map(\.sha256)))",
                logger: logger
            ).decode((String, String?).self) {
                captions[sha256] = caption
            }
            return found.map { SearchHit(document: $0.document, sha256: $0.sha256, caption: captions[$0.sha256]) }
        }
    }

    public func searchCount(_ match: TextMatch?, filters: SearchFilters, audience: Audience) async throws -> Int {
        guard let match else { return try await photoCount(filters: filters, audience: audience) }
        guard let query = Self.tsquery(match) else { return 0 }
        var statement = Statement()
        let tsquery = statement.bind(query)
        var conditions = ["d.search_vector @@ (SELECT to_tsquery('photodesk', \(tsquery)))"]
        var joins = ""
        if !filters.isEmpty {
            joins = " JOIN asset ON asset.sha256 = d.sha256 LEFT JOIN caption ON caption.sha256 = d.sha256"
            conditions += PostgresFilters.conditions(filters, audience: .editors, into: &statement)
        }
        if case .readers(let now) = audience {
            conditions.append("d.public_from <= \(statement.bind(now.instant))")
        }
        statement.append(
            "SELECT count(*) FROM search_document d\(joins) WHERE \(conditions.joined(separator: " AND "))")
        let counting = statement.query
        return try await read { connection in
            try await connection.value(counting, as: Int.self, logger: logger) ?? 0
        }
    }
}
