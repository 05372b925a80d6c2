import Catalog
import Foundation
import GRDB
import PhotoModel

/// Rows to values and values to rows: the SQLite schema's knowledge, kept in one place.
enum Rows {
    /// The time published articles without a time are public from.
    static let beginning = Date(timeIntervalSince1970: 0)

    static func isHex(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (97...102).contains(byte) }

    static func photo(_ row: Row) -> Photo {
        let gps: GPS? = {
            guard let latitude: Double = row["latitude"], let longitude: Double = row["longitude"] else { return nil }
            return GPS(latitude: latitude, longitude: longitude, altitude: row["altitude"])
        }()
        return Photo(
            sha256: row["sha256"], format: row["format"], bytes: row["bytes"], width: row["width"],
            height: row["height"], orientation: row["orientation"], takenAt: row["takenAt"],
            camera: Camera(make: row["cameraMake"], model: row["cameraModel"], lens: row["lens"]),
            exposure: Exposure(
                exposureTime: row["exposureTime"], fNumber: row["fNumber"], iso: row["iso"],
                focalLength: row["focalLength"]),
            gps: gps, sources: row["sourcesJSON"], createdAt: row["createdAt"], publishedAt: row["publishedAt"],
            publicFrom: row["publicFrom"], publicUntil: row["publicUntil"])
    }

    static func arguments(_ photo: Photo) -> StatementArguments {
        [
            photo.sha256, photo.shortId, photo.format, photo.bytes, photo.width, photo.height, photo.orientation,
            photo.takenAt, photo.camera.make, photo.camera.model, photo.camera.lens, photo.exposure.exposureTime,
            photo.exposure.fNumber, photo.exposure.iso, photo.exposure.focalLength, photo.gps?.latitude,
            photo.gps?.longitude, photo.gps?.altitude, photo.sources, photo.createdAt, photo.publishedAt,
            photo.publishedAt,
        ]
    }

