import Catalog
import Foundation
import GRDB
import PhotoModel

extension SQLiteCatalog {
    public func caption(of sha256: String) async throws -> Caption? {
        try await read { db in try Rows.caption(db, sha256: sha256) }
    }

    public func captionHistory(of sha256: String) async throws -> [CaptionRevision] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM captionRevision WHERE sha256 = ? ORDER BY revision, id", arguments: [sha256]
            ).map {
                CaptionRevision(
                    sha256: $0["sha256"], revision: $0["revision"], field: $0["field"], oldValue: $0["oldValue"],
                    newValue: $0["newValue"], author: $0["author"], at: $0["at"], source: $0["source"])
            }
        }
    }

    public func captionRevisions(since date: Date, limit: Int) async throws -> [CaptionRevision] {
        let bounded = max(1, min(limit, 1000))
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM captionRevision WHERE at > ? ORDER BY at DESC, id DESC LIMIT ?",
                arguments: [date, bounded]
            ).map {
                CaptionRevision(
                    sha256: $0["sha256"], revision: $0["revision"], field: $0["field"], oldValue: $0["oldValue"],
                    newValue: $0["newValue"], author: $0["author"], at: $0["at"], source: $0["source"])
            }
        }
    }

    public func commitCaption(_ commit: CaptionCommit) async throws {
        try await write { db in
            let sha = commit.caption.sha256
            guard
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM asset WHERE sha256 = ?)", arguments: [sha])
                    ?? false
            else { throw CatalogError(.notFound, "no photo \(sha.prefix(16))") }
            let stored =
                try Int.fetchOne(db, sql: "SELECT revision FROM caption WHERE sha256 = ?", arguments: [sha]) ?? 0
            guard stored == commit.expectedRevision else {
                throw CatalogError(
                    .conflict,
                    "the caption of \(sha.prefix(16)) is at revision \(stored), not \(commit.expectedRevision)")
            }
            try db.execute(
                sql: """
                    INSERT INTO caption (sha256, fields, revision) VALUES (?, ?, ?)
                    ON CONFLICT (sha256) DO UPDATE SET fields = excluded.fields, revision = excluded.revision
                    """, arguments: [sha, Rows.json(commit.caption.fields), commit.caption.revision])
            for revision in commit.changes { try Rows.insert(db, revision) }
            try db.execute(
                sql: """
                    INSERT INTO searchDoc (sha256, photoText) VALUES (?, ?)
                    ON CONFLICT (sha256) DO UPDATE SET photoText = excluded.photoText
                    """, arguments: [sha, commit.searchText])
            try Rows.reindex(db, [sha])
        }
    }
}
