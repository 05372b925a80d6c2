import Catalog
import Foundation
import GRDB
import PhotoModel

/// The embedded catalog: one SQLite file in WAL mode (readers never wait for the writer), with
/// FTS5 for search. Every call is one read or one transaction on GRDB's pool, run off the
/// caller's thread.
public final class SQLiteCatalog: CatalogStore, SearchDocumentFeed {
    let pool: DatabasePool
    /// The catalog file.
    let path: String
    /// Tells commits for the change signal (`currentVersion`).
    let commits: CommitWatch
    /// How often `changes()` asks whether anything committed.
    let changePollInterval: Duration = .milliseconds(100)
    /// The connection the copy of the search index in memory reads its changes through.
    let feedConnection: FeedConnection
    /// "sqlite".
    public var backend: String { "sqlite" }

    /// Opens (creating and migrating when needed) the catalog of a library.
    public convenience init(library: Library) throws {
        try library.create()
        try self.init(path: library.catalogPath)
    }

    /// Opens (creating and migrating when needed) the catalog file at `path`.
    public init(path: String) throws {
        self.path = path
        commits = CommitWatch(path: path)
        feedConnection = FeedConnection(path: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Reads through a memory map of the file (up to 1 GiB) instead of a pread and a copy
            // into each connection's page cache per page: a search touches hundreds of pages,
            // and with the copies a busy gallery spent a third of its time in the kernel. The
            // catalog is a local file (SQLite's own rule), so the map is safe to use.
            try db.execute(sql: "PRAGMA mmap_size = 1073741824")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteCatalog.migrator.migrate(pool)
        } catch {
            throw CatalogError(.open, "cannot open the catalog \(path)", cause: "\(error)")
        }
    }

