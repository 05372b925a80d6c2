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

        return try read { db in
            let base: String
            var baseArguments = arguments
            if words.isEmpty {
                base = """
                    SELECT asset.shortId AS id, caption.caption AS caption, 0.0 AS score,
                           asset.createdAt AS k1, asset.sha256 AS k2
                    FROM asset LEFT JOIN caption USING (sha256)
                    \(filters.isEmpty ? "" : "WHERE " + filters.joined(separator: " AND "))
                    """
            } else {
                // BM25, with documents holding the words as one phrase ranked first ("Ha Giang"
                // before "khai giảng ... Hà Nội").
                base = """
                    SELECT asset.shortId AS id, caption.caption AS caption,
                           (instr(searchIndex.body, ?) > 0) * 1000.0 - bm25(searchIndex) AS score,
                           (instr(searchIndex.body, ?) > 0) * 1000.0 - bm25(searchIndex) AS k1, searchDoc.id AS k2
                    FROM searchIndex JOIN searchDoc ON searchDoc.id = searchIndex.rowid
                    JOIN asset ON asset.sha256 = searchDoc.sha256 LEFT JOIN caption ON caption.sha256 = asset.sha256
                    WHERE searchIndex MATCH ? \(filters.isEmpty ? "" : "AND " + filters.joined(separator: " AND "))
                    """
                let phrase = words.joined(separator: " ")
                baseArguments.insert(contentsOf: [phrase, phrase, SearchText.matchExpression(words)], at: 0)
            }
            let total =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM (\(base))", arguments: StatementArguments(baseArguments)) ?? 0
            var pageSQL = "SELECT * FROM (\(base))"
            var pageArguments = baseArguments
            if let token, let cursor = SearchCursor(token: token) {
                // Newest first without words; best score first, then stable by document, with them.
                pageSQL += words.isEmpty ? " WHERE (k1, k2) < (?, ?)" : " WHERE (k1 < ? OR (k1 = ? AND k2 > ?))"
                if words.isEmpty {
                    pageArguments += [cursor.first, cursor.second]
                } else {
                    pageArguments += [cursor.first, cursor.first, cursor.second]
                }
            }
            pageSQL += words.isEmpty ? " ORDER BY k1 DESC, k2 DESC LIMIT ?" : " ORDER BY k1 DESC, k2 ASC LIMIT ?"
            pageArguments.append(limit)
            let rows = try Row.fetchAll(db, sql: pageSQL, arguments: StatementArguments(pageArguments))
            let results = rows.map {
                SearchPage.Result(id: $0["id"], caption: $0["caption"], score: ($0["score"] as Double? ?? 0))
            }
            var next: String?
            if rows.count == limit, let last = rows.last {
                next = SearchCursor(first: last["k1"] as DatabaseValue, second: last["k2"] as DatabaseValue).token
            }
            return SearchPage(results: results, total: total, next: next)
        }
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
