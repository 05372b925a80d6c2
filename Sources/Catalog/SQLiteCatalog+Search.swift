import Foundation
import GRDB

extension SQLiteCatalog {
    /// Rebuilds one photo's search text: its caption fields, location, people and the headlines
    /// and captions of the articles that use it, folded.
    /// `known` is the caption when the caller has it at hand (a new photo); the statements are
    /// cached, since ingest runs this once per new photo.
    func reindex(_ db: Database, _ sha256: String, known: CaptionFields? = nil) throws {
        let caption = try known ?? CaptionRecord.fetchOne(db, key: sha256)?.fields ?? CaptionFields()
        var parts = CaptionField.allCases.filter { $0 != .copyright }.compactMap { $0.value(in: caption) }
        let articles = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT article.headline, articlePhoto.caption FROM articlePhoto JOIN article ON article.id = articlePhoto.articleId
                    WHERE articlePhoto.sha256 = ?
                    """), arguments: [sha256])
        for row in articles {
            parts.append(row["headline"])
            if let use: String = row["caption"] { parts.append(use) }
        }
        let body = SearchText.fold(parts.joined(separator: " \n "))
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO searchDoc (sha256) VALUES (?)").execute(arguments: [sha256])
        guard
            let id = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM searchDoc WHERE sha256 = ?"), arguments: [sha256])
        else { return }
        try db.cachedStatement(sql: "DELETE FROM searchIndex WHERE rowid = ?").execute(arguments: [id])
        try db.cachedStatement(sql: "INSERT INTO searchIndex (rowid, body) VALUES (?, ?)").execute(arguments: [id, body])
    }

    public func search(_ query: SearchQuery, limit: Int, after token: String?) throws -> SearchPage {
        let words = SearchText.words(query.text)
        var filters: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let missing = query.missing {
            guard SearchQuery.missingFields.contains(missing) else {
                throw CatalogError(
                    .notFound, "--missing takes one of: \(SearchQuery.missingFields.joined(separator: ", "))")
            }
            filters.append("caption.\(missing) IS NULL")
        }
        if let byline = query.byline {
            filters.append("caption.byline LIKE ?")
            arguments.append("%\(byline)%")
        }
        if let from = query.from {
            filters.append("asset.takenAt >= ?")
            arguments.append(from)
        }
        if let to = query.to {
            filters.append("asset.takenAt <= ?")
            arguments.append(to + "~")
        }
        if let slug = query.article {
            filters.append(
                "asset.sha256 IN (SELECT sha256 FROM articlePhoto JOIN article ON article.id = articlePhoto.articleId WHERE article.slug = ?)"
            )
            arguments.append(slug)
        }
        if let camera = query.camera {
            filters.append("(COALESCE(asset.cameraMake, '') || ' ' || COALESCE(asset.cameraModel, '')) LIKE ?")
            arguments.append("%\(camera)%")
        }
        if words.isEmpty && filters.isEmpty { return SearchPage(results: [], total: 0, next: nil) }

        if words.isEmpty {
            return try read { db in
                try recentMatches(db, filters: filters, arguments: arguments, limit: limit, after: token)
            }
        }
        return try read { db in
            try rankedMatches(db, words: words, filters: filters, arguments: arguments, limit: limit, after: token)
        }
    }

    /// Filters only: newest first, by keyset on (createdAt, sha256).
    private func recentMatches(
        _ db: Database, filters: [String], arguments: [any DatabaseValueConvertible], limit: Int, after token: String?
    ) throws -> SearchPage {
        let base = """
            SELECT asset.shortId AS id, caption.caption AS caption, 0.0 AS score,
                   asset.createdAt AS k1, asset.sha256 AS k2
            FROM asset LEFT JOIN caption USING (sha256)
            WHERE \(filters.joined(separator: " AND "))
            """
        let total =
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(base))", arguments: StatementArguments(arguments)) ?? 0
        var pageSQL = "SELECT * FROM (\(base))"
        var pageArguments = arguments
        if let token, let cursor = SearchCursor(token: token) {
            pageSQL += " WHERE (k1, k2) < (?, ?)"
            pageArguments += [cursor.first, cursor.second]
        }
        pageSQL += " ORDER BY k1 DESC, k2 DESC LIMIT ?"
        pageArguments.append(limit)
        let rows = try Row.fetchAll(db, sql: pageSQL, arguments: StatementArguments(pageArguments))
        let results = rows.map { SearchPage.Result(id: $0["id"], caption: $0["caption"], score: 0) }
        var next: String?
        if rows.count == limit, let last = rows.last {
            next = SearchCursor(first: last["k1"] as DatabaseValue, second: last["k2"] as DatabaseValue).token
        }
        return SearchPage(results: results, total: total, next: next)
    }

    /// Words: first the photos whose text holds the words as one phrase ("ha giang" as written,
    /// the last word a prefix), then those holding every word anywhere; newest first within each.
    /// Both tiers are read in the index's own rowid order, so a page costs the same on page one
    /// and page one hundred, and no score is computed for matches that are not shown (BM25 over a
    /// third of 100,000 captions cost more than the rest of a search). The keyset is
    /// (tier, document) descending; the score of a result is its tier (2 phrase, 1 words).
    private func rankedMatches(
        _ db: Database, words: [String], filters: [String], arguments filterArguments: [any DatabaseValueConvertible],
        limit: Int, after token: String?
    ) throws -> SearchPage {
        let match = SearchText.matchExpression(words)
        let phrase = "\"" + words.joined(separator: " ") + "\"*"
        // The matching documents, with the filters when there are any (they need the asset's row).
        let joins =
            filters.isEmpty
            ? ""
            : """
             JOIN searchDoc ON searchDoc.id = searchIndex.rowid JOIN asset ON asset.sha256 = searchDoc.sha256
             LEFT JOIN caption ON caption.sha256 = asset.sha256
            """
        let filterSQL = filters.isEmpty ? "" : " AND " + filters.joined(separator: " AND ")
        let matching = "FROM searchIndex\(joins) WHERE searchIndex MATCH ?\(filterSQL)"

        let total =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) \(matching)", arguments: StatementArguments([match] + filterArguments)) ?? 0
        let cursor = token.flatMap(SearchCursor.init(token:))
        let cursorTier = cursor.flatMap { Double.fromDatabaseValue($0.first) }.map { Int($0) }
        let cursorDocument = cursor.flatMap { Int64.fromDatabaseValue($0.second) }
        // One word is its own phrase: a single tier.
        let tiers: [(rank: Int, expression: String)] =
            words.count > 1 ? [(2, phrase), (1, "(\(match)) NOT \(phrase)")] : [(2, match)]
        var found: [(document: Int64, tier: Int)] = []
        // When the first page holds every phrase match, the second tier is the plain match less
        // those, which spares the index a second phrase check (NOT).
        var everyPhraseMatch: Set<Int64>?
        for tier in tiers where found.count < limit {
            if let cursorTier, tier.rank > cursorTier { continue }
            var expression = tier.expression
            var excluded: Set<Int64> = []
            if tier.rank == 1, let known = everyPhraseMatch {
                expression = match
                excluded = known
            }
            var sql = "SELECT searchIndex.rowid \(matching)"
            var arguments: [any DatabaseValueConvertible] = [expression] + filterArguments
            if let cursorTier, let cursorDocument, tier.rank == cursorTier {
                sql += " AND searchIndex.rowid < ?"
                arguments.append(cursorDocument)
            }
            sql += " ORDER BY searchIndex.rowid DESC LIMIT ?"
            let wanted = limit - found.count
            arguments.append(wanted + excluded.count)
            let documents = try Int64.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
                .filter { !excluded.contains($0) }.prefix(wanted)
            found += documents.map { ($0, tier.rank) }
            if tier.rank == 2, cursor == nil, documents.count < wanted { everyPhraseMatch = Set(documents) }
        }

        // Ids and captions for this page only.
        var details: [Int64: (String, String?)] = [:]
        if !found.isEmpty {
            let marks = found.map { _ in "?" }.joined(separator: ",")
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT searchDoc.id, asset.shortId, caption.caption FROM searchDoc
                    JOIN asset ON asset.sha256 = searchDoc.sha256 LEFT JOIN caption ON caption.sha256 = asset.sha256
                    WHERE searchDoc.id IN (\(marks))
                    """, arguments: StatementArguments(found.map(\.document)))
            for row in rows { details[row[0]] = (row[1], row[2]) }
        }
        let results = found.compactMap { hit -> SearchPage.Result? in
            guard let (id, caption) = details[hit.document] else { return nil }
            return SearchPage.Result(id: id, caption: caption, score: Double(hit.tier))
        }
        var next: String?
        if found.count == limit, let last = found.last {
            next = SearchCursor(first: Double(last.tier).databaseValue, second: last.document.databaseValue).token
        }
        return SearchPage(results: results, total: total, next: next)
    }
}

