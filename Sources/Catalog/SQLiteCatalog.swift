import Foundation
import GRDB

/// The catalog in one SQLite file (WAL mode, so readers never wait for the writer).
public final class SQLiteCatalog: CatalogStore {
    let pool: DatabasePool

    /// Opens (creating and migrating when needed) the catalog of a library.
    public convenience init(library: Library) throws {
        try library.create()
        try self.init(path: library.catalogPath)
    }

    /// Opens (creating and migrating when needed) the catalog file at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteCatalog.migrator.migrate(pool)
        } catch {
            throw CatalogError(.open, "cannot open the catalog \(path)", cause: "\(error)")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as CatalogError { throw error } catch {
            throw CatalogError(.database, "catalog query failed", cause: "\(error)")
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let error as CatalogError { throw error } catch {
            throw CatalogError(.database, "catalog update failed", cause: "\(error)")
        }
    }

    public func locationIndex() throws -> [String: LocationRecord] {
        try read { db in
            // Columns by position, not Codable: this runs over every file of a re-scan.
            var index: [String: LocationRecord] = [:]
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM location") ?? 0
            index.reserveCapacity(count)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT path, sha256, size, modifiedAt, inode, seenAt FROM location")
            while let row = try rows.next() {
                let path: String = row[0]
                index[path] = LocationRecord(
                    path: path, sha256: row[1], size: row[2], modifiedAt: row[3], inode: row[4], seenAt: row[5])
            }
            return index
        }
    }

    public func locations(of sha256: String) throws -> [LocationRecord] {
        try read { db in
            try LocationRecord.filter(LocationRecord.Columns.sha256 == sha256).order(LocationRecord.Columns.path)
                .fetchAll(db)
        }
    }

    public func asset(sha256: String) throws -> AssetRecord? {
        try read { db in try AssetRecord.fetchOne(db, key: sha256) }
    }

    public func resolve(_ reference: String) throws -> AssetRecord? {
        let lowered = reference.lowercased()
        let isHex = !lowered.isEmpty && lowered.allSatisfy(\.isHexDigit)
        return try read { db in
            if isHex && lowered.count >= 4 {
                // A range on the key rather than LIKE, which SQLite cannot answer from the index
                // (it would read every asset for each photo of a page).
                let matches = try AssetRecord.filter(
                    AssetRecord.Columns.sha256 >= lowered && AssetRecord.Columns.sha256 < lowered + "~"
                ).limit(2).fetchAll(db)
                if matches.count > 1 {
                    throw CatalogError(.ambiguous, "\(reference) matches several photos: give more digits")
                }
                if let match = matches.first { return match }
            }
            let path = URL(fileURLWithPath: reference).standardizedFileURL.path
            guard let location = try LocationRecord.fetchOne(db, key: path) else { return nil }
            return try AssetRecord.fetchOne(db, key: location.sha256)
        }
    }

    public func assetsNeedingRenditions(presets: [String: String]) throws -> Set<String> {
        guard !presets.isEmpty else { return [] }
        return try read { db in
            // An asset is complete when it has a rendition with the current fingerprint for every preset.
            let matches = presets.map { _ in "(preset = ? AND fingerprint = ?)" }.joined(separator: " OR ")
            var arguments: [String] = []
            for (name, fingerprint) in presets { arguments += [name, fingerprint] }
            arguments.append(String(presets.count))
            return try Set(
                String.fetchAll(
                    db,
                    sql: """
                        SELECT sha256 FROM asset WHERE NOT EXISTS (
                            SELECT 1 FROM rendition WHERE rendition.sha256 = asset.sha256 AND (\(matches))
                            GROUP BY rendition.sha256 HAVING COUNT(*) = CAST(? AS INTEGER))
                        """, arguments: StatementArguments(arguments)))
        }
    }

    public func renditions(of sha256: String) throws -> [RenditionRecord] {
        try read { db in
            try RenditionRecord.filter(RenditionRecord.Columns.sha256 == sha256).order(Column("width")).fetchAll(db)
        }
    }

    public func photoRenditions(shortIds: [String]) throws -> [String: PhotoRenditions] {
        guard !shortIds.isEmpty else { return [:] }
        return try read { db in
            let marks = shortIds.map { _ in "?" }.joined(separator: ",")
            let assets = try Row.fetchAll(
                db,
                sql: """
                    SELECT asset.shortId, asset.sha256, caption.copyright FROM asset LEFT JOIN caption USING (sha256)
                    WHERE asset.shortId IN (\(marks))
                    """, arguments: StatementArguments(shortIds))
            let hashes: [String] = assets.map { $0["sha256"] }
            var renditions: [String: [RenditionRecord]] = [:]
            for rendition in try RenditionRecord.filter(hashes.contains(RenditionRecord.Columns.sha256))
                .order(Column("width")).fetchAll(db)
            {
                renditions[rendition.sha256, default: []].append(rendition)
            }
            var found: [String: PhotoRenditions] = [:]
            for row in assets {
                let sha: String = row["sha256"]
                found[row["shortId"]] = PhotoRenditions(
                    sha256: sha, renditions: renditions[sha] ?? [], copyright: row["copyright"])
            }
            return found
        }
    }

    public func rendition(shortId: String, preset: String) throws -> RenditionRecord? {
        guard shortId.count == 16, shortId.allSatisfy(\.isHexDigit) else { return nil }
        return try read { db in
            try RenditionRecord.fetchOne(
                db,
                sql:
                    "SELECT rendition.* FROM rendition JOIN asset USING (sha256) WHERE asset.shortId = ? AND rendition.preset = ?",
                arguments: [shortId.lowercased(), preset])
        }
    }

    public func allRenditions() throws -> [RenditionRecord] {
        try read { db in try RenditionRecord.fetchAll(db) }
    }

    public func allLocations() throws -> [LocationRecord] {
        try read { db in try LocationRecord.fetchAll(db) }
    }

    public func save(_ entry: IngestEntry) throws {
        try write { db in try record(db, entry) }
    }

    public func save(contentsOf entries: [IngestEntry]) throws {
        try write { db in
            for entry in entries { try record(db, entry) }
        }
    }

    private func record(_ db: Database, _ entry: IngestEntry) throws {
        if try !entry.asset.exists(db) {
            try entry.asset.insert(db)
            try insertInitialCaption(db, entry)
        }
        try entry.location.save(db)
        for rendition in entry.renditions { try rendition.save(db) }
    }

    /// A new asset's captions: carried over from the asset its path held before, else read from
    /// the file. Each field set is a revision, so history starts complete.
    private func insertInitialCaption(_ db: Database, _ entry: IngestEntry) throws {
        let sha = entry.asset.sha256
        var fields = entry.captions
        var source = entry.captionSource
        if let previous = entry.previousSha256, let old = try CaptionRecord.fetchOne(db, key: previous) {
            fields = old.fields
            source = "carried from \(previous.prefix(16))"
        }
        try CaptionRecord(sha256: sha, fields: fields, revision: 1).insert(db)
        for field in CaptionField.allCases {
            guard let value = field.value(in: fields) else { continue }
            var revision = CaptionRevision(
                sha256: sha, revision: 1, field: field.rawValue, oldValue: nil, newValue: value, author: entry.author,
                source: source)
            try revision.insert(db)
        }
        try reindex(db, sha, known: fields)
    }

    public func touch(_ location: LocationRecord) throws {
        try write { db in try location.save(db) }
    }

    public func replaceRenditions(_ renditions: [RenditionRecord], of sha256: String) throws {
        try write { db in
            for rendition in renditions { try rendition.save(db) }
        }
    }

    private static let summarySQL = """
        SELECT asset.shortId AS id, asset.sha256, asset.width, asset.height, asset.takenAt, asset.createdAt,
               caption.caption, caption.byline
        FROM asset LEFT JOIN caption USING (sha256)
        """

    private static func summary(_ row: Row) -> AssetSummary {
        AssetSummary(
            id: row["id"], sha256: row["sha256"], width: row["width"], height: row["height"], takenAt: row["takenAt"],
            caption: row["caption"], byline: row["byline"], createdAt: row["createdAt"])
    }

    public func assets(limit: Int, after cursor: AssetCursor?) throws -> [AssetSummary] {
        try read { db in
            let rows: [Row]
            if let cursor {
                rows = try Row.fetchAll(
                    db,
                    sql: SQLiteCatalog.summarySQL
                        + " WHERE (asset.createdAt, asset.sha256) < (?, ?) ORDER BY asset.createdAt DESC, asset.sha256 DESC LIMIT ?",
                    arguments: [cursor.createdAt, cursor.sha256, limit])
            } else {
                rows = try Row.fetchAll(
                    db, sql: SQLiteCatalog.summarySQL + " ORDER BY asset.createdAt DESC, asset.sha256 DESC LIMIT ?",
                    arguments: [limit])
            }
            return rows.map(SQLiteCatalog.summary)
        }
    }

    public func neighbours(of sha256: String) throws -> (previous: AssetSummary?, next: AssetSummary?) {
        try read { db in
            guard let asset = try AssetRecord.fetchOne(db, key: sha256) else { return (nil, nil) }
            let newer = try Row.fetchOne(
                db,
                sql: SQLiteCatalog.summarySQL
                    + " WHERE (asset.createdAt, asset.sha256) > (?, ?) ORDER BY asset.createdAt ASC, asset.sha256 ASC LIMIT 1",
                arguments: [asset.createdAt, asset.sha256])
            let older = try Row.fetchOne(
                db,
                sql: SQLiteCatalog.summarySQL
                    + " WHERE (asset.createdAt, asset.sha256) < (?, ?) ORDER BY asset.createdAt DESC, asset.sha256 DESC LIMIT 1",
                arguments: [asset.createdAt, asset.sha256])
            return (newer.map(SQLiteCatalog.summary), older.map(SQLiteCatalog.summary))
        }
    }

    public func assetCount() throws -> Int {
        try read { db in try AssetRecord.fetchCount(db) }
    }

    public func caption(of sha256: String) throws -> CaptionRecord? {
        try read { db in try CaptionRecord.fetchOne(db, key: sha256) }
    }

    public func document(sha256: String) throws -> AssetDocument? {
        try read { db in
            guard let asset = try AssetRecord.fetchOne(db, key: sha256) else { return nil }
            let paths = try String.fetchAll(
                db, sql: "SELECT path FROM location WHERE sha256 = ? ORDER BY path", arguments: [sha256])
            let caption = try CaptionRecord.fetchOne(db, key: sha256)
            let fields = caption?.fields ?? CaptionFields()
            let renditions = try RenditionRecord.filter(RenditionRecord.Columns.sha256 == sha256).order(Column("width"))
                .fetchAll(db)
            let uses = try Row.fetchAll(
                db,
                sql: """
                    SELECT article.slug, articlePhoto.position, articlePhoto.caption
                    FROM articlePhoto JOIN article ON article.id = articlePhoto.articleId
                    WHERE articlePhoto.sha256 = ? ORDER BY article.slug, articlePhoto.position
                    """, arguments: [sha256])
            let location = AssetDocument.Location(city: fields.city, region: fields.region, country: fields.country)
            return AssetDocument(
                id: asset.shortId, sha256: asset.sha256, paths: paths, format: asset.format, bytes: asset.bytes,
                width: asset.width, height: asset.height, orientation: asset.orientation, takenAt: asset.takenAt,
                camera: .init(make: asset.cameraMake, model: asset.cameraModel, lens: asset.lens),
                exposure: .init(
                    exposureTime: asset.exposureTime, fNumber: asset.fNumber, iso: asset.iso,
                    focalLength: asset.focalLength),
                gps: asset.latitude.flatMap { latitude in
                    asset.longitude.map {
                        AssetDocument.GPS(latitude: latitude, longitude: $0, altitude: asset.altitude)
                    }
                },
                caption: fields.caption, headline: fields.headline, byline: fields.byline, credit: fields.credit,
                copyright: fields.copyright, keywords: fields.keywords,
                location: fields.city == nil && fields.region == nil && fields.country == nil ? nil : location,
                renditions: renditions.map {
                    .init(preset: $0.preset, format: $0.format, width: $0.width, height: $0.height, path: $0.path)
                },
                articles: uses.map { .init(slug: $0["slug"], position: $0["position"], caption: $0["caption"]) },
                captionRevision: caption?.revision ?? 0)
        }
    }
}
