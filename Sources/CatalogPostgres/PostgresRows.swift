import Catalog
import Foundation
import PhotoModel
import PostgresNIO

/// An instant as a `timestamptz`, kept to the millisecond as GRDB keeps dates in SQLite, so that
/// a value read back equals one rebuilt from a millisecond cursor token.
struct Instant: PostgresNonThrowingEncodable, PostgresDecodable, Sendable {
    var date: Date

    init(_ date: Date) { self.date = date }

    /// Microseconds from 1970 to PostgreSQL's epoch, 2000-01-01.
    static let epochOffset: Int64 = 946_684_800_000_000
    /// Milliseconds clamped to what PostgreSQL's timestamptz holds (years 4713 BC to 294276 AD).
    static let millisecondRange: ClosedRange<Double> = -210_000_000_000_000...9_000_000_000_000_000

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let clamped = min(
            max(milliseconds.isNaN ? 0 : milliseconds, Self.millisecondRange.lowerBound),
            Self.millisecondRange.upperBound)
        byteBuffer.writeInteger(Int64(clamped) * 1000 - Self.epochOffset)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from byteBuffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary, byteBuffer.readableBytes == 8,
            let microseconds = byteBuffer.readInteger(as: Int64.self)
        else { throw PostgresDecodingError.Code.typeMismatch }
        let milliseconds = ((Double(microseconds) + Double(Self.epochOffset)) / 1000).rounded()
        date = Date(timeIntervalSince1970: milliseconds / 1000)
    }
}

extension Optional where Wrapped == Date {
    /// The date as a bindable instant.
    var instant: Instant? { map(Instant.init) }
}

extension Date {
    /// The date as a bindable instant.
    var instant: Instant { Instant(self) }
}

/// A statement built piece by piece, its values bound as `$n` parameters (never spliced into the
/// text).
struct Statement {
    private(set) var sql: String
    private(set) var bindings = PostgresBindings()
    private var count = 0

    init(_ sql: String = "") { self.sql = sql }

    /// Binds a value and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        bindings.append(value)
        count += 1
        return "$\(count)"
    }

    /// Binds a value that may be NULL and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        bindings.append(value)
        count += 1
        return "$\(count)"
    }

    mutating func append(_ text: String) { sql += text }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}

/// Rows to values: the PostgreSQL schema's knowledge, kept in one place.
enum PostgresRows {
    /// The time published articles without a time are public from.
    static let beginning = Date(timeIntervalSince1970: 0)

    static func isHex(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (97...102).contains(byte) }

    static let photoColumns = """
        asset.sha256, asset.format, asset.bytes, asset.width, asset.height, asset.orientation, asset.taken_at,
        asset.camera_make, asset.camera_model, asset.lens, asset.exposure_time, asset.f_number, asset.iso,
        asset.focal_length, asset.latitude, asset.longitude, asset.altitude, asset.sources, asset.created_at,
        asset.published_at, asset.public_from, asset.public_until
        """

    static func photo(_ row: PostgresRandomAccessRow) throws -> Photo {
        let latitude = try row["latitude"].decode(Double?.self)
        let longitude = try row["longitude"].decode(Double?.self)
        var gps: GPS?
        if let latitude, let longitude {
            gps = GPS(latitude: latitude, longitude: longitude, altitude: try row["altitude"].decode(Double?.self))
        }
        return Photo(
            sha256: try row["sha256"].decode(String.self), format: try row["format"].decode(String.self),
            bytes: try row["bytes"].decode(Int.self), width: try row["width"].decode(Int.self),
            height: try row["height"].decode(Int.self), orientation: try row["orientation"].decode(Int.self),
            takenAt: try row["taken_at"].decode(String?.self),
            camera: Camera(
                make: try row["camera_make"].decode(String?.self), model: try row["camera_model"].decode(String?.self),
                lens: try row["lens"].decode(String?.self)),
            exposure: Exposure(
                exposureTime: try row["exposure_time"].decode(String?.self),
                fNumber: try row["f_number"].decode(Double?.self), iso: try row["iso"].decode(Int?.self),
                focalLength: try row["focal_length"].decode(Double?.self)),
            gps: gps, sources: try row["sources"].decode(String?.self),
            createdAt: try row["created_at"].decode(Instant.self).date,
            publishedAt: try row["published_at"].decode(Instant?.self)?.date,
            publicFrom: try row["public_from"].decode(Instant?.self)?.date,
            publicUntil: try row["public_until"].decode(Instant?.self)?.date)
    }

    static let locationColumns = "path, sha256, size, modified_at, inode, seen_at"

