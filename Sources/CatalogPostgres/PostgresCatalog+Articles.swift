import Catalog
import Foundation
import PhotoModel
import PostgresNIO

extension PostgresCatalog {
    // MARK: Captions

    public func caption(of sha256: String) async throws -> Caption? {
        try await read { connection in try await PostgresRows.caption(connection, sha256: sha256, logger: logger) }
    }

    public func captionHistory(of sha256: String) async throws -> [CaptionRevision] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT sha256, revision, field, old_value, new_value, author, at, source FROM caption_revision
                WHERE sha256 = \(sha256) ORDER BY revision, id
                """, logger: logger
            ).map(PostgresRows.revision)
        }
    }

    public func captionRevisions(since date: Date, limit: Int) async throws -> [CaptionRevision] {
        let bounded = max(1, min(limit, 1000))
        return try await read { connection in
            try await connection.rows(
                """
                SELECT sha256, revision, field, old_value, new_value, author, at, source FROM caption_revision
                WHERE at > \(date) ORDER BY at DESC, id DESC LIMIT \(bounded)
                """, logger: logger
            ).map(PostgresRows.revision)
        }
    }

    public func commitCaption(_ commit: CaptionCommit) async throws {
        try await write { connection in
            let sha = commit.caption.sha256
            // The photo's row lock orders concurrent commits of one caption: each reads the
            // revision the one before it wrote (NO KEY UPDATE does not block inserts that refer to it).
            guard
                try await connection.value(
                    "SELECT 1 FROM asset WHERE sha256 = \(sha) FOR NO KEY UPDATE", as: Int.self, logger: logger) != nil
            else { throw CatalogError(.notFound, "no photo \(sha.prefix(16))") }
            let stored =
                try await connection.value(
                    "SELECT revision FROM caption WHERE sha256 = \(sha)", as: Int.self, logger: logger) ?? 0
            guard stored == commit.expectedRevision else {
                throw CatalogError(
                    .conflict,
                    "the caption of \(sha.prefix(16)) is at revision \(stored), not \(commit.expectedRevision)")
            }
            try await connection.run(
                """
                INSERT INTO caption (sha256, fields, revision)
                VALUES (\(sha), \(PostgresRows.json(commit.caption.fields))::jsonb, \(commit.caption.revision))
                ON CONFLICT (sha256) DO UPDATE SET fields = excluded.fields, revision = excluded.revision
                """, logger: logger)
            try await Self.insert(connection, commit.changes, logger: logger)
            try await connection.run(
                """
                INSERT INTO search_document (sha256, public_from, public_until, photo_text)
                SELECT sha256, public_from, public_until, \(commit.searchText) FROM asset WHERE sha256 = \(sha)
                ON CONFLICT (sha256) DO UPDATE SET photo_text = excluded.photo_text
                """, logger: logger)
            try await PostgresRows.reindexUses(connection, [sha], logger: logger)
        }
    }

    // MARK: Articles

    static let articleColumns = """
        article.id, article.slug, article.headline, article.dateline, article.byline, article.body, article.state,
        article.publish_at, article.published, article.updated_at, article.version
        """

    public func article(slug: String) async throws -> ArticleBundle? {
        try await read { connection in
            guard
                let row = try await connection.rows(
                    "SELECT \(unescaped: Self.articleColumns) FROM article WHERE slug = \(slug)", logger: logger
                ).first
            else { return nil }
            let article = try PostgresRows.article(row)
            let uses = try await connection.rows(
                """
                SELECT position, sha256, caption, crop, search_text FROM article_photo
                WHERE article_id = \(article.id ?? 0) ORDER BY position
                """, logger: logger
            ).map {
                ArticleUse(
                    position: try $0["position"].decode(Int.self), sha256: try $0["sha256"].decode(String?.self),
                    caption: try $0["caption"].decode(String?.self),
                    crop: PostgresRows.crop(try $0["crop"].decode(String?.self)),
                    searchText: try $0["search_text"].decode(String.self))
            }
            let photos = try await PostgresRows.cards(
                connection, sha256s: Array(Set(uses.compactMap(\.sha256))), logger: logger)
            return ArticleBundle(article: article, uses: uses, photos: photos)
        }
    }

    public func articles(limit: Int, audience: Audience) async throws -> [ArticleSummary] {
        let bounded = max(1, min(limit, 1000))
        var statement = Statement(
            """
            SELECT \(Self.articleColumns),
                   (SELECT count(*) FROM article_photo WHERE article_id = article.id AND sha256 IS NOT NULL) AS photos,
                   (SELECT sha256 FROM article_photo WHERE article_id = article.id AND sha256 IS NOT NULL
                    ORDER BY position LIMIT 1) AS cover
            FROM article
            """)
        if case .readers(let now) = audience {
            statement.append(
                " WHERE article.state = 'published' AND COALESCE(article.publish_at, \(statement.bind(PostgresRows.beginning.instant))) <= \(statement.bind(now.instant))"
            )
        }
        statement.append(
            " ORDER BY COALESCE(article.publish_at, article.updated_at) DESC, article.id DESC LIMIT \(statement.bind(bounded))"
        )
        let query = statement.query
        return try await read { connection in
            try await connection.rows(query, logger: logger).map { row in
                let article = try PostgresRows.article(row)
                return ArticleSummary(
                    slug: article.slug, headline: article.headline, state: article.state, publishAt: article.publishAt,
                    published: article.published, updatedAt: article.updatedAt,
                    photos: try row["photos"].decode(Int.self), cover: try row["cover"].decode(String?.self))
            }
        }
    }

    public func saveArticle(_ article: Article, uses: [ArticleUse], expectingVersion: Int?) async throws -> Article {
        try await write { connection in
            var saved = article
            let existing = try await connection.rows(
                "SELECT id, version FROM article WHERE slug = \(article.slug) FOR UPDATE", logger: logger
            ).first
            var touched = Set(uses.compactMap(\.sha256))
            if let expectingVersion {
                guard let existing else { throw CatalogError(.notFound, "no article \(article.slug)") }
                let version = try existing["version"].decode(Int.self)
                guard version == expectingVersion else {
                    throw CatalogError(
                        .conflict, "article \(article.slug) is at version \(version), not \(expectingVersion)")
                }
                let id = try existing["id"].decode(Int64.self)
                saved.id = id
                saved.version = version + 1
                for row in try await connection.rows(
                    "SELECT sha256 FROM article_photo WHERE article_id = \(id) AND sha256 IS NOT NULL", logger: logger)
                {
                    touched.insert(try row["sha256"].decode(String.self))
                }
                try await connection.run(
                    """
                    UPDATE article SET headline = \(saved.headline), dateline = \(saved.dateline),
                      published = \(saved.published), byline = \(saved.byline), body = \(saved.body),
                      updated_at = \(saved.updatedAt.instant), state = \(saved.state.rawValue),
                      publish_at = \(saved.publishAt.instant), version = \(saved.version)
                    WHERE id = \(id)
                    """, logger: logger)
                try await connection.run("DELETE FROM article_photo WHERE article_id = \(id)", logger: logger)
            } else {
                guard existing == nil else {
                    throw CatalogError(.exists, "an article with the slug \(article.slug) already exists")
                }
                saved.version = 1
                do {
                    saved.id = try await connection.value(
                        """
                        INSERT INTO article (slug, headline, dateline, published, byline, body, updated_at, state,
                          publish_at, version)
                        VALUES (\(saved.slug), \(saved.headline), \(saved.dateline), \(saved.published), \(saved.byline),
                          \(saved.body), \(saved.updatedAt.instant), \(saved.state.rawValue), \(saved.publishAt.instant),
                          \(saved.version))
                        RETURNING id
                        """, as: Int64.self, logger: logger)
                } catch let error where Self.sqlState(error) == "23505" {
                    throw CatalogError(.exists, "an article with the slug \(article.slug) already exists")
                }
            }
            if !uses.isEmpty {
                let rows = PostgresRows.json(uses.map(UseRow.init))
                try await connection.run(
                    """
                    INSERT INTO article_photo (article_id, position, sha256, caption, crop, search_text)
                    SELECT \(saved.id ?? 0), position, sha256, caption, crop, search_text
                    FROM jsonb_to_recordset(\(rows)::jsonb) AS r(position int, sha256 text, caption text, crop text,
                      search_text text)
                    """, logger: logger)
            }
            try await PostgresRows.refreshPublicFrom(connection, touched, logger: logger)
            try await PostgresRows.reindexUses(connection, touched, logger: logger)
            return saved
        }
    }

    /// A use as a row of `jsonb_to_recordset`.
    struct UseRow: Encodable {
        var position: Int
        var sha256: String?
        var caption: String?
        var crop: String?
        var searchText: String

        init(_ use: ArticleUse) {
            position = use.position
            sha256 = use.sha256
            caption = use.caption
            crop = use.crop.map { PostgresRows.json($0) }
            searchText = use.searchText
        }

        enum CodingKeys: String, CodingKey {
            case position, sha256, caption, crop
            case searchText = "search_text"
        }
    }

    public func uses(of sha256: String) async throws -> [PhotoUse] {
        try await read { connection in try await PostgresRows.uses(connection, sha256: sha256, logger: logger) }
    }

    public func nextPublication(after date: Date) async throws -> Date? {
        try await read { connection in
            try await connection.value(
                """
                SELECT least(
                  (SELECT min(publish_at) FROM article WHERE state = 'published' AND publish_at > \(date.instant)),
                  (SELECT min(public_from) FROM asset WHERE public_from > \(date.instant)),
                  (SELECT min(public_until) FROM asset WHERE public_until > \(date.instant)))
                """, as: Instant?.self, logger: logger
            )??.date
        }
    }
}
