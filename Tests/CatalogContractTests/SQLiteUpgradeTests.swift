import Catalog
import Desk
import Foundation
import GRDB
import PhotoModel
import Testing

@testable import CatalogSQLite

/// A catalog written by an earlier release opens under this one: the migrations that rewrite
/// the search index (v8, the desk's tokens) and record changes (v9) run over rows the earlier
/// schema holds, and the photos are found afterwards exactly as if they had been written now.
@Suite("SQLite catalog: an earlier release's catalog upgrades", .timeLimit(.minutes(2)))
struct SQLiteUpgradeTests {
    /// Rows as the releases before the search vocabulary wrote them (schema v7), indexed by
    /// FTS5's unicode61 tokenizer: photo 2's search text as the desk wrote it last (folded
    /// words), photo 1's as v5 carried it over from the index of older releases (folded text,
    /// punctuation, quotes and line breaks kept).
    static func catalogAtV7(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try SQLiteCatalog.migrator.migrate(queue, upTo: "v7-search-visibility")
        try queue.write { db in
            for (seed, caption) in [(1, "“Thuyền về bến Hải Phòng”, lúc bình minh…"), (2, "Chợ cá mở cửa trên bến")] {
                let sha = Harness.sha(seed)
                try db.execute(
                    sql: """
                        INSERT INTO asset (sha256, shortId, format, bytes, width, height, orientation, createdAt)
                        VALUES (?, ?, 'jpeg', 1000, 640, 480, 1, '2026-01-01 00:00:00.000')
                        """, arguments: [sha, String(sha.prefix(16))])
                try db.execute(
                    sql: "INSERT INTO caption (sha256, fields, revision) VALUES (?, ?, 1)",
                    arguments: [sha, #"{"caption": "\#(caption)", "byline": "Nguyễn Văn An", "credit": "Cổng TTĐT"}"#])
                let words =
                    seed == 1
                    ? SearchText.fold(caption + " \n Nguyễn Văn An – Cổng TTĐT")
                    : SearchText.words(caption).joined(separator: " ")
                try db.execute(sql: "INSERT INTO searchDoc (sha256, photoText) VALUES (?, ?)", arguments: [sha, words])
                try db.execute(
                    sql: "INSERT INTO searchIndex (rowid, body) VALUES (?, ?)",
                    arguments: [db.lastInsertedRowID, words])
            }
            try db.execute(
                sql: """
                    INSERT INTO article (slug, headline, body, updatedAt, state)
                    VALUES ('harbour', 'The harbour wakes', '', '2026-01-01 00:00:00.000', 'draft')
                    """)
            let useText = SearchText.words("The harbour wakes. Boats at dawn").joined(separator: " ")
            try db.execute(
                sql:
                    "INSERT INTO articlePhoto (articleId, position, sha256, caption, searchText) VALUES (?, 0, ?, ?, ?)",
                arguments: [db.lastInsertedRowID, Harness.sha(2), "Boats at dawn", useText])
            try db.execute(
                sql: "UPDATE searchIndex SET body = body || ' \n ' || ? WHERE rowid = 2", arguments: [useText])
        }
    }

    @Test("v7 to now: the texts gain their pairs, words, phrases and uses are found, and changes are followed")
    func upgradesFromV7() async throws {
        let library = Library(path: NSTemporaryDirectory() + "upgrade-\(UUID().uuidString)")
        try library.create()
        defer { try? FileManager.default.removeItem(atPath: library.root) }
        try Self.catalogAtV7(library.catalogPath)

        let catalog = try SQLiteCatalog(library: library)
        let desk = Desk(store: catalog, library: library)
        func found(_ text: String) async throws -> [String] {
            try await desk.search(SearchQuery(text: text), limit: 10, after: nil, audience: .editors).results.map(\.id)
        }
        let one = String(Harness.sha(1).prefix(16))
        let two = String(Harness.sha(2).prefix(16))
        #expect(try await found("hai phong") == [one])
        #expect(try await found("\"bến hải phòng\"") == [one])
        #expect(try await found("thuyen") == [one], "a word after a quote mark")
        #expect(try await found("\"hai phong luc\"") == [one], "a phrase across a closing quote and a comma")
        #expect(try await found("\"an cong\"") == [one], "a phrase across a dash and a line break")
        #expect(try await Set(found("ben")) == [one, two])
        #expect(try await found("\"harbour wakes\"") == [two], "an article's use, indexed again")

        // The stored text is exactly what this release writes for the same caption.
        let stored = try await catalog.pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT photoText FROM searchDoc WHERE sha256 = ?", arguments: [Harness.sha(1)])
        }
        #expect(
            stored
                == SearchText.photoText(
                    CaptionFields([
                        .caption: "“Thuyền về bến Hải Phòng”, lúc bình minh…", .byline: "Nguyễn Văn An",
                        .credit: "Cổng TTĐT",
                    ])))

        // And it follows changes from here on (v9's counter), as the copy in memory needs.
        let before = try await catalog.changeCounter()
        _ = try await desk.setCaption(
            Harness.sha(1), changes: CaptionChanges([.caption: "Bến cá Hạ Long"]), basedOn: nil,
            author: "upgrade-test", source: "test")
        let changed = try await catalog.searchDocuments(changedAfter: before)
        #expect(changed.documents.map(\.sha256) == [Harness.sha(1)])
        #expect(try await found("\"ha long\"") == [one])
    }

    @Test("the next publication is found along indexes (v10), not by reading every photo")
    func nextPublicationPlan() async throws {
        let library = Library(path: NSTemporaryDirectory() + "plan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: library.root) }
        let catalog = try SQLiteCatalog(library: library)
        let plans = try await catalog.pool.read { db in
            try [
                "SELECT MIN(publishedAt) FROM asset WHERE publishedAt > ?",
                "SELECT MIN(publishAt) FROM article WHERE state = 'published' AND publishAt > ?",
            ].map { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: [Date()]).map {
                    $0["detail"] as String
                }
                .joined(separator: "; ")
            }
        }
        #expect(plans[0].contains("asset_publishedAt"), "\(plans[0])")
        #expect(plans[1].contains("article_publishAt"), "\(plans[1])")
    }
}