    static func location(_ row: PostgresRandomAccessRow) throws -> FileLocation {
        FileLocation(
            path: try row["path"].decode(String.self), sha256: try row["sha256"].decode(String.self),
            size: try row["size"].decode(Int64.self), modifiedAt: try row["modified_at"].decode(Double.self),
            inode: try row["inode"].decode(Int64.self), seenAt: try row["seen_at"].decode(Instant.self).date)
    }

    static let renditionColumns = """
        rendition.sha256, rendition.preset, rendition.format, rendition.width, rendition.height, rendition.bytes,
        rendition.path, rendition.fingerprint
        """

    static func rendition(_ row: PostgresRandomAccessRow) throws -> Rendition {
        Rendition(
            sha256: try row["sha256"].decode(String.self), preset: try row["preset"].decode(String.self),
            format: try row["format"].decode(String.self), width: try row["width"].decode(Int.self),
            height: try row["height"].decode(Int.self), bytes: try row["bytes"].decode(Int.self),
            path: try row["path"].decode(String.self), fingerprint: try row["fingerprint"].decode(String.self))
    }

    static func revision(_ row: PostgresRandomAccessRow) throws -> CaptionRevision {
        CaptionRevision(
            sha256: try row["sha256"].decode(String.self), revision: try row["revision"].decode(Int.self),
            field: try row["field"].decode(String.self), oldValue: try row["old_value"].decode(String?.self),
            newValue: try row["new_value"].decode(String?.self), author: try row["author"].decode(String.self),
            at: try row["at"].decode(Instant.self).date, source: try row["source"].decode(String.self))
    }

    static func article(_ row: PostgresRandomAccessRow) throws -> Article {
        Article(
            id: try row["id"].decode(Int64.self), slug: try row["slug"].decode(String.self),
            headline: try row["headline"].decode(String.self), dateline: try row["dateline"].decode(String?.self),
            byline: try row["byline"].decode(String?.self), body: try row["body"].decode(String.self),
            state: PublicationState(rawValue: try row["state"].decode(String.self)) ?? .draft,
            publishAt: try row["publish_at"].decode(Instant?.self)?.date,
            published: try row["published"].decode(String?.self),
            updatedAt: try row["updated_at"].decode(Instant.self).date, version: try row["version"].decode(Int.self))
    }

    static func account(_ row: PostgresRandomAccessRow) throws -> Account {
        Account(
            name: try row["name"].decode(String.self),
            role: Role(rawValue: try row["role"].decode(String.self)) ?? .editor,
            passwordHash: try row["password_hash"].decode(String.self),
            createdAt: try row["created_at"].decode(Instant.self).date)
    }

    /// Caption fields as their JSON object (the same encoding as SQLite's column).
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func fields(_ json: String?) -> CaptionFields {
        guard let json else { return CaptionFields() }
        return (try? JSONDecoder().decode(CaptionFields.self, from: Data(json.utf8))) ?? CaptionFields()
    }

    static func crop(_ json: String?) -> Crop? {
        json.flatMap { try? JSONDecoder().decode(Crop.self, from: Data($0.utf8)) }
    }

    // MARK: Reads shared by several calls

    static func photo(_ connection: PostgresConnection, sha256: String, logger: Logger) async throws -> Photo? {
        try await connection.rows(
            "SELECT \(unescaped: photoColumns) FROM asset WHERE sha256 = \(sha256)", logger: logger
        ).first.map(photo)
    }

    static func renditions(_ connection: PostgresConnection, sha256: String, logger: Logger) async throws
        -> [Rendition]
    {
        try await connection.rows(
            "SELECT \(unescaped: renditionColumns) FROM rendition WHERE sha256 = \(sha256) ORDER BY width, preset",
            logger: logger
        ).map(rendition)
    }

    static func caption(_ connection: PostgresConnection, sha256: String, logger: Logger) async throws -> Caption? {
        try await connection.rows(
            "SELECT fields::text AS fields, revision FROM caption WHERE sha256 = \(sha256)", logger: logger
        ).first.map {
            Caption(
                sha256: sha256, fields: fields(try $0["fields"].decode(String.self)),
                revision: try $0["revision"].decode(Int.self))
        }
    }

    static func uses(_ connection: PostgresConnection, sha256: String, logger: Logger) async throws -> [PhotoUse] {
        try await connection.rows(
            """
            SELECT article.slug, article.state, article.publish_at, article_photo.position, article_photo.caption,
                   article_photo.crop
            FROM article_photo JOIN article ON article.id = article_photo.article_id
            WHERE article_photo.sha256 = \(sha256) ORDER BY article.slug, article_photo.position
            """, logger: logger
        ).map {
            PhotoUse(
                slug: try $0["slug"].decode(String.self), position: try $0["position"].decode(Int.self),
                caption: try $0["caption"].decode(String?.self), crop: crop(try $0["crop"].decode(String?.self)),
                state: PublicationState(rawValue: try $0["state"].decode(String.self)) ?? .draft,
                publishAt: try $0["publish_at"].decode(Instant?.self)?.date)
        }
    }