/// A keyset position in search results, as one URL-safe token.
struct SearchCursor {
    var first: DatabaseValue
    var second: DatabaseValue

    init(first: DatabaseValue, second: DatabaseValue) {
        self.first = first
        self.second = second
    }

    var token: String {
        func encode(_ value: DatabaseValue) -> String {
            switch value.storage {
            case .int64(let number): "i" + String(number)
            case .double(let number): "d" + String(number.bitPattern, radix: 16)
            case .string(let text):
                "s"
                    + Data(text.utf8).base64EncodedString().replacingOccurrences(of: "/", with: "_")
                    .replacingOccurrences(of: "+", with: "-")
            default: "n"
            }
        }
        return encode(first) + "." + encode(second)
    }

    init?(token: String) {
        func decode(_ part: Substring) -> DatabaseValue? {
            guard let kind = part.first else { return nil }
            let rest = String(part.dropFirst())
            switch kind {
            case "i": return Int64(rest).map { $0.databaseValue }
            case "d": return UInt64(rest, radix: 16).map { Double(bitPattern: $0).databaseValue }
            case "s":
                let base64 = rest.replacingOccurrences(of: "_", with: "/").replacingOccurrences(of: "-", with: "+")
                return Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self).databaseValue }
            default: return nil
            }
        }
        let parts = token.split(separator: ".")
        guard parts.count == 2, let first = decode(parts[0]), let second = decode(parts[1]) else { return nil }
        self.init(first: first, second: second)
    }
}