    /// One read, off the caller's thread.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch let error as CatalogError { throw error } catch {
            throw CatalogError(.database, "catalog query failed", cause: "\(error)")
        }
    }

    /// One write transaction, off the caller's thread. The change counter grows with it unless
    /// the write is bookkeeping that no page shows (sessions, sign-in attempts).
    func write<T: Sendable>(counted: Bool = true, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T
    {
        do {
            return try await pool.write { db in
                let result = try body(db)
                if counted { try db.execute(sql: "UPDATE catalogState SET changes = changes + 1 WHERE id = 1") }
                return result
            }
        } catch let error as CatalogError { throw error } catch {
            throw Self.writeError(error, path: path)
        }
    }

    /// A failed write in the desk's words: a full disk (SQLite's `SQLITE_FULL`, or an I/O error
    /// whose cause is the disk's) names the catalog and says so; anything else is a failed update.
    static func writeError(_ error: any Error, path: String) -> CatalogError {
        let full =
            (error as? DatabaseError).map { $0.resultCode == .SQLITE_FULL } == true
            || WriteFailure.code(in: "\(error)").map(WriteFailure.isFull) == true
        guard full else { return CatalogError(.database, "catalog update failed", cause: "\(error)") }
        return CatalogError(
            .noSpace, "the catalog \(path) could not be written: \(WriteFailure.words(ENOSPC)); nothing was saved",
            cause: "\(error)")
    }

    // MARK: Files and photos

    public func locationIndex() async throws -> [String: FileLocation] {
        try await read { db in
            // Columns by position, not Codable: this runs over every file of a re-scan.
            var index: [String: FileLocation] = [:]
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM location") ?? 0
            index.reserveCapacity(count)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT path, sha256, size, modifiedAt, inode, seenAt FROM location")
            while let row = try rows.next() {
                let path: String = row[0]
                index[path] = FileLocation(
                    path: path, sha256: row[1], size: row[2], modifiedAt: row[3], inode: row[4], seenAt: row[5])
            }
            return index
        }
    }

    public func location(path: String) async throws -> FileLocation? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM location WHERE path = ?", arguments: [path]).map(Rows.location)
        }
    }

    public func photo(sha256: String) async throws -> Photo? {
        try await read { db in try Rows.photo(db, sha256: sha256) }
    }

    public func photos(hashPrefix: String, limit: Int) async throws -> [Photo] {
        let prefix = hashPrefix.lowercased()
        guard !prefix.isEmpty, prefix.utf8.count <= 64, prefix.utf8.allSatisfy({ Rows.isHex($0) }) else { return [] }
        let bounded = max(1, min(limit, 1000))
        return try await read { db in
            // A range on the key rather than LIKE, which SQLite cannot answer from the index.
            try Row.fetchAll(
                db, sql: "SELECT * FROM asset WHERE sha256 >= ? AND sha256 < ? ORDER BY sha256 LIMIT ?",
                arguments: [prefix, prefix + "~", bounded]
            ).map(Rows.photo)
        }
    }

    public func details(sha256: String) async throws -> PhotoDetails? {
        try await read { db in
            guard let photo = try Rows.photo(db, sha256: sha256) else { return nil }
            let locations = try Row.fetchAll(
                db, sql: "SELECT * FROM location WHERE sha256 = ? ORDER BY path", arguments: [sha256]
            ).map(Rows.location)
            return PhotoDetails(
                photo: photo, locations: locations, caption: try Rows.caption(db, sha256: sha256),
                renditions: try Rows.renditions(db, sha256: sha256), uses: try Rows.uses(db, sha256: sha256))
        }
    }

    public func photosNeedingRenditions(fingerprints: [String: String]) async throws -> Set<String> {
        guard !fingerprints.isEmpty else { return [] }
        return try await read { db in
            // A photo is complete when it has a rendition with the current fingerprint for every preset.
            let matches = fingerprints.map { _ in "(preset = ? AND fingerprint = ?)" }.joined(separator: " OR ")
            var arguments: [any DatabaseValueConvertible] = []
            for (name, fingerprint) in fingerprints { arguments += [name, fingerprint] }
            arguments.append(fingerprints.count)
            return try Set(
                String.fetchAll(
                    db,
                    sql: """
                        SELECT sha256 FROM asset WHERE NOT EXISTS (
                            SELECT 1 FROM rendition WHERE rendition.sha256 = asset.sha256 AND (\(matches))
                            GROUP BY rendition.sha256 HAVING COUNT(*) = ?)
                        """, arguments: StatementArguments(arguments)))
        }
    }

    public func renditions(of sha256: String) async throws -> [Rendition] {
        try await read { db in try Rows.renditions(db, sha256: sha256) }
    }

    public func rendition(shortId: String, preset: String) async throws -> RenditionLookup? {
        let id = shortId.lowercased()
        guard id.utf8.count == 16, id.utf8.allSatisfy({ Rows.isHex($0) }), preset.utf8.count <= 64 else { return nil }
        return try await read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT rendition.*, asset.publicFrom, asset.publicUntil FROM asset JOIN rendition USING (sha256)
                    WHERE asset.shortId = ? AND rendition.preset = ?
                    """, arguments: [id, preset]
            ).map {
                RenditionLookup(
                    rendition: Rows.rendition($0), publicFrom: $0["publicFrom"], publicUntil: $0["publicUntil"])
            }
        }
    }

    public func cards(sha256s: [String]) async throws -> [String: PhotoCard] {
        let hashes = Array(Set(sha256s)).filter { $0.utf8.count == 64 }
        guard !hashes.isEmpty else { return [:] }
        return try await read { db in try Rows.cards(db, sha256s: hashes) }
    }

    public func allRenditions() async throws -> [Rendition] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM rendition").map(Rows.rendition) }
    }

    public func allLocations() async throws -> [FileLocation] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM location").map(Rows.location) }
    }

    public func photos(filters: SearchFilters, limit: Int, after cursor: PhotoCursor?, audience: Audience)
        async throws -> [PhotoCard]
    {
        let bounded = max(1, min(limit, 1000))
        return try await read { db in
            var clause = Filters(filters, audience: audience)
            if let cursor {
                clause.add("(asset.createdAt, asset.sha256) < (?, ?)", cursor.createdAt, cursor.sha256)
            }
            let hashes = try String.fetchAll(
                db,
                sql: "SELECT asset.sha256 FROM asset LEFT JOIN caption USING (sha256) \(clause.whereSQL) "
                    + "ORDER BY asset.createdAt DESC, asset.sha256 DESC LIMIT ?",
                arguments: StatementArguments(clause.arguments + [bounded]))
            let cards = try Rows.cards(db, sha256s: hashes)
            return hashes.compactMap { cards[$0] }
        }
    }

    public func neighbours(of sha256: String, audience: Audience) async throws -> (
        newer: PhotoCard?, older: PhotoCard?
    ) {
        try await read { db in
            guard let photo = try Rows.photo(db, sha256: sha256) else { return (nil, nil) }
            var newer = Filters(SearchFilters(), audience: audience)
            newer.add("(asset.createdAt, asset.sha256) > (?, ?)", photo.createdAt, photo.sha256)
            var older = Filters(SearchFilters(), audience: audience)
            older.add("(asset.createdAt, asset.sha256) < (?, ?)", photo.createdAt, photo.sha256)
            let newerHash = try String.fetchOne(
                db,
                sql: "SELECT asset.sha256 FROM asset \(newer.whereSQL) ORDER BY asset.createdAt, asset.sha256 LIMIT 1",
                arguments: StatementArguments(newer.arguments))
            let olderHash = try String.fetchOne(
                db,
                sql:
                    "SELECT asset.sha256 FROM asset \(older.whereSQL) ORDER BY asset.createdAt DESC, asset.sha256 DESC LIMIT 1",
                arguments: StatementArguments(older.arguments))
            let cards = try Rows.cards(db, sha256s: [newerHash, olderHash].compactMap { $0 })
            return (newerHash.flatMap { cards[$0] }, olderHash.flatMap { cards[$0] })
        }
    }

    public func photoCount(filters: SearchFilters, audience: Audience, upTo limit: Int?) async throws -> Int {
        try await read { db in
            let clause = Filters(filters, audience: audience)
            let rows = "SELECT 1 FROM asset LEFT JOIN caption USING (sha256) \(clause.whereSQL)"
            if let limit {
                return try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM (\(rows) LIMIT ?)",
                    arguments: StatementArguments(clause.arguments + [max(0, limit)])) ?? 0
            }
            if clause.conditions.isEmpty { return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM asset") ?? 0 }
            return try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM (\(rows))", arguments: StatementArguments(clause.arguments)) ?? 0
        }
    }

    public func record(_ records: [IngestRecord]) async throws {
        guard !records.isEmpty else { return }
        try await write { db in
            for record in records { try SQLiteCatalog.record(db, record) }
        }
    }

    static func record(_ db: Database, _ record: IngestRecord) throws {
        let photo = record.photo
        let exists =
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM asset WHERE sha256 = ?)"),
                arguments: [photo.sha256]) ?? false
        if !exists {
            try db.cachedStatement(
                sql: """
                    INSERT INTO asset (sha256, shortId, format, bytes, width, height, orientation, takenAt, cameraMake,
                      cameraModel, lens, exposureTime, fNumber, iso, focalLength, latitude, longitude, altitude,
                      sourcesJSON, createdAt, publishedAt, publicFrom)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: Rows.arguments(photo))
            try db.cachedStatement(sql: "INSERT INTO caption (sha256, fields, revision) VALUES (?, ?, ?)").execute(
                arguments: [photo.sha256, Rows.json(record.caption.fields), record.caption.revision])
            for revision in record.revisions { try Rows.insert(db, revision) }
            try db.cachedStatement(sql: "INSERT INTO searchDoc (sha256, photoText) VALUES (?, ?)").execute(
                arguments: [photo.sha256, record.searchText])
            try db.cachedStatement(
                sql: "INSERT INTO searchIndex (rowid, body) VALUES ((SELECT id FROM searchDoc WHERE sha256 = ?), ?)"
            ).execute(arguments: [photo.sha256, record.searchText])
            if let look = record.look { try Self.save(db, look) }
            if let provenance = record.provenance { try Self.save(db, provenance, of: photo.sha256) }
        }
        try Rows.save(db, record.location)
        for rendition in record.renditions { try Rows.save(db, rendition) }
    }

    public func touch(_ location: FileLocation) async throws {
        try await write { db in try Rows.save(db, location) }
    }

    public func saveRenditions(_ renditions: [Rendition], of sha256: String) async throws {
        try await write { db in
            for rendition in renditions where rendition.sha256 == sha256 { try Rows.save(db, rendition) }
        }
    }

    public func deletePhoto(_ sha256: String, requireUnused: Bool) async throws -> [Rendition] {
        try await write { db in
            let uses =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM articlePhoto WHERE sha256 = ?", arguments: [sha256])
                ?? 0
            if uses > 0 && requireUnused {
                throw CatalogError(.inUse, "photo \(sha256.prefix(16)) is used in \(uses) place(s) in articles")
            }
            let renditions = try Rows.renditions(db, sha256: sha256)
            // The articles keep their place for the photo, empty: a visible gap, not a silent reflow.
            try db.execute(sql: "UPDATE articlePhoto SET sha256 = NULL WHERE sha256 = ?", arguments: [sha256])
            try db.execute(
                sql: "DELETE FROM searchIndex WHERE rowid IN (SELECT id FROM searchDoc WHERE sha256 = ?)",
                arguments: [sha256])
            try db.execute(sql: "DELETE FROM searchDoc WHERE sha256 = ?", arguments: [sha256])
            try db.execute(sql: "DELETE FROM asset WHERE sha256 = ?", arguments: [sha256])
            return renditions
        }
    }

    public func setPhotoPublication(_ sha256: String, publishedAt: Date?) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE asset SET publishedAt = ? WHERE sha256 = ?", arguments: [publishedAt, sha256])
            guard db.changesCount > 0 else { throw CatalogError(.notFound, "no photo \(sha256.prefix(16))") }
            try Rows.refreshPublicFrom(db, [sha256])
        }
    }

    // MARK: Statistics

    public func statistics(audience: Audience) async throws -> CatalogStatistics {
        try await read { db in
            var statistics = CatalogStatistics()
            let visible = Filters(SearchFilters(), audience: audience)
            statistics.photos =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM asset \(visible.whereSQL)",
                    arguments: StatementArguments(visible.arguments)) ?? 0
            let missing = Filters(SearchFilters(missing: .caption), audience: audience)
            statistics.missingCaptions =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM asset LEFT JOIN caption USING (sha256) \(missing.whereSQL)",
                    arguments: StatementArguments(missing.arguments)) ?? 0
            switch audience {
            case .editors:
                statistics.locations = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM location") ?? 0
                let renditions = try Row.fetchOne(
                    db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM rendition")
                statistics.renditions = renditions?["n"] ?? 0
                statistics.renditionBytes = renditions?["b"] ?? 0
                statistics.articles = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM article") ?? 0
                statistics.captionRevisions =
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM (SELECT DISTINCT sha256, revision FROM captionRevision)")
                    ?? 0
                let lastSeen = try Date.fetchOne(db, sql: "SELECT MAX(seenAt) FROM location")
                statistics.lastSeen = lastSeen?.timeIntervalSince1970 ?? 0
            case .readers(let now):
                statistics.articles =
                    try Int.fetchOne(
                        db,
                        sql: "SELECT COUNT(*) FROM article WHERE state = 'published' AND COALESCE(publishAt, ?) <= ?",
                        arguments: [Rows.beginning, now]) ?? 0
            }
            return statistics
        }
    }
}