    /// Cards for photos by full hash, in two queries however many there are.
    static func cards(_ connection: PostgresConnection, sha256s: [String], logger: Logger) async throws
        -> [String: PhotoCard]
    {
        guard !sha256s.isEmpty else { return [:] }
        var renditions: [String: [Rendition]] = [:]
        for row in try await connection.rows(
            """
            SELECT \(unescaped: renditionColumns) FROM rendition WHERE sha256 = ANY(\(sha256s))
            ORDER BY width, preset
            """, logger: logger)
        {
            let found = try rendition(row)
            renditions[found.sha256, default: []].append(found)
        }
        var cards: [String: PhotoCard] = [:]
        for row in try await connection.rows(
            """
            SELECT asset.sha256, asset.width, asset.height, asset.taken_at, asset.created_at, asset.public_from,
                   asset.public_until, asset.killed, caption.fields::text AS fields
            FROM asset LEFT JOIN caption USING (sha256) WHERE asset.sha256 = ANY(\(sha256s))
            """, logger: logger)
        {
            let sha = try row["sha256"].decode(String.self)
            cards[sha] = PhotoCard(
                sha256: sha, width: try row["width"].decode(Int.self), height: try row["height"].decode(Int.self),
                takenAt: try row["taken_at"].decode(String?.self),
                createdAt: try row["created_at"].decode(Instant.self).date,
                caption: fields(try row["fields"].decode(String?.self)), renditions: renditions[sha] ?? [],
                publicFrom: try row["public_from"].decode(Instant?.self)?.date,
                publicUntil: try row["public_until"].decode(Instant?.self)?.date,
                killed: try row["killed"].decode(Bool.self))
        }
        return cards
    }

    // MARK: Derived data (see CatalogStore)

    /// Recomputes `public_from` and `public_until` of photos, on the asset and its search document
    /// (greatest() ignores NULLs, hence the CASE: a photo that may never run stays private).
    static func refreshPublicFrom(_ connection: PostgresConnection, _ sha256s: some Collection<String>, logger: Logger)
        async throws
    {
        let hashes = Set(sha256s).sorted()
        guard !hashes.isEmpty else { return }
        try await connection.run(
            """
            WITH published AS (
              SELECT asset.sha256, asset.usable_from, asset.usable_until, (
                SELECT min(t) FROM (
                  SELECT asset.published_at AS t
                  UNION ALL
                  SELECT COALESCE(article.publish_at, \(beginning.instant))
                  FROM article_photo JOIN article ON article.id = article_photo.article_id
                  WHERE article_photo.sha256 = asset.sha256 AND article.state = 'published') times) AS first
              FROM asset WHERE asset.sha256 = ANY(\(hashes)) ORDER BY asset.sha256 FOR NO KEY UPDATE),
            computed AS (
              SELECT sha256, usable_until AS public_until,
                CASE WHEN usable_from IS NULL OR first IS NULL THEN NULL ELSE greatest(usable_from, first) END
                  AS public_from
              FROM published),
            assets AS (
              UPDATE asset SET public_from = computed.public_from, public_until = computed.public_until FROM computed
              WHERE asset.sha256 = computed.sha256 AND (asset.public_from IS DISTINCT FROM computed.public_from
                OR asset.public_until IS DISTINCT FROM computed.public_until))
            UPDATE search_document SET public_from = computed.public_from, public_until = computed.public_until
            FROM computed
            WHERE search_document.sha256 = computed.sha256
              AND (search_document.public_from IS DISTINCT FROM computed.public_from
                OR search_document.public_until IS DISTINCT FROM computed.public_until)
            """, logger: logger)
    }

    /// Rebuilds the use part of photos' search documents: the texts of their uses in articles.
    static func reindexUses(_ connection: PostgresConnection, _ sha256s: some Collection<String>, logger: Logger)
        async throws
    {
        let hashes = Set(sha256s).sorted()
        guard !hashes.isEmpty else { return }
        try await connection.run(
            """
            UPDATE search_document SET uses_text = computed.uses_text
            FROM (
              SELECT d.sha256, COALESCE((
                SELECT string_agg(p.search_text, ' ' ORDER BY p.article_id, p.position)
                FROM article_photo p WHERE p.sha256 = d.sha256 AND p.search_text <> ''), '') AS uses_text
              FROM search_document d WHERE d.sha256 = ANY(\(hashes))) computed
            WHERE search_document.sha256 = computed.sha256 AND search_document.uses_text <> computed.uses_text
            """, logger: logger)
    }
}
