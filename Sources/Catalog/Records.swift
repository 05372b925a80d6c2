import Foundation
import GRDB

/// One photo, identified by the SHA-256 of its bytes.
public struct AssetRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "asset"

    /// The SHA-256 of the file's bytes, 64 hex digits.
    public var sha256: String
    /// The first 16 hex digits of the hash.
    public var shortId: String
    public var format: String
    public var bytes: Int
    /// Width as displayed (after orientation).
    public var width: Int
    /// Height as displayed (after orientation).
    public var height: Int
    public var orientation: Int
    public var takenAt: String?
    public var cameraMake: String?
    public var cameraModel: String?
    public var lens: String?
    public var exposureTime: String?
    public var fNumber: Double?
    public var iso: Int?
    public var focalLength: Double?
    public var latitude: Double?
    public var longitude: Double?
    public var altitude: Double?
    /// The raw values of each metadata source, as JSON, for `show --sources`.
    public var sourcesJSON: String?
    /// When the asset was first catalogued.
    public var createdAt: Date

    /// Column names for queries.
    public enum Columns {
        public static let sha256 = Column(CodingKeys.sha256)
        public static let shortId = Column(CodingKeys.shortId)
        public static let createdAt = Column(CodingKeys.createdAt)
        public static let takenAt = Column(CodingKeys.takenAt)
    }

    /// Makes a record.
    public init(
        sha256: String, format: String, bytes: Int, width: Int, height: Int, orientation: Int, takenAt: String? = nil,
        cameraMake: String? = nil, cameraModel: String? = nil, lens: String? = nil, exposureTime: String? = nil,
        fNumber: Double? = nil, iso: Int? = nil, focalLength: Double? = nil, latitude: Double? = nil,
        longitude: Double? = nil, altitude: Double? = nil, sourcesJSON: String? = nil, createdAt: Date = Date()
    ) {
        self.sha256 = sha256
        self.shortId = String(sha256.prefix(16))
        self.format = format
        self.bytes = bytes
        self.width = width
        self.height = height
        self.orientation = orientation
        self.takenAt = takenAt
        self.cameraMake = cameraMake
        self.cameraModel = cameraModel
        self.lens = lens
        self.exposureTime = exposureTime
        self.fNumber = fNumber
        self.iso = iso
        self.focalLength = focalLength
        self.latitude = latitude
        self.longitude = longitude
        self.altitude = altitude
        self.sourcesJSON = sourcesJSON
        self.createdAt = createdAt
    }
}

/// Where a file was seen, with what it looked like then: the key to skipping unchanged files.
public struct LocationRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "location"

    /// Absolute path of the file.
    public var path: String
    /// The asset its bytes were.
    public var sha256: String
    public var size: Int64
    /// Modification time, seconds since 1970 with sub-second precision.
    public var modifiedAt: Double
    public var inode: Int64
    public var seenAt: Date

    /// Column names for queries.
    public enum Columns {
        public static let path = Column(CodingKeys.path)
        public static let sha256 = Column(CodingKeys.sha256)
    }

    /// Makes a record.
    public init(path: String, sha256: String, size: Int64, modifiedAt: Double, inode: Int64, seenAt: Date = Date()) {
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.modifiedAt = modifiedAt
        self.inode = inode
        self.seenAt = seenAt
    }
}

/// A rendition file of an asset, for one preset.
public struct RenditionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "rendition"

    public var sha256: String
    /// The preset's name ("thumb").
    public var preset: String
    public var format: String
    public var width: Int
    public var height: Int
    public var bytes: Int
    /// Path relative to the library folder.
    public var path: String
    /// The preset's settings when it was made; a different fingerprint means make it again.
    public var fingerprint: String

    /// Column names for queries.
    public enum Columns {
        public static let sha256 = Column(CodingKeys.sha256)
        public static let preset = Column(CodingKeys.preset)
    }

    /// Makes a record.
    public init(
        sha256: String, preset: String, format: String, width: Int, height: Int, bytes: Int, path: String,
        fingerprint: String
    ) {
        self.sha256 = sha256
        self.preset = preset
        self.format = format
        self.width = width
        self.height = height
        self.bytes = bytes
        self.path = path
        self.fingerprint = fingerprint
    }
}

/// The caption fields of an asset: its master caption, as the desk keeps it.
public struct CaptionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "caption"

    public var sha256: String
    public var caption: String?
    public var headline: String?
    public var byline: String?
    public var credit: String?
    public var copyright: String?
    /// Keywords, as a JSON array.
    public var keywordsJSON: String
    public var city: String?
    public var region: String?
    public var country: String?
    public var instructions: String?
    /// Increases by one with every change: the value an edit must be based on.
    public var revision: Int

    /// Column names for queries.
    public enum Columns {
        public static let sha256 = Column(CodingKeys.sha256)
        public static let caption = Column(CodingKeys.caption)
    }

    /// Makes a record.
    public init(sha256: String, fields: CaptionFields, revision: Int = 1) {
        self.sha256 = sha256
        self.caption = fields.caption
        self.headline = fields.headline
        self.byline = fields.byline
        self.credit = fields.credit
        self.copyright = fields.copyright
        self.keywordsJSON = (try? String(decoding: JSONEncoder().encode(fields.keywords), as: UTF8.self)) ?? "[]"
        self.city = fields.city
        self.region = fields.region
        self.country = fields.country
        self.instructions = fields.instructions
        self.revision = revision
    }

    /// The fields as a value.
    public var fields: CaptionFields {
        CaptionFields(
            caption: caption, headline: headline, byline: byline, credit: credit, copyright: copyright,
            keywords: (try? JSONDecoder().decode([String].self, from: Data(keywordsJSON.utf8))) ?? [],
            city: city, region: region, country: country, instructions: instructions)
    }
}

/// The caption fields of a photo, as a plain value.
public struct CaptionFields: Codable, Sendable, Equatable {
    public var caption: String?
    public var headline: String?
    public var byline: String?
    public var credit: String?
    public var copyright: String?
    public var keywords: [String]
    public var city: String?
    public var region: String?
    public var country: String?
    public var instructions: String?

    /// Makes caption fields.
    public init(
        caption: String? = nil, headline: String? = nil, byline: String? = nil, credit: String? = nil,
        copyright: String? = nil, keywords: [String] = [], city: String? = nil, region: String? = nil,
        country: String? = nil, instructions: String? = nil
    ) {
        self.caption = caption
        self.headline = headline
        self.byline = byline
        self.credit = credit
        self.copyright = copyright
        self.keywords = keywords
        self.city = city
        self.region = region
        self.country = country
        self.instructions = instructions
    }
}

/// One change of one caption field: nothing is overwritten without a revision.
public struct CaptionRevision: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "captionRevision"

    public var id: Int64?
    public var sha256: String
    /// The caption revision this change made.
    public var revision: Int
    public var field: String
    public var oldValue: String?
    public var newValue: String?
    /// Who made the change (an OS user or a logged-in editor).
    public var author: String
    public var at: Date
    /// Where it came from: embedded, sidecar, csv, cli, web, template.
    public var source: String

    /// Makes a revision.
    public init(
        sha256: String, revision: Int, field: String, oldValue: String?, newValue: String?, author: String,
        at: Date = Date(), source: String
    ) {
        self.sha256 = sha256
        self.revision = revision
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
        self.author = author
        self.at = at
        self.source = source
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
