import Catalog
import Foundation
import PhotoModel
import PostgresNIO

extension PostgresCatalog {
    // MARK: Files and photos

    public func locationIndex() async throws -> [String: FileLocation] {
        try await read { connection in
            var index: [String: FileLocation] = [:]
            let rows = try await connection.query(
                "SELECT path, sha256, size, modified_at, inode, seen_at FROM location", logger: logger)
            for try await (path, sha256, size, modifiedAt, inode, seenAt) in rows.decode(
                (String, String, Int64, Double, Int64, Instant).self)
            {
                index[path] = FileLocation(
                    path: path, sha256: sha256, size: size, modifiedAt: modifiedAt, inode: inode, seenAt: seenAt.date)
            }
            return index
        }
    }

    public func location(path: String) async throws -> FileLocation? {
        try await read { connection in
            try await connection.rows(
                "SELECT \(unescaped: PostgresRows.locationColumns) FROM location WHERE path = \(path)", logger: logger
            ).first.map(PostgresRows.location)
        }
    }

    public func photo(sha256: String) async throws -> Photo? {
        try await read { connection in try await PostgresRows.photo(connection, sha256: sha256, logger: logger) }
    }

    public func photos(hashPrefix: String, limit: Int) async throws -> [Photo] {
        let prefix = hashPrefix.lowercased()
        guard !prefix.isEmpty, prefix.utf8.count <= 64, prefix.utf8.allSatisfy({ PostgresRows.isHex($0) }) else {
            return []
        }
        let bounded = max(1, min(limit, 1000))
        return try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: PostgresRows.photoColumns) FROM asset
                WHERE sha256 >= \(prefix) AND sha256 < \(prefix + "~") ORDER BY sha256 LIMIT \(bounded)
                """, logger: logger
            ).map(PostgresRows.photo)
        }
    }

    public func details(sha256: String) async throws -> PhotoDetails? {
        try await read { connection in
            guard let photo = try await PostgresRows.photo(connection, sha256: sha256, logger: logger) else {
                return nil
            }
            let locations = try await connection.rows(
                """
                SELECT \(unescaped: PostgresRows.locationColumns) FROM location WHERE sha256 = \(sha256)
                ORDER BY path
                """, logger: logger
            ).map(PostgresRows.location)
            return PhotoDetails(
                photo: photo, locations: locations,
                caption: try await PostgresRows.caption(connection, sha256: sha256, logger: logger),
                renditions: try await PostgresRows.renditions(connection, sha256: sha256, logger: logger),
                uses: try await PostgresRows.uses(connection, sha256: sha256, logger: logger))
        }
    }

    public func photosNeedingRenditions(fingerprints: [String: String]) async throws -> Set<String> {
        guard !fingerprints.isEmpty else { return [] }
        let presets = fingerprints.keys.sorted()
        let prints = presets.map { fingerprints[$0] ?? "" }
        return try await read { connection in
            // A photo is complete when it has a rendition with the current fingerprint for every preset.
            var stale = Set<String>()
            let rows = try await connection.query(
                """
                SELECT sha256 FROM asset WHERE (
                  SELECT count(*) FROM rendition JOIN unnest(\(presets)::text[], \(prints)::text[]) AS wanted(preset, fingerprint)
                    ON rendition.preset = wanted.preset AND rendition.fingerprint = wanted.fingerprint
                  WHERE rendition.sha256 = asset.sha256) < \(presets.count)
                """, logger: logger)
            for try await (sha256, ) in rows.decode((String,).self) { stale.insert(sha256) }
            return stale
        }
    }

    public func renditions(of sha256: String) async throws -> [Rendition] {
        try await read { connection in try await PostgresRows.renditions(connection, sha256: sha256, logger: logger) }
    }

    public func rendition(shortId: String, preset: String) async throws -> RenditionLookup? {
        let id = shortId.lowercased()
        guard id.utf8.count == 16, id.utf8.allSatisfy({ PostgresRows.isHex($0) }), preset.utf8.count <= 64 else {
            return nil
        }
        return try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: PostgresRows.renditionColumns), asset.public_from, asset.public_until
                FROM asset JOIN rendition USING (sha256) WHERE asset.short_id = \(id) AND rendition.preset = \(preset)
                """, logger: logger
            ).first.map {
                RenditionLookup(
                    rendition: try PostgresRows.rendition($0),
                    publicFrom: try $0["public_from"].decode(Instant?.self)?.date,
                    publicUntil: try $0["public_until"].decode(Instant?.self)?.date)
            }
        }
    }

    public func cards(sha256s: [String]) async throws -> [String: PhotoCard] {
        let hashes = Array(Set(sha256s)).filter { $0.utf8.count == 64 }
        guard !hashes.isEmpty else { return [:] }
        return try await read { connection in try await PostgresRows.cards(connection, sha256s: hashes, logger: logger)
        }
    }

    public func allRenditions() async throws -> [Rendition] {
        try await read { connection in
            try await connection.rows(
                "SELECT \(unescaped: PostgresRows.renditionColumns) FROM rendition", logger: logger
            )
            .map(PostgresRows.rendition)
        }
    }

    public func allLocations() async throws -> [FileLocation] {
        try await read { connection in
            try await connection.rows("SELECT \(unescaped: PostgresRows.locationColumns) FROM location", logger: logger)
                .map(PostgresRows.location)
        }
    }

    public func photos(filters: SearchFilters, limit: Int, after cursor: PhotoCursor?, audience: Audience)
        async throws -> [PhotoCard]
    {
        let bounded = max(1, min(limit, 1000))
        var statement = Statement("SELECT asset.sha256 FROM asset LEFT JOIN caption USING (sha256)")
        var conditions = PostgresFilters.conditions(filters, audience: audience, into: &statement)
        if let cursor {
            conditions.append(
                "(asset.created_at, asset.sha256) < (\(statement.bind(cursor.createdAt.instant)), \(statement.bind(cursor.sha256)))"
            )
        }
        statement.append(PostgresFilters.whereClause(conditions))
        statement.append(" ORDER BY asset.created_at DESC, asset.sha256 DESC LIMIT \(statement.bind(bounded))")
        let query = statement.query
        return try await read { connection in
            var hashes: [String] = []
            for try await (sha256, ) in try await connection.query(query, logger: logger).decode((String,).self) {
                hashes.append(sha256)
            }
            let cards = try await PostgresRows.cards(connection, sha256s: hashes, logger: logger)
            return hashes.compactMap { cards[$0] }
        }
    }

    public func neighbours(of sha256: String, audience: Audience) async throws -> (
        newer: PhotoCard?, older: PhotoCard?
    ) {
        let found = try await read { connection -> [String: PhotoCard] in
            guard let photo = try await PostgresRows.photo(connection, sha256: sha256, logger: logger) else {
                return [:]
            }
            var hashes: [String: String] = [:]
            for (name, comparison, order) in [("newer", ">", "ASC"), ("older", "<", "DESC")] {
                var statement = Statement("SELECT asset.sha256 FROM asset")
                var conditions = PostgresFilters.conditions(SearchFilters(), audience: audience, into: &statement)
                conditions.append(
                    "(asset.created_at, asset.sha256) \(comparison) (\(statement.bind(photo.createdAt.instant)), \(statement.bind(photo.sha256)))"
                )
                statement.append(PostgresFilters.whereClause(conditions))
                statement.append(" ORDER BY asset.created_at \(order), asset.sha256 \(order) LIMIT 1")
                if let hash = try await connection.value(statement.query, as: String.self, logger: logger) {
                    hashes[name] = hash
                }
            }
            let cards = try await PostgresRows.cards(connection, sha256s: Array(hashes.values), logger: logger)
            return hashes.compactMapValues { cards[$0] }
        }
        return (found["newer"], found["older"])
    }

    public func photoCount(filters: SearchFilters, audience: Audience, upTo limit: Int?) async throws -> Int {
        var statement = Statement(
            limit == nil
                ? "SELECT count(*) FROM asset LEFT JOIN caption USING (sha256)"
                : "SELECT count(*) FROM (SELECT 1 FROM asset LEFT JOIN caption USING (sha256)")
        let conditions = PostgresFilters.conditions(filters, audience: audience, into: &statement)
        statement.append(PostgresFilters.whereClause(conditions))
        if let limit { statement.append(" LIMIT \(statement.bind(max(0, limit)))) AS counted") }
        let query = conditions.isEmpty && limit == nil ? "SELECT count(*) FROM asset" : statement.query
        return try await read { connection in
            try await connection.value(query, as: Int.self, logger: logger) ?? 0
        }
    }

    public func record(_ records: [IngestRecord]) async throws {
        guard !records.isEmpty else { return }
        try await write { connection in
            for record in records { try await Self.record(connection, record, logger: logger) }
        }
    }

    static func record(_ connection: PostgresConnection, _ record: IngestRecord, logger: Logger) async throws {
        let photo = record.photo
        // ON CONFLICT: two ingests of the same photo at once add it once, and only the one that
        // added it writes its caption and search text.
        let inserted = try await connection.value(
            """
            INSERT INTO asset (sha256, format, bytes, width, height, orientation, taken_at, camera_make, camera_model,
              lens, exposure_time, f_number, iso, focal_length, latitude, longitude, altitude, sources, created_at,
              published_at, public_from)
            VALUES (\(photo.sha256), \(photo.format), \(photo.bytes), \(photo.width), \(photo.height),
              \(photo.orientation), \(photo.takenAt), \(photo.camera.make), \(photo.camera.model), \(photo.camera.lens),
              \(photo.exposure.exposureTime), \(photo.exposure.fNumber), \(photo.exposure.iso),
              \(photo.exposure.focalLength), \(photo.gps?.latitude), \(photo.gps?.longitude), \(photo.gps?.altitude),
              \(photo.sources), \(photo.createdAt.instant), \(photo.publishedAt.instant), \(photo.publishedAt.instant))
            ON CONFLICT (sha256) DO NOTHING
            RETURNING 1
            """, as: Int.self, logger: logger)
        if inserted != nil {
            try await connection.run(
                """
                INSERT INTO caption (sha256, fields, revision)
                VALUES (\(photo.sha256), \(PostgresRows.json(record.caption.fields))::jsonb, \(record.caption.revision))
                """, logger: logger)
            try await insert(connection, record.revisions, logger: logger)
            try await connection.run(
                """
                INSERT INTO search_document (sha256, public_from, photo_text)
                VALUES (\(photo.sha256), \(photo.publishedAt.instant), \(record.searchText))
                """, logger: logger)
            if let look = record.look { try await save(connection, look, logger: logger) }
            if let provenance = record.provenance {
                try await save(connection, provenance, of: photo.sha256, logger: logger)
            }
        }
        try await save(connection, [record.location], logger: logger)
        try await save(connection, record.renditions, logger: logger)
    }

    static func save(_ connection: PostgresConnection, _ locations: [FileLocation], logger: Logger) async throws {
        for location in locations {
            try await connection.run(
                """
                INSERT INTO location (path, sha256, size, modified_at, inode, seen_at)
                VALUES (\(location.path), \(location.sha256), \(location.size), \(location.modifiedAt), \(location.inode),
                  \(location.seenAt.instant))
                ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,
                  modified_at = excluded.modified_at, inode = excluded.inode, seen_at = excluded.seen_at
                """, logger: logger)
        }
    }

    static func save(_ connection: PostgresConnection, _ renditions: [Rendition], logger: Logger) async throws {
        guard !renditions.isEmpty else { return }
        try await connection.run(
            """
            INSERT INTO rendition (sha256, preset, format, width, height, bytes, path, fingerprint)
            SELECT * FROM unnest(\(renditions.map(\.sha256))::text[], \(renditions.map(\.preset))::text[],
              \(renditions.map(\.format))::text[], \(renditions.map(\.width))::int[], \(renditions.map(\.height))::int[],
              \(renditions.map(\.bytes))::bigint[], \(renditions.map(\.path))::text[], \(renditions.map(\.fingerprint))::text[])
            ON CONFLICT (sha256, preset) DO UPDATE SET format = excluded.format, width = excluded.width,
              height = excluded.height, bytes = excluded.bytes, path = excluded.path, fingerprint = excluded.fingerprint
            """, logger: logger)
    }

    static func insert(_ connection: PostgresConnection, _ revisions: [CaptionRevision], logger: Logger) async throws {
        guard !revisions.isEmpty else { return }
        // One statement for the batch: the rows as a JSON array (text[] cannot hold the NULLs of
        // old and new values), instants as milliseconds.
        let rows = PostgresRows.json(revisions.map(RevisionRow.init))
        try await connection.run(
            """
            INSERT INTO caption_revision (sha256, revision, field, old_value, new_value, author, at, source)
            SELECT sha256, revision, field, old_value, new_value, author, to_timestamp(at_ms / 1000.0), source
            FROM jsonb_to_recordset(\(rows)::jsonb) AS r(sha256 text, revision int, field text, old_value text,
              new_value text, author text, at_ms bigint, source text)
            """, logger: logger)
    }

    /// A revision as a row of `jsonb_to_recordset`.
    struct RevisionRow: Encodable {
        var sha256: String
        var revision: Int
        var field: String
        var oldValue: String?
        var newValue: String?
        var author: String
        var milliseconds: Int64
        var source: String

        init(_ revision: CaptionRevision) {
            sha256 = revision.sha256
            self.revision = revision.revision
            field = revision.field
            oldValue = revision.oldValue
            newValue = revision.newValue
            author = revision.author
            let at = (revision.at.timeIntervalSince1970 * 1000).rounded()
            milliseconds = Int64(min(max(at.isNaN ? 0 : at, -1e15), 1e15))
            source = revision.source
        }

        enum CodingKeys: String, CodingKey {
            case sha256, revision, field, author, source
            case oldValue = "old_value"
            case newValue = "new_value"
            case milliseconds = "at_ms"
        }
    }

    public func touch(_ location: FileLocation) async throws {
        try await write { connection in try await Self.save(connection, [location], logger: logger) }
    }

    public func saveRenditions(_ renditions: [Rendition], of sha256: String) async throws {
        try await write { connection in
            try await Self.save(connection, renditions.filter { $0.sha256 == sha256 }, logger: logger)
        }
    }

    public func deletePhoto(_ sha256: String, requireUnused: Bool) async throws -> [Rendition] {
        try await write { connection in
            let uses =
                try await connection.value(
                    "SELECT count(*) FROM article_photo WHERE sha256 = \(sha256)", as: Int.self, logger: logger) ?? 0
            if uses > 0 && requireUnused {
                throw CatalogError(.inUse, "photo \(sha256.prefix(16)) is used in \(uses) place(s) in articles")
            }
            let renditions = try await PostgresRows.renditions(connection, sha256: sha256, logger: logger)
            // The articles keep their place for the photo, empty (ON DELETE SET NULL): a visible
            // gap, not a silent reflow. Everything else of the photo goes with it (ON DELETE CASCADE).
            try await connection.run("DELETE FROM asset WHERE sha256 = \(sha256)", logger: logger)
            return renditions
        }
    }

    public func setPhotoPublication(_ sha256: String, publishedAt: Date?) async throws {
        try await write { connection in
            guard
                try await connection.value(
                    "UPDATE asset SET published_at = \(publishedAt.instant) WHERE sha256 = \(sha256) RETURNING 1",
                    as: Int.self, logger: logger) != nil
            else { throw CatalogError(.notFound, "no photo \(sha256.prefix(16))") }
            try await PostgresRows.refreshPublicFrom(connection, [sha256], logger: logger)
        }
    }

    // MARK: Changes and statistics

    public func statistics(audience: Audience) async throws -> CatalogStatistics {
        try await read { connection in
            var statistics = CatalogStatistics()
            var visible = Statement("SELECT count(*) FROM asset")
            let visibleConditions = PostgresFilters.conditions(SearchFilters(), audience: audience, into: &visible)
            visible.append(PostgresFilters.whereClause(visibleConditions))
            statistics.photos = try await connection.value(visible.query, as: Int.self, logger: logger) ?? 0
            var missing = Statement("SELECT count(*) FROM asset LEFT JOIN caption USING (sha256)")
            let missingConditions = PostgresFilters.conditions(
                SearchFilters(missing: .caption), audience: audience, into: &missing)
            missing.append(PostgresFilters.whereClause(missingConditions))
            statistics.missingCaptions = try await connection.value(missing.query, as: Int.self, logger: logger) ?? 0
            switch audience {
            case .editors:
                let row = try await connection.rows(
                    """
                    SELECT (SELECT count(*) FROM location) AS locations,
                           (SELECT count(*) FROM rendition) AS renditions,
                           (SELECT COALESCE(sum(bytes), 0)::bigint FROM rendition) AS rendition_bytes,
                           (SELECT count(*) FROM article) AS articles,
                           (SELECT count(*) FROM (SELECT DISTINCT sha256, revision FROM caption_revision) r) AS revisions,
                           (SELECT max(seen_at) FROM location) AS last_seen
                    """, logger: logger
                ).first
                if let row {
                    statistics.locations = try row["locations"].decode(Int.self)
                    statistics.renditions = try row["renditions"].decode(Int.self)
                    statistics.renditionBytes = try row["rendition_bytes"].decode(Int.self)
                    statistics.articles = try row["articles"].decode(Int.self)
                    statistics.captionRevisions = try row["revisions"].decode(Int.self)
                    statistics.lastSeen = try row["last_seen"].decode(Instant?.self)?.date.timeIntervalSince1970 ?? 0
                }
            case .readers(let now):
                statistics.articles =
                    try await connection.value(
                        """
                        SELECT count(*) FROM article
                        WHERE state = 'published' AND COALESCE(publish_at, \(PostgresRows.beginning.instant)) <= \(now.instant)
                        """, as: Int.self, logger: logger) ?? 0
            }
            return statistics
        }
    }
}

