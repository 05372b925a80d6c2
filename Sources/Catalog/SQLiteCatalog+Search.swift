import Foundation
import GRDB

extension SQLiteCatalog {
    /// Rebuilds one photo's search text: its caption fields, location, people and the headlines
    /// and captions of the articles that use it, folded.
    func reindex(_ db: Database, _ sha256: String) throws {
        let caption = try CaptionRecord.fetchOne(db, key: sha256)?.fields ?? CaptionFields()
        let articles = try Row.fetchAll(
            db,
            sql: """
                SELECT article.headline, articlePhoto.caption FROM articlePhoto JOIN article ON article.id = articlePhoto.articleId
                WHERE articlePhoto.sha256 = ?
                """, arguments: [sha256])
        var parts = CaptionField.allCases.filter { $0 != .copyright }.compactMap { $0.value(in: caption) }
        for row in articles {
            parts.append(row["headline"])
            if let use: String = row["caption"] { parts.append(use) }
        }
        let body = SearchText.fold(parts.joined(separator: " \n "))
        try db.execute(sql: "INSERT OR IGNORE INTO searchDoc (sha256) VALUES (?)", arguments: [sha256])
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM searchDoc WHERE sha256 = ?", arguments: [sha256])
        else { return }
        try db.execute(sql: "DELETE FROM searchIndex WHERE rowid = ?", arguments: [id])
        try db.execute(sql: "INSERT INTO searchIndex (rowid, body) VALUES (?, ?)", arguments: [id, body])
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

    /// How many of the newest matches are ranked by relevance. Beyond them, older matches follow
    /// newest first: ranking every match of a short prefix ("ha") over 100,000 captions costs tens
    /// of milliseconds, and a desk looks for recent photos first.
    static let rankedCandidates = 300

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

    /// Words: the newest `rankedCandidates` matches ranked (the words as one phrase first, then
    /// BM25), then the older matches newest first. The keyset is (k1, document) descending, k1
    /// being 1,000,000 + score for ranked results and 0 for the others.
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
        let matchArguments: [any DatabaseValueConvertible] = [match] + filterArguments

        let total =
            try Int.fetchOne(db, sql: "SELECT COUNT(*) \(matching)", arguments: StatementArguments(matchArguments))
            ?? 0
        let boundary =
            try Int64.fetchOne(
                db,
                sql: "SELECT searchIndex.rowid \(matching) ORDER BY searchIndex.rowid DESC LIMIT 1 OFFSET ?",
                arguments: StatementArguments(matchArguments + [Self.rankedCandidates - 1])) ?? 0
        let cursor = token.flatMap(SearchCursor.init(token:))
        let cursorScore = cursor.flatMap { Double.fromDatabaseValue($0.first) }
        let cursorDocument = cursor.flatMap { Int64.fromDatabaseValue($0.second) }
        var found: [(document: Int64, key: Double)] = []

        if cursorScore.map({ $0 >= 1_000_000 }) ?? true {
            var sql = """
                SELECT document, key FROM (
                    SELECT searchIndex.rowid AS document,
                           1000000.0 + (searchIndex.rowid IN (
                               SELECT rowid FROM searchIndex WHERE searchIndex MATCH ? AND rowid >= ?)) * 1000.0
                           - bm25(searchIndex) AS key
                    \(matching) AND searchIndex.rowid >= ?)
                """
            var arguments: [any DatabaseValueConvertible] = [phrase, boundary] + matchArguments + [boundary]
            if let cursorScore, let cursorDocument {
                sql += " WHERE key < ? OR (key = ? AND document < ?)"
                arguments += [cursorScore, cursorScore, cursorDocument]
            }
            sql += " ORDER BY key DESC, document DESC LIMIT ?"
            arguments.append(limit)
            for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) {
                found.append((row[0], row[1]))
            }
        }
        if found.count < limit && boundary > 0 {
            // Older matches start below the boundary, or below the last one shown.
            var below = boundary
            if let cursorScore, cursorScore < 1_000_000, let cursorDocument { below = min(boundary, cursorDocument) }
            let rows = try Int64.fetchAll(
                db, sql: "SELECT searchIndex.rowid \(matching) AND searchIndex.rowid < ? ORDER BY searchIndex.rowid DESC LIMIT ?",
                arguments: StatementArguments(matchArguments + [below, limit - found.count]))
            found += rows.map { ($0, 0) }
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
            return SearchPage.Result(id: id, caption: caption, score: hit.key >= 1_000_000 ? hit.key - 1_000_000 : 0)
        }
        var next: String?
        if found.count == limit, let last = found.last {
            next = SearchCursor(first: last.key.databaseValue, second: last.document.databaseValue).token
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
