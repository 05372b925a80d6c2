import Catalog
import Foundation
import GRDB
import PhotoModel

extension SQLiteCatalog {
    /// An FTS5 query for a match: each term quoted (so no text is ever query syntax), prefix
    /// terms marked `*`.
    static func expression(_ terms: [SearchTerm]) -> String {
        terms.map { quote($0.text) + ($0.prefix ? "*" : "") }.joined(separator: " ")
    }

    static func phrase(_ terms: [SearchTerm]) -> String {
        quote(terms.map(\.text).joined(separator: " ")) + (terms.last?.prefix == true ? "*" : "")
    }

    static func quote(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func expression(_ match: TextMatch) -> String? {
        guard !match.terms.isEmpty else { return nil }
        switch match.mode {
        case .phrase: return phrase(match.terms)
        case .allTerms: return expression(match.terms)
        case .allTermsNotPhrase:
            return match.terms.count > 1 ? "(\(expression(match.terms))) NOT \(phrase(match.terms))" : nil
        }
    }

    public func searchHits(
        _ match: TextMatch, filters: SearchFilters, audience: Audience, before document: Int64?, limit: Int
    ) async throws -> [SearchHit] {
        guard let expression = Self.expression(match) else { return [] }
        let bounded = max(1, min(limit, 1000))
        return try await read { db in
            var clause = Filters(filters, audience: audience)
            if let document { clause.add("searchIndex.rowid < ?", document) }
            let needsPhoto = !filters.isEmpty || audience != .editors
            let joins =
                needsPhoto
                ? "JOIN asset ON asset.sha256 = searchDoc.sha256 LEFT JOIN caption ON caption.sha256 = asset.sha256"
                : ""
            return try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT searchIndex.rowid AS document, searchDoc.sha256 AS sha256,
                               (SELECT json_extract(fields, '$.caption') FROM caption WHERE caption.sha256 = searchDoc.sha256) AS caption
                        FROM searchIndex JOIN searchDoc ON searchDoc.id = searchIndex.rowid \(joins)
                        WHERE searchIndex MATCH ?\(clause.andSQL)
                        ORDER BY searchIndex.rowid DESC LIMIT ?
                        """), arguments: StatementArguments([expression] + clause.arguments + [bounded])
            ).map { SearchHit(document: $0["document"], sha256: $0["sha256"], caption: $0["caption"]) }
        }
    }

    public func searchCount(_ match: TextMatch?, filters: SearchFilters, audience: Audience) async throws -> Int {
        guard let match else { return try await photoCount(filters: filters, audience: audience) }
        guard let expression = Self.expression(match) else { return 0 }
        return try await read { db in
            let clause = Filters(filters, audience: audience)
            let needsPhoto = !filters.isEmpty || audience != .editors
            let joins =
                needsPhoto
                ? "JOIN searchDoc ON searchDoc.id = searchIndex.rowid JOIN asset ON asset.sha256 = searchDoc.sha256 LEFT JOIN caption ON caption.sha256 = asset.sha256"
                : ""
            return try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT COUNT(*) FROM (
                            SELECT 1 FROM searchIndex \(joins) WHERE searchIndex MATCH ?\(clause.andSQL) LIMIT ?)
                        """),
                arguments: StatementArguments([expression] + clause.arguments + [TextMatch.countCap])) ?? 0
        }
    }
}
