import Foundation
import GRDB

extension SQLiteCatalog {
    public func saveArticle(_ article: ArticleRecord, photos: [ArticlePhotoInput]) throws -> (
        article: ArticleRecord, created: Bool
    ) {
        try write { db in
            var record = article
            var touched = Set(photos.map(\.sha256))
            let existing = try ArticleRecord.filter(Column("slug") == article.slug).fetchOne(db)
            if let existing {
                record.id = existing.id
                touched.formUnion(
                    try String.fetchAll(
                        db, sql: "SELECT sha256 FROM articlePhoto WHERE articleId = ? AND sha256 IS NOT NULL",
                        arguments: [existing.id]))
                try record.update(db)
                try db.execute(sql: "DELETE FROM articlePhoto WHERE articleId = ?", arguments: [existing.id])
            } else {
                try record.insert(db)
            }
            guard let id = record.id else { throw CatalogError(.database, "article \\(article.slug) has no id") }
            for (index, photo) in photos.enumerated() {
                try ArticlePhotoRecord(articleId: id, position: index + 1, sha256: photo.sha256, caption: photo.caption)
                    .insert(db)
            }
            for sha in touched { try reindex(db, sha) }
            return (record, existing == nil)
        }
    }

    public func article(slug: String) throws -> ArticleDocument? {
        try read { db in
            guard let article = try ArticleRecord.filter(Column("slug") == slug).fetchOne(db) else { return nil }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT articlePhoto.position, articlePhoto.caption AS useCaption, asset.shortId, asset.width, asset.height,
                           caption.caption, caption.credit, caption.byline
                    FROM articlePhoto LEFT JOIN asset ON asset.sha256 = articlePhoto.sha256
                    LEFT JOIN caption ON caption.sha256 = articlePhoto.sha256
                    WHERE articlePhoto.articleId = ? ORDER BY articlePhoto.position
                    """, arguments: [article.id])
            let photos = rows.map { row in
                ArticleDocument.Photo(
                    id: row["shortId"], position: row["position"], caption: row["useCaption"] ?? row["caption"],
                    credit: row["credit"], byline: row["byline"], width: row["width"], height: row["height"])
            }
            return ArticleDocument(
                slug: article.slug, headline: article.headline, dateline: article.dateline,
                published: article.published,
                byline: article.byline, body: article.body, photos: photos)
        }
    }

    public func articles(limit: Int) throws -> [ArticleSummary] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT article.slug, article.headline, article.published,
                           (SELECT COUNT(*) FROM articlePhoto WHERE articleId = article.id AND sha256 IS NOT NULL) AS photos,
                           (SELECT asset.shortId FROM articlePhoto JOIN asset USING (sha256)
                            WHERE articleId = article.id ORDER BY position LIMIT 1) AS cover
                    FROM article ORDER BY article.published DESC, article.updatedAt DESC LIMIT ?
                    """, arguments: [limit]
            ).map {
                ArticleSummary(
                    slug: $0["slug"], headline: $0["headline"], published: $0["published"], photos: $0["photos"],
                    cover: $0["cover"])
            }
        }
    }

    public func link(slug: String, photos: [String], position: Int?, caption: String?) throws {
        try write { db in
            guard let article = try ArticleRecord.filter(Column("slug") == slug).fetchOne(db), let id = article.id
            else {
                throw CatalogError(.notFound, "no article \(slug)")
            }
            var current = try ArticlePhotoRecord.filter(Column("articleId") == id).order(Column("position")).fetchAll(
                db)
            let insertAt = min(max(0, (position ?? current.count + 1) - 1), current.count)
            let added = photos.map { ArticlePhotoRecord(articleId: id, position: 0, sha256: $0, caption: caption) }
            current.insert(contentsOf: added, at: insertAt)
            try db.execute(sql: "DELETE FROM articlePhoto WHERE articleId = ?", arguments: [id])
            for (index, var photo) in current.enumerated() {
                photo.position = index + 1
                try photo.insert(db)
            }
            for sha in photos { try reindex(db, sha) }
        }
    }

    public func unlink(slug: String, sha256: String) throws {
        try write { db in
            guard let article = try ArticleRecord.filter(Column("slug") == slug).fetchOne(db), let id = article.id
            else {
                throw CatalogError(.notFound, "no article \(slug)")
            }
            let remaining = try ArticlePhotoRecord.filter(Column("articleId") == id).order(Column("position")).fetchAll(
                db
            )
            .filter { $0.sha256 != sha256 }
            try db.execute(sql: "DELETE FROM articlePhoto WHERE articleId = ?", arguments: [id])
            for (index, var photo) in remaining.enumerated() {
                photo.position = index + 1
                try photo.insert(db)
            }
            try reindex(db, sha256)
        }
    }

    public func usages(of sha256: String) throws -> [AssetDocument.ArticleUse] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT article.slug, articlePhoto.position, articlePhoto.caption
                    FROM articlePhoto JOIN article ON article.id = articlePhoto.articleId
                    WHERE articlePhoto.sha256 = ? ORDER BY article.slug, articlePhoto.position
                    """, arguments: [sha256]
            ).map { AssetDocument.ArticleUse(slug: $0["slug"], position: $0["position"], caption: $0["caption"]) }
        }
    }

    public func removeAsset(_ sha256: String, force: Bool) throws -> [String] {
        try write { db in
            let uses =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM articlePhoto WHERE sha256 = ?", arguments: [sha256])
                ?? 0
            if uses > 0 && !force {
                throw CatalogError(
                    .inUse,
                    "photo \\(sha256.prefix(16)) is used by \\(uses) article photo(s): unlink it first, or remove with --force (the articles keep a visible gap)"
                )
            }
            let files = try String.fetchAll(db, sql: "SELECT path FROM rendition WHERE sha256 = ?", arguments: [sha256])
            // The articles keep their place for the photo, empty: a visible gap, not a silent reflow.
            try db.execute(sql: "UPDATE articlePhoto SET sha256 = NULL WHERE sha256 = ?", arguments: [sha256])
            try db.execute(
                sql: "DELETE FROM searchIndex WHERE rowid IN (SELECT id FROM searchDoc WHERE sha256 = ?)",
                arguments: [sha256])
            try db.execute(sql: "DELETE FROM searchDoc WHERE sha256 = ?", arguments: [sha256])
            try db.execute(sql: "DELETE FROM asset WHERE sha256 = ?", arguments: [sha256])
            return files
        }
    }
}