/// The WHERE clause of a photo listing: the filters, and what the audience may see.
struct Filters {
    var conditions: [String] = []
    var arguments: [any DatabaseValueConvertible] = []

    init(_ filters: SearchFilters, audience: Audience) {
        // The unary + keeps SQLite from choosing the publication index for a listing: most photos
        // of a large catalog are public, so that index narrows nothing and the newest-first order
        // would then sort every public photo (a photo page's neighbours took 30 ms at 100,000).
        // Walking the creation index and skipping the private ones stops after a page.
        if case .readers(let now) = audience {
            add(
                "+asset.publicFrom IS NOT NULL AND +asset.publicFrom <= ? AND (asset.publicUntil IS NULL OR asset.publicUntil > ?)",
                now, now)
        }
        switch filters.rights {
        case nil: break
        case .killed: add("asset.killed")
        case .restricted: add("asset.restricted")
        case .cost(let cost): add("asset.rightsCost = ?", cost)
        }
        if let state = filters.provenance {
            add("asset.sha256 IN (SELECT sha256 FROM provenance WHERE state = ?)", state.rawValue)
        }
        // Declared by the Content Credentials, or by the IPTC Digital Source Type field (whose
        // three generated types, URI or bare, all end in "algorithmicMedia").
        if filters.generated {
            add(
                "(asset.sha256 IN (SELECT sha256 FROM provenance WHERE generated) OR json_extract(caption.fields, '$.digitalSourceType') LIKE '%algorithmicMedia')"
            )
        }
        if let missing = filters.missing {
            if missing.isList {
                add("COALESCE(json_array_length(caption.fields, ?), 0) = 0", "$." + missing.rawValue)
            } else {
                add("json_extract(caption.fields, ?) IS NULL", "$." + missing.rawValue)
            }
        }
        if let byline = filters.byline {
            add("json_extract(caption.fields, '$.byline') LIKE ? ESCAPE '\\'", "%\(Self.escapeLike(byline))%")
        }
        if let from = filters.from { add("asset.takenAt >= ?", from) }
        if let to = filters.to { add("asset.takenAt <= ?", to + "~") }
        if let slug = filters.article {
            add(
                "asset.sha256 IN (SELECT sha256 FROM articlePhoto JOIN article ON article.id = articlePhoto.articleId WHERE article.slug = ?)",
                slug)
        }
        if let camera = filters.camera {
            add(
                "(COALESCE(asset.cameraMake, '') || ' ' || COALESCE(asset.cameraModel, '')) LIKE ? ESCAPE '\\'",
                "%\(Self.escapeLike(camera))%")
        }
    }

    mutating func add(_ condition: String, _ values: any DatabaseValueConvertible...) {
        conditions.append(condition)
        arguments += values
    }

    var whereSQL: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }
    var andSQL: String { conditions.isEmpty ? "" : " AND " + conditions.joined(separator: " AND ") }

    /// Text for LIKE, its wildcards taken literally.
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
