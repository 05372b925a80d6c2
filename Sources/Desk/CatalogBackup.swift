import Catalog
import Crypto
import Foundation
import PhotoModel

/// What a catalog holds, counted, with a checksum of every caption revision: taken of a backup
/// when it is made, of the copy when it is restored, of a PostgreSQL database before `pg_dump`
/// and after `pg_restore`. Two catalogs with the same census hold the same desk.
public struct CatalogCensus: Codable, Sendable, Equatable {
    public var photos = 0
    public var locations = 0
    public var renditions = 0
    public var revisions = 0
    public var articles = 0
    public var uses = 0
    public var leases = 0
    public var kills = 0
    public var users = 0
    /// SHA-256 over every caption revision of every photo (hash, number, field, values, author,
    /// time to the millisecond, source), photos in hash order.
    public var captionChecksum = ""

    public init() {}

    /// Counts a catalog through its store, one photo at a time (a page of 500 photos per query).
    public static func take(_ store: any CatalogStore) async throws -> CatalogCensus {
        var census = CatalogCensus()
        var hashes: [String] = []
        var cursor: PhotoCursor?
        repeat {
            let page = try await store.photos(filters: SearchFilters(), limit: 500, after: cursor, audience: .editors)
            hashes += page.map(\.sha256)
            cursor = page.count == 500 ? page.last?.cursor : nil
        } while cursor != nil
        for sha in hashes {
            guard let details = try await store.details(sha256: sha) else { continue }
            census.photos += 1
            census.locations += details.locations.count
            census.renditions += details.renditions.count
            census.revisions += try await store.captionHistory(of: sha).count
            census.leases += try await store.rights(of: sha)?.leases.count ?? 0
        }
        for summary in try await store.articles(limit: 100_000, audience: .editors) {
            census.articles += 1
            census.uses += try await store.article(slug: summary.slug)?.uses.count ?? 0
        }
        census.kills = try await store.kills().count
        census.users = try await store.accounts().count
        census.captionChecksum = try await CatalogCopy.checksum(store, hashes)
        return census
    }

    /// Each way `other` differs from this census, in words ("12 photos, not 13"); empty when
    /// they agree.
    public func differences(from other: CatalogCensus) -> [String] {
        let counts: [(String, KeyPath<CatalogCensus, Int>)] = [
            ("photos", \.photos), ("locations", \.locations), ("renditions", \.renditions),
            ("caption revisions", \.revisions), ("articles", \.articles), ("photos in articles", \.uses),
            ("leases", \.leases), ("killed photos", \.kills), ("users", \.users),
        ]
        var problems = counts.compactMap { name, path in
            other[keyPath: path] == self[keyPath: path]
                ? nil : "\(other[keyPath: path]) \(name), not \(self[keyPath: path])"
        }
        if other.captionChecksum != captionChecksum {
            problems.append(
                "the caption revisions differ (checksum \(other.captionChecksum.prefix(12)), not \(captionChecksum.prefix(12)))"
            )
        }
        return problems
    }
}

/// The manifest written last into a backup folder: when the backup was taken, of what, what the
/// catalog held then and the checksum of the copied file. A folder without it is an interrupted
/// backup, and a restore refuses it.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// "photodesk-backup".
    public var format = BackupManifest.formatName
    /// The layout's version.
    public var version = 1
    /// When the copy's snapshot was taken.
    public var takenAt: Date
    /// The library the catalog came from.
    public var library: String
    /// The copied catalog's file name in the folder.
    public var file = BackupManifest.catalogFile
    /// Its size in bytes and SHA-256.
    public var bytes: Int64
    public var sha256: String
    /// What the copy holds.
    public var census: CatalogCensus

    public static let formatName = "photodesk-backup"
    public static let catalogFile = "catalog.sqlite"
    public static let manifestFile = "manifest.json"

    public init(takenAt: Date, library: String, bytes: Int64, sha256: String, census: CatalogCensus) {
        self.takenAt = takenAt
        self.library = library
        self.bytes = bytes
        self.sha256 = sha256
        self.census = census
    }

    /// The manifest as JSON, keys sorted, dates as ISO 8601.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// Reads the manifest of the backup folder `folder`, refusing a folder that is not a
    /// finished backup, and checks the catalog file against it (size, then SHA-256).
    public static func read(backup folder: String) throws -> BackupManifest {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DeskError(.notFound, "\(folder) is not a backup folder (photodesk backup DEST makes one)")
        }
        let manifestPath = folder + "/" + manifestFile
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            let partial = FileManager.default.fileExists(atPath: folder + "/" + catalogFile)
            throw DeskError(
                .invalid,
                partial
                    ? "\(folder) is an unfinished backup (it has no \(manifestFile): the backup was interrupted); nothing was restored. Take the backup again."
                    : "\(folder) has no \(manifestFile): it is not a Photodesk backup; nothing was restored")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let manifest: BackupManifest
        do { manifest = try decoder.decode(BackupManifest.self, from: data) } catch {
            throw DeskError(
                .invalid, "\(manifestPath) cannot be read as a backup manifest; nothing was restored", cause: "\(error)"
            )
        }
        guard manifest.format == formatName, manifest.version == 1, manifest.file == catalogFile else {
            throw DeskError(
                .invalid,
                "\(manifestPath) is not a manifest this Photodesk reads (format \(manifest.format) \(manifest.version))"
            )
        }
        let catalog = folder + "/" + catalogFile
        let size = (try? FileManager.default.attributesOfItem(atPath: catalog)[.size] as? NSNumber)?.int64Value
        guard let size else {
            throw DeskError(.invalid, "\(folder) has a manifest but no \(catalogFile); nothing was restored")
        }
        guard size == manifest.bytes else {
            throw DeskError(
                .invalid,
                "\(catalog) has \(size) bytes, not the \(manifest.bytes) its manifest says: the backup is damaged; nothing was restored"
            )
        }
        let digest = try fileSHA256(catalog)
        guard digest == manifest.sha256 else {
            throw DeskError(
                .invalid,
                "\(catalog) does not match its manifest's checksum (\(digest.prefix(12)), not \(manifest.sha256.prefix(12))): the backup is damaged; nothing was restored"
            )
        }
        return manifest
    }

    /// The SHA-256 of a file, read 1 MiB at a time.
    public static func fileSHA256(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DeskError(.notFound, "\(path) cannot be read")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
