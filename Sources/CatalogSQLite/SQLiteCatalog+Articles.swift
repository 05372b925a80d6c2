import Catalog
import Foundation
import GRDB
import PhotoModel

extension SQLiteCatalog {
    static func article(_ row: Row) -> Article {
        Article(
            id: row["id"], slug: row["slug"], headline: row["headline"], dateline: row["dateline"],
            byline: row["byline"], body: row["body"], state: PublicationState(rawValue: row["state"]) ?? .draft,
            publishAt: row["publishAt"], published: row["published"], updatedAt: row["updatedAt"],
            version: row["version"])
    }

    public func article(slug: String) async throws -> ArticleBundle? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM article WHERE slug = ?", arguments: [slug])
            else { return nil }
            let article = SQLiteCatalog.article(row)
            let uses = try Row.fetchAll(
                db, sql: "SELECT * FROM articlePhoto WHERE articleId = ? ORDER BY position", arguments: [article.id]
            ).map {
                ArticleUse(
                    position: $0["position"], sha256: $0["sha256"], caption: $0["caption"], crop: Rows.crop($0["crop"]),
                    searchText: $0["searchText"])
            }
            let photos = try Rows.cards(db, sha256s: Array(Set(uses.compactMap(\.sha256))))
            return ArticleBundle(article: article, uses: uses, photos: photos)
        }
    }

    public func articles(limit: Int, audience: Audience) async throws -> [ArticleSummary] {
        let bounded = max(1, min(limit, 1000))
        return try await read { db in
            var visible = ""
            var arguments: [any DatabaseValueConvertible] = []
            if case .readers(let now) = audience {
                visible = "WHERE article.state = 'published' AND COALESCE(article.publishAt, ?) <= ?"
                arguments = [Rows.beginning, now]
            }
            arguments.append(bounded)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT article.*,
                           (SELECT COUNT(*) FROM articlePhoto WHERE articleId = article.id AND sha256 IS NOT NULL) AS photos,
                           (SELECT sha256 FROM articlePhoto WHERE articleId = article.id AND sha256 IS NOT NULL
                            ORDER BY position LIMIT 1) AS cover
                    FROM article \(visible)
                    ORDER BY COALESCE(article.publishAt, article.updatedAt) DESC, article.id DESC LIMIT ?
                    """, arguments: StatementArguments(arguments)
            ).map { row in
                let article = SQLiteCatalog.article(row)
                return ArticleSummary(
                    slug: article.slug, headline: article.headline, state: article.state,
                    publishAt: article.publishAt, published: article.published, updatedAt: article.updatedAt,
                    photos: row["photos"], cover: row["cover"])
            }
        }
    }

    public func saveArticle(_ article: Article, uses: [ArticleUse], expectingVersion: Int?) async throws -> Article {
        try await write { db in
            var saved = article
            let existing = try Row.fetchOne(
                db, sql: "SELECT id, version FROM article WHERE slug = ?", arguments: [article.slug])
            var touched = Set(uses.compactMap(\.sha256))
            if let expectingVersion {
                guard let existing else { throw CatalogError(.notFound, "no article \(article.slug)") }
                let version: Int = existing["version"]
                guard version == expectingVersion else {
                    throw CatalogError(
                        .conflict, "article \(article.slug) is at version \(version), not \(expectingVersion)")
                }
                let id: Int64 = existing["id"]
                saved.id = id
                saved.version = version + 1
                touched.formUnion(
                    try String.fetchAll(
                        db, sql: "SELECT sha256 FROM articlePhoto WHERE articleId = ? AND sha256 IS NOT NULL",
                        arguments: [id]))
                try db.execute(
                    sql: """
                        UPDATE article SET headline = ?, dateline = ?, published = ?, byline = ?, body = ?,
                          updatedAt = ?, state = ?, publishAt = ?, version = ? WHERE id = ?
                        """,
                    arguments: [
                        saved.headline, saved.dateline, saved.published, saved.byline, saved.body, saved.updatedAt,
                        saved.state.rawValue, saved.publishAt, saved.version, id,
                    ])
                try db.execute(sql: "DELETE FROM articlePhoto WHERE articleId = ?", arguments: [id])
            } else {
                guard existing == nil else {
                    throw CatalogError(.exists, "an article with the slug \(article.slug) already exists")
                }
                saved.version = 1
                try db.execute(
                    sql: """
                        INSERT INTO article (slug, headline, dateline, published, byline, body, updatedAt, state,
                          publishAt, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        saved.slug, saved.headline, saved.dateline, saved.published, saved.byline, saved.body,
                        saved.updatedAt, saved.state.rawValue, saved.publishAt, saved.version,
                    ])
                saved.id = db.lastInsertedRowID
            }
            for use in uses {
                try db.execute(
                    sql: """
                        INSERT INTO articlePhoto (articleId, position, sha256, caption, crop, searchText)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        saved.id, use.position, use.sha256, use.caption, use.crop.map(Rows.json), use.searchText,
                    ])
            }
            try Rows.refreshPublicFrom(db, touched)
            try Rows.reindex(db, touched)
            return saved
        }
    }

    public func uses(of sha256: String) async throws -> [PhotoUse] {
        try await read { db in try Rows.uses(db, sha256: sha256) }
    }

    /// Two look-ups along indexes (migration v10), not a scan of every photo: the cache of a
    /// busy gallery asks after every change.
    public func nextPublication(after date: Date) async throws -> Date? {
        try await read { db in
            let article = try Date.fetchOne(
                db, sql: "SELECT MIN(publishAt) FROM article WHERE state = 'published' AND publishAt > ?",
                arguments: [date])
            let photo = try Date.fetchOne(
                db, sql: "SELECT MIN(publicFrom) FROM asset WHERE publicFrom > ?", arguments: [date])
            let end = try Date.fetchOne(
                db, sql: "SELECT MIN(publicUntil) FROM asset WHERE publicUntil > ?", arguments: [date])
            return [article, photo, end].compactMap { $0 }.min()
        }
    }
}