/// The WHERE conditions of a photo listing: the filters, and what the audience may see (as
/// SQLite's `Filters`, over `asset` joined with `caption`).
enum PostgresFilters {
    static func conditions(_ filters: SearchFilters, audience: Audience, into statement: inout Statement) -> [String] {
        var conditions: [String] = []
        if case .readers(let now) = audience {
            let at = statement.bind(now.instant)
            conditions.append(
                "asset.public_from <= \(at) AND (asset.public_until IS NULL OR asset.public_until > \(at))")
        }
        switch filters.rights {
        case nil: break
        case .killed: conditions.append("asset.killed")
        case .restricted: conditions.append("asset.restricted")
        case .cost(let cost): conditions.append("asset.rights_cost = \(statement.bind(cost))")
        }
        if let state = filters.provenance {
            conditions.append(
                "asset.sha256 IN (SELECT sha256 FROM provenance WHERE state = \(statement.bind(state.rawValue)))")
        }
        // Declared by the Content Credentials, or by the IPTC Digital Source Type field (whose
        // three generated types, URI or bare, all end in "algorithmicMedia").
        if filters.generated {
            conditions.append(
                "(asset.sha256 IN (SELECT sha256 FROM provenance WHERE generated) OR caption.fields ->> 'digitalSourceType' ILIKE '%algorithmicMedia')"
            )
        }
        if let missing = filters.missing {
            let name = statement.bind(missing.rawValue)
            if missing.isList {
                conditions.append(
                    "COALESCE(jsonb_array_length(CASE WHEN jsonb_typeof(caption.fields -> \(name)) = 'array' THEN caption.fields -> \(name) END), 0) = 0"
                )
            } else {
                conditions.append("caption.fields ->> \(name) IS NULL")
            }
        }
        if let byline = filters.byline {
            conditions.append(
                "caption.fields ->> 'byline' ILIKE \(statement.bind("%\(escapeLike(byline))%")) ESCAPE '\\'")
        }
        if let from = filters.from { conditions.append("asset.taken_at >= \(statement.bind(from))") }
        if let to = filters.to { conditions.append("asset.taken_at <= \(statement.bind(to + "~"))") }
        if let slug = filters.article {
            conditions.append(
                """
                asset.sha256 IN (SELECT article_photo.sha256 FROM article_photo JOIN article ON article.id = article_photo.article_id
                  WHERE article.slug = \(statement.bind(slug)))
                """)
        }
        if let camera = filters.camera {
            conditions.append(
                "(COALESCE(asset.camera_make, '') || ' ' || COALESCE(asset.camera_model, '')) ILIKE \(statement.bind("%\(escapeLike(camera))%")) ESCAPE '\\'"
            )
        }
        return conditions
    }

    static func whereClause(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    /// Text for LIKE, its wildcards taken literally.
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