    static func photo(_ db: Database, sha256: String) throws -> Photo? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM asset WHERE sha256 = ?"), arguments: [sha256])
            .map(photo)
    }

    static func location(_ row: Row) -> FileLocation {
        FileLocation(
            path: row["path"], sha256: row["sha256"], size: row["size"], modifiedAt: row["modifiedAt"],
            inode: row["inode"], seenAt: row["seenAt"])
    }

    static func save(_ db: Database, _ location: FileLocation) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO location (path, sha256, size, modifiedAt, inode, seenAt) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,
                  modifiedAt = excluded.modifiedAt, inode = excluded.inode, seenAt = excluded.seenAt
                """
        ).execute(
            arguments: [
                location.path, location.sha256, location.size, location.modifiedAt, location.inode, location.seenAt,
            ])
    }

    static func rendition(_ row: Row) -> Rendition {
        Rendition(
            sha256: row["sha256"], preset: row["preset"], format: row["format"], width: row["width"],
            height: row["height"], bytes: row["bytes"], path: row["path"], fingerprint: row["fingerprint"])
    }

    static func renditions(_ db: Database, sha256: String) throws -> [Rendition] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM rendition WHERE sha256 = ? ORDER BY width, preset"),
            arguments: [sha256]
        ).map(rendition)
    }

    static func save(_ db: Database, _ rendition: Rendition) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO rendition (sha256, preset, format, width, height, bytes, path, fingerprint)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (sha256, preset) DO UPDATE SET format = excluded.format, width = excluded.width,
                  height = excluded.height, bytes = excluded.bytes, path = excluded.path,
                  fingerprint = excluded.fingerprint
                """
        ).execute(
            arguments: [
                rendition.sha256, rendition.preset, rendition.format, rendition.width, rendition.height,
                rendition.bytes, rendition.path, rendition.fingerprint,
            ])
    }

    static func caption(_ db: Database, sha256: String) throws -> Caption? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT fields, revision FROM caption WHERE sha256 = ?"), arguments: [sha256]
        ).map { Caption(sha256: sha256, fields: fields($0["fields"]), revision: $0["revision"]) }
    }

    static func fields(_ json: String?) -> CaptionFields {
        guard let json else { return CaptionFields() }
        return (try? JSONDecoder().decode(CaptionFields.self, from: Data(json.utf8))) ?? CaptionFields()
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func crop(_ json: String?) -> Crop? {
        json.flatMap { try? JSONDecoder().decode(Crop.self, from: Data($0.utf8)) }
    }

    static func insert(_ db: Database, _ revision: CaptionRevision) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO captionRevision (sha256, revision, field, oldValue, newValue, author, at, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                revision.sha256, revision.revision, revision.field, revision.oldValue, revision.newValue,
                revision.author, revision.at, revision.source,
            ])
    }

    static func uses(_ db: Database, sha256: String) throws -> [PhotoUse] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT article.slug, article.state, article.publishAt, articlePhoto.position, articlePhoto.caption,
                       articlePhoto.crop
                FROM articlePhoto JOIN article ON article.id = articlePhoto.articleId
                WHERE articlePhoto.sha256 = ? ORDER BY article.slug, articlePhoto.position
                """, arguments: [sha256]
        ).map {
            PhotoUse(
                slug: $0["slug"], position: $0["position"], caption: $0["caption"], crop: crop($0["crop"]),
                state: PublicationState(rawValue: $0["state"]) ?? .draft, publishAt: $0["publishAt"])
        }
    }

    /// Cards for photos by full hash, in two queries however many there are.
    static func cards(_ db: Database, sha256s: [String]) throws -> [String: PhotoCard] {
        guard !sha256s.isEmpty else { return [:] }
        var found: [String: PhotoCard] = [:]
        for chunk in stride(from: 0, to: sha256s.count, by: 500).map({
            Array(sha256s[$0..<min($0 + 500, sha256s.count)])
        }) {
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            var renditions: [String: [Rendition]] = [:]
            for row in try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM rendition WHERE sha256 IN (\(marks)) ORDER BY width, preset"),
                arguments: StatementArguments(chunk))
            {
                let rendition = rendition(row)
                renditions[rendition.sha256, default: []].append(rendition)
            }
            for row in try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT asset.sha256, asset.width, asset.height, asset.takenAt, asset.createdAt, asset.publicFrom,
                               asset.publicUntil, asset.killed, caption.fields
                        FROM asset LEFT JOIN caption USING (sha256) WHERE asset.sha256 IN (\(marks))
                        """), arguments: StatementArguments(chunk))
            {
                let sha: String = row["sha256"]
                found[sha] = PhotoCard(
                    sha256: sha, width: row["width"], height: row["height"], takenAt: row["takenAt"],
                    createdAt: row["createdAt"], caption: fields(row["fields"]), renditions: renditions[sha] ?? [],
                    publicFrom: row["publicFrom"], publicUntil: row["publicUntil"], killed: row["killed"])
            }
        }
        return found
    }

    /// Recomputes `publicFrom` and `publicUntil` of photos (see `CatalogStore`): SQLite's MAX of
    /// several values is NULL when one is, so a photo that may never run stays private.
    static func refreshPublicFrom(_ db: Database, _ sha256s: some Collection<String>) throws {
        let statement = try db.cachedStatement(
            sql: """
                UPDATE asset SET publicFrom = MAX(usableFrom, (
                  SELECT MIN(t) FROM (
                    SELECT asset.publishedAt AS t
                    UNION ALL
                    SELECT COALESCE(article.publishAt, ?) FROM articlePhoto JOIN article ON article.id = articlePhoto.articleId
                    WHERE articlePhoto.sha256 = asset.sha256 AND article.state = 'published'))),
                  publicUntil = usableUntil
                WHERE sha256 = ?
                """)
        for sha in Set(sha256s) { try statement.execute(arguments: [beginning, sha]) }
    }

    /// Rebuilds photos' search documents: their own text, then their uses' texts.
    static func reindex(_ db: Database, _ sha256s: some Collection<String>) throws {
        for sha in Set(sha256s) {
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT id, photoText FROM searchDoc WHERE sha256 = ?"), arguments: [sha])
            else { continue }
            let id: Int64 = row["id"]
            var parts: [String] = [row["photoText"] ?? ""]
            parts += try String.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT searchText FROM articlePhoto WHERE sha256 = ? AND searchText != '' ORDER BY articleId, position"
                ),
                arguments: [sha])
            try db.cachedStatement(
                sql: "UPDATE searchDoc SET changedAt = (SELECT changes FROM catalogState WHERE id = 1) + 1 WHERE id = ?"
            ).execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM searchIndex WHERE rowid = ?").execute(arguments: [id])
            try db.cachedStatement(sql: "INSERT INTO searchIndex (rowid, body) VALUES (?, ?)").execute(
                arguments: [id, parts.filter { !$0.isEmpty }.joined(separator: " \n ")])
        }
    }
}
