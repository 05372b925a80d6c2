import Catalog
import Foundation
import GRDB
import PhotoModel

extension SQLiteCatalog {
    /// An FTS5 query for a match's tokens (`TextMatch.tokens`): each token quoted (so no text is
    /// ever query syntax), prefix tokens marked `*`, `(all) NOT (none)`.
    static func expression(_ match: TextMatch) -> String? {
        guard let tokens = match.tokens else { return nil }
        func all(_ terms: [SearchTerm]) -> String {
            "(" + terms.map { quote($0.text) + ($0.prefix ? "*" : "") }.joined(separator: " AND ") + ")"
        }
        guard let none = tokens.none else { return all(tokens.all) }
        return all(tokens.all) + " NOT " + all(none)
    }

    static func quote(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    public func searchHits(
        _ match: TextMatch, filters: SearchFilters, audience: Audience, before document: Int64?, limit: Int
    ) async throws -> [SearchHit] {
        try await read { db in
            try Self.hits(db, match, filters: filters, audience: audience, before: document, limit: limit)
        }
    }

    public func searchCount(_ match: TextMatch?, filters: SearchFilters, audience: Audience) async throws -> Int {
        guard let match else { return try await photoCount(filters: filters, audience: audience) }
        return try await read { db in try Self.count(db, match, filters: filters, audience: audience) }
    }

    /// The tiers and the count in one read: one snapshot, one trip to a reader connection.
    public func searchTiers(_ search: TieredSearch) async throws -> TieredPage {
        try await read { db in
            let limit = search.boundedLimit
            var hits: [TieredHit] = []
            for read in search.reads where hits.count < limit {
                let found = try Self.hits(
                    db, search.tiers[read.tier], filters: search.filters, audience: search.audience,
                    before: read.before, limit: limit - hits.count)
                hits += found.map { TieredHit(tier: read.tier, hit: $0) }
            }
            var total: Int?
            if let counting = search.counting {
                total = try Self.count(db, counting, filters: search.filters, audience: search.audience)
            }
            return TieredPage(hits: hits, total: total)
        }
    }

    /// Every search document, or those changed after a counter (`changedAt`, migration v9) and
    /// those removed after it, in one read, on a connection of its own (`FeedConnection`).
    public func searchDocuments(changedAfter counter: Int64?) async throws -> SearchDocumentChanges {
        try await feedConnection.read { db in
            let now = try Int64.fetchOne(db, sql: "SELECT changes FROM catalogState WHERE id = 1") ?? 0
            var documents: [SearchDocument] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT searchDoc.id, searchDoc.sha256,
                           (SELECT body FROM searchIndex WHERE searchIndex.rowid = searchDoc.id), searchDoc.publicFrom,
                           searchDoc.publicUntil, (SELECT json_extract(fields, '$.caption') FROM caption WHERE caption.sha256 = searchDoc.sha256)
                    FROM searchDoc WHERE searchDoc.changedAt > ?
                    """, arguments: [counter ?? Int64.min])
            while let row = try rows.next() {
                documents.append(
                    SearchDocument(
                        number: row[0], sha256: row[1], tokens: row[2] ?? "", publicFrom: row[3], publicUntil: row[4],
                        caption: row[5]))
            }
            let removed =
                counter == nil
                ? []
                : try Int64.fetchAll(
                    db, sql: "SELECT id FROM searchDocRemoved WHERE changedAt > ?", arguments: [counter])
            return SearchDocumentChanges(counter: now, documents: documents, removed: removed)
        }
    }

    /// The conditions of a search's filters and audience. Without filters the photo is not read:
    /// a reader's search checks the publicFrom its search document carries (migration v7).
    static func visibleDocuments(_ filters: SearchFilters, audience: Audience) -> Filters {
        guard filters.isEmpty else { return Filters(filters, audience: audience) }
        var clause = Filters(filters, audience: .editors)
        if case .readers(let now) = audience {
            clause.add(
                "searchDoc.publicFrom IS NOT NULL AND searchDoc.publicFrom <= ? AND (searchDoc.publicUntil IS NULL OR searchDoc.publicUntil > ?)",
                now, now)
        }
        return clause
    }

    static func hits(
        _ db: Database, _ match: TextMatch, filters: SearchFilters, audience: Audience, before document: Int64?,
        limit: Int
    ) throws -> [SearchHit] {
        guard let expression = Self.expression(match) else { return [] }
        let bounded = max(1, min(limit, 1000))
        var clause = Self.visibleDocuments(filters, audience: audience)
        if let document { clause.add("searchIndex.rowid < ?", document) }
        let needsPhoto = !filters.isEmpty
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

    static func count(_ db: Database, _ match: TextMatch, filters: SearchFilters, audience: Audience) throws -> Int {
        guard let expression = Self.expression(match) else { return 0 }
        let clause = Self.visibleDocuments(filters, audience: audience)
        // Filters read the photo and its caption; a reader's visibility, the search document.
        var joins = ""
        if !filters.isEmpty {
            joins =
                "JOIN searchDoc ON searchDoc.id = searchIndex.rowid JOIN asset ON asset.sha256 = searchDoc.sha256 LEFT JOIN caption ON caption.sha256 = asset.sha256"
        } else if audience != .editors {
            joins = "JOIN searchDoc ON searchDoc.id = searchIndex.rowid"
        }
        return try Int.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT COUNT(*) FROM (
                        SELECT 1 FROM searchIndex \(joins) WHERE searchIndex MATCH ?\(clause.andSQL) LIMIT ?)
                    """),
            arguments: StatementArguments([expression] + clause.arguments + [TextMatch.countCap])) ?? 0
    }
}

/// A connection of its own for the copy of the search index in memory, opened at its first read:
/// the copy catches up after each commit while searches wait for it, and through the pool that
/// read would queue behind every search the catalog is answering meanwhile.
final class FeedConnection: @unchecked Sendable {
    // @unchecked: `queue` is only touched with `lock` held; GRDB's queue serializes its own use.
    private let lock = NSLock()
    private let path: String
    private var queue: DatabaseQueue?

    init(path: String) {
        self.path = path
    }

    /// One read on the connection.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            let connection = try lock.withLock { () throws -> DatabaseQueue in
                if let queue { return queue }
                var configuration = Configuration()
                configuration.busyMode = .timeout(10)
                configuration.label = "search-feed"
                let opened = try DatabaseQueue(path: path, configuration: configuration)
                queue = opened
                return opened
            }
            return try await connection.read(body)
        } catch let error as CatalogError { throw error } catch {
            throw CatalogError(.database, "reading the search index's changes failed", cause: "\(error)")
        }
    }
}
