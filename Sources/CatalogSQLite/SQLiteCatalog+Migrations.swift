import Catalog
import GRDB

extension SQLiteCatalog {
    /// The schema, one named migration per change.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-assets") { db in
            try db.create(table: "asset") { t in
                t.primaryKey("sha256", .text)
                t.column("shortId", .text).notNull().unique()
                t.column("format", .text).notNull()
                t.column("bytes", .integer).notNull()
                t.column("width", .integer).notNull()
                t.column("height", .integer).notNull()
                t.column("orientation", .integer).notNull()
                t.column("takenAt", .text)
                t.column("cameraMake", .text)
                t.column("cameraModel", .text)
                t.column("lens", .text)
                t.column("exposureTime", .text)
                t.column("fNumber", .double)
                t.column("iso", .integer)
                t.column("focalLength", .double)
                t.column("latitude", .double)
                t.column("longitude", .double)
                t.column("altitude", .double)
                t.column("sourcesJSON", .text)
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(index: "asset_created", on: "asset", columns: ["createdAt", "sha256"])
            try db.create(table: "location") { t in
                t.primaryKey("path", .text)
                t.column("sha256", .text).notNull().references("asset", onDelete: .cascade)
                t.column("size", .integer).notNull()
                t.column("modifiedAt", .double).notNull()
                t.column("inode", .integer).notNull()
                t.column("seenAt", .datetime).notNull()
            }
            try db.create(index: "location_asset", on: "location", columns: ["sha256"])
            try db.create(table: "rendition") { t in
                t.column("sha256", .text).notNull().references("asset", onDelete: .cascade)
                t.column("preset", .text).notNull()
                t.column("format", .text).notNull()
                t.column("width", .integer).notNull()
                t.column("height", .integer).notNull()
                t.column("bytes", .integer).notNull()
                t.column("path", .text).notNull()
                t.column("fingerprint", .text).notNull()
                t.primaryKey(["sha256", "preset"])
            }
            try db.create(table: "caption") { t in
                t.primaryKey("sha256", .text).references("asset", onDelete: .cascade)
                t.column("caption", .text)
                t.column("headline", .text)
                t.column("byline", .text)
                t.column("credit", .text)
                t.column("copyright", .text)
                t.column("keywordsJSON", .text).notNull().defaults(to: "[]")
                t.column("city", .text)
                t.column("region", .text)
                t.column("country", .text)
                t.column("instructions", .text)
                t.column("revision", .integer).notNull()
            }
            try db.create(table: "captionRevision") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sha256", .text).notNull().references("asset", onDelete: .cascade).indexed()
                t.column("revision", .integer).notNull()
                t.column("field", .text).notNull()
                t.column("oldValue", .text)
                t.column("newValue", .text)
                t.column("author", .text).notNull()
                t.column("at", .datetime).notNull()
                t.column("source", .text).notNull()
            }
            try db.create(table: "article") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("slug", .text).notNull().unique()
                t.column("headline", .text).notNull()
                t.column("dateline", .text)
                t.column("published", .text)
                t.column("byline", .text)
                t.column("body", .text).notNull().defaults(to: "")
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "articlePhoto") { t in
                t.column("articleId", .integer).notNull().references("article", onDelete: .cascade)
                t.column("position", .integer).notNull()
                t.column("sha256", .text).references("asset", onDelete: .setNull).indexed()
                t.column("caption", .text)
                t.primaryKey(["articleId", "position"])
            }
        }
        migrator.registerMigration("v2-search") { db in
            // Folded text (lower case, no diacritics, đ as d) under FTS5; searchDoc gives each
            // asset a stable integer id for the index's rowid.
            try db.create(table: "searchDoc") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sha256", .text).notNull().unique().references("asset", onDelete: .cascade)
            }
            try db.execute(
                sql: "CREATE VIRTUAL TABLE searchIndex USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')")
        }
        migrator.registerMigration("v3-accounts") { db in
            try db.create(table: "account") { t in
                t.primaryKey("name", .text)
                t.column("role", .text).notNull()
                t.column("passwordHash", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "session") { t in
                t.primaryKey("tokenHash", .text)
                t.column("name", .text).notNull().references("account", onDelete: .cascade).indexed()
                t.column("csrf", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
            }
            try db.create(table: "apiToken") { t in
                t.primaryKey("tokenHash", .text)
                t.column("name", .text).notNull().references("account", onDelete: .cascade).indexed()
                t.column("label", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v4-search-prefixes") { db in
            // Prefix indexes make "ha*" one lookup rather than a merge of every word starting so.
            try db.execute(
                sql:
                    "CREATE VIRTUAL TABLE searchIndexNew USING fts5(body, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')"
            )
            try db.execute(sql: "INSERT INTO searchIndexNew (rowid, body) SELECT rowid, body FROM searchIndex")
            try db.execute(sql: "DROP TABLE searchIndex")
            try db.execute(sql: "ALTER TABLE searchIndexNew RENAME TO searchIndex")
        }
        migrator.registerMigration("v5-seam") { db in
            // Caption fields as one JSON object (the fields are CaptionField's list, not columns).
            try db.execute(
                sql: """
                    CREATE TABLE captionNew (
                      sha256 TEXT PRIMARY KEY NOT NULL REFERENCES asset(sha256) ON DELETE CASCADE,
                      fields TEXT NOT NULL DEFAULT '{}',
                      revision INTEGER NOT NULL)
                    """)
            try db.execute(
                sql: """
                    INSERT INTO captionNew (sha256, fields, revision)
                    SELECT sha256, json_object('caption', caption, 'headline', headline, 'byline', byline,
                      'credit', credit, 'copyright', copyright, 'keywords', json(keywordsJSON), 'city', city,
                      'region', region, 'country', country, 'instructions', instructions), revision
                    FROM caption
                    """)
            try db.execute(sql: "DROP TABLE caption")
            try db.execute(sql: "ALTER TABLE captionNew RENAME TO caption")
            // Publication: photos on their own, articles with their time.
            try db.alter(table: "asset") { t in
                t.add(column: "publishedAt", .datetime)
                t.add(column: "publicFrom", .datetime)
            }
            try db.alter(table: "article") { t in
                t.add(column: "state", .text).notNull().defaults(to: "draft")
                t.add(column: "publishAt", .datetime)
                t.add(column: "version", .integer).notNull().defaults(to: 1)
            }
            try db.execute(
                sql: "UPDATE article SET state = 'published' WHERE published IS NOT NULL AND published != ''")
            try db.alter(table: "articlePhoto") { t in
                t.add(column: "crop", .text)
                t.add(column: "searchText", .text).notNull().defaults(to: "")
            }
            try db.execute(
                sql: """
                    UPDATE asset SET publicFrom = (SELECT MIN(COALESCE(article.publishAt, '1970-01-01 00:00:00.000'))
                      FROM articlePhoto JOIN article ON article.id = articlePhoto.articleId
                      WHERE articlePhoto.sha256 = asset.sha256 AND article.state = 'published')
                    """)
            // A photo's own search text beside its document (the uses add theirs).
            try db.alter(table: "searchDoc") { t in t.add(column: "photoText", .text).notNull().defaults(to: "") }
            try db.execute(
                sql:
                    "UPDATE searchDoc SET photoText = COALESCE((SELECT body FROM searchIndex WHERE rowid = searchDoc.id), '')"
            )
            // Sessions remember the desk's last visit; tokens have ids to revoke by and an expiry.
            try db.alter(table: "session") { t in t.add(column: "lastDeskVisit", .datetime) }
            try db.alter(table: "apiToken") { t in
                t.add(column: "id", .text)
                t.add(column: "expiresAt", .datetime)
            }
            try db.execute(
                sql:
                    "UPDATE apiToken SET id = 'tok_' || substr(tokenHash, 1, 12), expiresAt = datetime(createdAt, '+365 days')"
            )
            try db.create(index: "apiToken_id", on: "apiToken", columns: ["id"], unique: true)
            try db.create(table: "loginAttempt") { t in
                t.primaryKey("key", .text)
                t.column("count", .integer).notNull()
                t.column("lastAt", .datetime).notNull()
            }
            try db.create(table: "catalogState") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("changes", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO catalogState (id, changes) VALUES (1, 1)")
            try db.create(index: "asset_public", on: "asset", columns: ["publicFrom"])
        }
        migrator.registerMigration("v6-revisions-by-time") { db in
            // The desk's "what changed since your last visit".
            try db.create(index: "captionRevision_at", on: "captionRevision", columns: ["at"])
        }
        migrator.registerMigration("v7-search-visibility") { db in
            // A search document carries its photo's publicFrom, copied by triggers whenever the
            // photo's changes or a document is made: a reader's search then checks each match in
            // the document it already reads (found by its number) instead of also looking up
            // the photo by its hash, which was most of the cost of counting 500 matches.
            try db.alter(table: "searchDoc") { t in t.add(column: "publicFrom", .datetime) }
            try db.execute(
                sql: """
                    UPDATE searchDoc SET publicFrom = (SELECT publicFrom FROM asset WHERE asset.sha256 = searchDoc.sha256);
                    CREATE TRIGGER searchDoc_publicFrom_new AFTER INSERT ON searchDoc BEGIN
                      UPDATE searchDoc SET publicFrom = (SELECT publicFrom FROM asset WHERE asset.sha256 = NEW.sha256)
                      WHERE id = NEW.id;
                    END;
                    CREATE TRIGGER asset_publicFrom_changed AFTER UPDATE OF publicFrom ON asset
                    WHEN NEW.publicFrom IS NOT OLD.publicFrom BEGIN
                      UPDATE searchDoc SET publicFrom = NEW.publicFrom WHERE sha256 = NEW.sha256;
                    END;
                    """)
        }
        migrator.registerMigration("v8-search-tokens") { db in
            // The index holds the desk's tokens (SearchTokens: words, then neighbouring-word
            // pairs), split on spaces only: FTS5's ascii tokenizer with `~` a token character (it
            // takes every other byte above 127 as a token character and folds only A-Z, which the
            // desk's words no longer hold), so no backend has its own idea of a word. The texts
            // kept so far are folded, but those written before the desk split them into words
            // (carried over by v5 from the index) still hold punctuation and line breaks: each is
            // split into its words again, then given its pairs. The code here is this
            // migration's own, written for the schema as v7 left it.
            for (table, key, column) in [("searchDoc", "id", "photoText"), ("articlePhoto", "rowid", "searchText")] {
                let rows = try Row.fetchAll(db, sql: "SELECT \(key) AS key, \(column) AS text FROM \(table)")
                for row in rows {
                    let words = SearchTokens.words(inFolded: row["text"] as String? ?? "")
                    try db.execute(
                        sql: "UPDATE \(table) SET \(column) = ? WHERE \(key) = ?",
                        arguments: [SearchTokens.document(words), row["key"] as Int64])
                }
            }
            try db.execute(sql: "DROP TABLE searchIndex")
            try db.execute(sql: "CREATE VIRTUAL TABLE searchIndex USING fts5(body, \(Self.searchTokenizer))")
            // Each document's body: the photo's own text, then its uses' texts in article order.
            let uses = try Row.fetchAll(
                db,
                sql: """
                    SELECT sha256, searchText FROM articlePhoto
                    WHERE sha256 IS NOT NULL AND searchText != '' ORDER BY articleId, position
                    """)
            var useTexts: [String: [String]] = [:]
            for use in uses { useTexts[use["sha256"] as String, default: []].append(use["searchText"]) }
            for document in try Row.fetchAll(db, sql: "SELECT id, sha256, photoText FROM searchDoc") {
                let parts = [document["photoText"] as String] + (useTexts[document["sha256"] as String] ?? [])
                try db.execute(
                    sql: "INSERT INTO searchIndex (rowid, body) VALUES (?, ?)",
                    arguments: [document["id"] as Int64, parts.filter { !$0.isEmpty }.joined(separator: " \n ")])
            }
        }
        migrator.registerMigration("v9-search-changes") { db in
            // Which search documents changed after a counter, for a copy of the index in memory
            // to follow (SearchDocumentFeed): each document notes the change counter its write
            // commits as (the writes bump it last, so it is the counter plus one while they run),
            // and a removed document leaves its number behind.
            try db.alter(table: "searchDoc") { t in t.add(column: "changedAt", .integer).notNull().defaults(to: 0) }
            try db.create(index: "searchDoc_changedAt", on: "searchDoc", columns: ["changedAt"])
            try db.create(table: "searchDocRemoved") { t in
                t.primaryKey("id", .integer)
                t.column("changedAt", .integer).notNull().indexed()
            }
            try db.execute(
                sql: """
                    CREATE TRIGGER searchDoc_changed_new AFTER INSERT ON searchDoc BEGIN
                      UPDATE searchDoc SET changedAt = (SELECT changes FROM catalogState WHERE id = 1) + 1
                      WHERE id = NEW.id;
                      DELETE FROM searchDocRemoved WHERE id = NEW.id;
                    END;
                    CREATE TRIGGER searchDoc_changed AFTER UPDATE OF photoText, publicFrom ON searchDoc BEGIN
                      UPDATE searchDoc SET changedAt = (SELECT changes FROM catalogState WHERE id = 1) + 1
                      WHERE id = NEW.id;
                    END;
                    CREATE TRIGGER searchDoc_removed AFTER DELETE ON searchDoc BEGIN
                      INSERT OR REPLACE INTO searchDocRemoved (id, changedAt)
                      VALUES (OLD.id, (SELECT changes FROM catalogState WHERE id = 1) + 1);
                    END;
                    """)
        }
        migrator.registerMigration("v10-publication-times") { db in
            // The next scheduled publication, asked by the readers' cache after every change, is
            // found along these indexes instead of by reading every photo.
            try db.create(index: "asset_publishedAt", on: "asset", columns: ["publishedAt"])
            try db.create(index: "article_publishAt", on: "article", columns: ["publishAt"])
        }
        migrator.registerMigration("v11-rights") { db in
            // Rights (RightsStore): each photo's derived state, which bounds its visibility
            // (publicFrom never before usableFrom, nil when usableFrom is; publicUntil is
            // usableUntil), its leases and history, and the shared settings (the rights rules).
            try db.alter(table: "asset") { t in
                t.add(column: "rightsCategory", .text).notNull().defaults(to: "unknown")
                t.add(column: "rightsCost", .text).notNull().defaults(to: "conditional")
                t.add(column: "restricted", .boolean).notNull().defaults(to: false)
                t.add(column: "killed", .boolean).notNull().defaults(to: false)
                t.add(column: "usableFrom", .datetime).defaults(sql: "'1970-01-01 00:00:00.000'")
                t.add(column: "usableUntil", .datetime)
                t.add(column: "rightsVersion", .integer).notNull().defaults(to: 0)
                t.add(column: "publicUntil", .datetime)
            }
            try db.create(index: "asset_publicUntil", on: "asset", columns: ["publicUntil"])
            try db.create(index: "asset_rightsCost", on: "asset", columns: ["rightsCost"])
            try db.alter(table: "searchDoc") { t in t.add(column: "publicUntil", .datetime) }
            try db.execute(
                sql: """
                    DROP TRIGGER searchDoc_publicFrom_new;
                    CREATE TRIGGER searchDoc_publicFrom_new AFTER INSERT ON searchDoc BEGIN
                      UPDATE searchDoc SET publicFrom = (SELECT publicFrom FROM asset WHERE asset.sha256 = NEW.sha256),
                        publicUntil = (SELECT publicUntil FROM asset WHERE asset.sha256 = NEW.sha256)
                      WHERE id = NEW.id;
                    END;
                    CREATE TRIGGER asset_publicUntil_changed AFTER UPDATE OF publicUntil ON asset
                    WHEN NEW.publicUntil IS NOT OLD.publicUntil BEGIN
                      UPDATE searchDoc SET publicUntil = NEW.publicUntil WHERE sha256 = NEW.sha256;
                    END;
                    DROP TRIGGER searchDoc_changed;
                    CREATE TRIGGER searchDoc_changed AFTER UPDATE OF photoText, publicFrom, publicUntil ON searchDoc BEGIN
                      UPDATE searchDoc SET changedAt = (SELECT changes FROM catalogState WHERE id = 1) + 1
                      WHERE id = NEW.id;
                    END;
                    """)
            try db.create(table: "lease") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sha256", .text).notNull().indexed().references("asset", onDelete: .cascade)
                t.column("allow", .boolean).notNull()
                t.column("startsAt", .datetime)
                t.column("endsAt", .datetime)
                t.column("article", .text)
                t.column("note", .text).notNull()
                t.column("by", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("revokedAt", .datetime)
                t.column("revokedBy", .text)
                t.column("revokeNote", .text)
            }
            try db.create(table: "rightsEvent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sha256", .text).notNull().indexed().references("asset", onDelete: .cascade)
                t.column("action", .text).notNull()
                t.column("at", .datetime).notNull()
                t.column("by", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("leaseId", .integer)
                t.column("article", .text)
            }
            try db.create(table: "setting") { t in
                t.primaryKey("name", .text)
                t.column("value", .text).notNull()
                t.column("by", .text).notNull()
                t.column("at", .datetime).notNull()
                t.column("version", .integer).notNull()
            }
        }
        migrator.registerMigration("v12-looks") { db in
            // Twins (TwinStore): each photo's difference hash, with its five blocks indexed so
            // that every photo at most 4 bits away is found through one of them.
            try db.execute(
                sql: """
                    CREATE TABLE look (
                      sha256 TEXT PRIMARY KEY NOT NULL REFERENCES asset(sha256) ON DELETE CASCADE,
                      hash INTEGER, b0 INTEGER, b1 INTEGER, b2 INTEGER, b3 INTEGER, b4 INTEGER
                    ) WITHOUT ROWID;
                    CREATE INDEX look_b0 ON look (b0) WHERE hash IS NOT NULL;
                    CREATE INDEX look_b1 ON look (b1) WHERE hash IS NOT NULL;
                    CREATE INDEX look_b2 ON look (b2) WHERE hash IS NOT NULL;
                    CREATE INDEX look_b3 ON look (b3) WHERE hash IS NOT NULL;
                    CREATE INDEX look_b4 ON look (b4) WHERE hash IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v13-provenance") { db in
            // Content Credentials as verified at ingest: the verdict and what the manifest says,
            // with the library's report for editors.
            try db.execute(
                sql: """
                    CREATE TABLE provenance (
                      sha256 TEXT PRIMARY KEY NOT NULL REFERENCES asset(sha256) ON DELETE CASCADE,
                      state TEXT NOT NULL, codes TEXT NOT NULL, reason TEXT, issuer TEXT, commonName TEXT,
                      signedAt TEXT, generator TEXT, actions TEXT NOT NULL, sourceType TEXT, generated BOOLEAN NOT NULL,
                      report TEXT
                    ) WITHOUT ROWID;
                    CREATE INDEX provenance_state ON provenance (state);
                    """)
        }
        migrator.registerMigration("v14-article-order") { db in
            // The articles' listing, newest first by publication time then update, read in index
            // order rather than sorted (the same expression as the listing's ORDER BY).
            try db.execute(
                sql: "CREATE INDEX article_newest ON article (COALESCE(publishAt, updatedAt) DESC, id DESC)")
        }
        return migrator
    }

    /// The search index's table options: tokens split on spaces only, `~` (which starts a word
    /// pair) a token character, and prefix indexes for prefixes of one to three characters.
    static let searchTokenizer = "tokenize = \"ascii tokenchars '~'\", prefix = '1 2 3'"
}
