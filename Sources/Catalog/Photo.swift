import Foundation
import PhotoModel

/// One photo, identified by the SHA-256 of its bytes.
public struct Photo: Codable, Sendable, Equatable {
    /// The SHA-256 of the file's bytes, 64 lower-case hex digits.
    public var sha256: String
    public var format: String
    public var bytes: Int
    /// Width as displayed (after orientation).
    public var width: Int
    /// Height as displayed (after orientation).
    public var height: Int
    /// EXIF orientation, 1 to 8.
    public var orientation: Int
    /// ISO 8601 taking date, with the offset when the file gives one.
    public var takenAt: String?
    public var camera: Camera
    public var exposure: Exposure
    public var gps: GPS?
    /// The raw values of each metadata source, as a JSON document, for `show --sources`.
    public var sources: String?
    /// When the photo was first catalogued.
    public var createdAt: Date
    /// When an editor published the photo on its own (`photodesk publish`); nil when not.
    public var publishedAt: Date?
    /// From when readers may see the photo: its own publication, or the publication time of a
    /// published article that uses it, whichever is first; nil while it is private. The store
    /// keeps it as articles and photos are published, scheduled and taken back.
    public var publicFrom: Date?
    /// Until when (excluded) readers may see it: its rights' end (a lease that ends); nil for no
    /// end. Readers see the photo while `publicFrom <= now < publicUntil`.
    public var publicUntil: Date?

    /// Makes a photo.
    public init(
        sha256: String, format: String, bytes: Int, width: Int, height: Int, orientation: Int = 1,
        takenAt: String? = nil, camera: Camera = Camera(), exposure: Exposure = Exposure(), gps: GPS? = nil,
        sources: String? = nil, createdAt: Date = Date(), publishedAt: Date? = nil, publicFrom: Date? = nil,
        publicUntil: Date? = nil
    ) {
        self.sha256 = sha256
        self.format = format
        self.bytes = bytes
        self.width = width
        self.height = height
        self.orientation = orientation
        self.takenAt = takenAt
        self.camera = camera
        self.exposure = exposure
        self.gps = gps
        self.sources = sources
        self.createdAt = createdAt
        self.publishedAt = publishedAt
        self.publicFrom = publicFrom
        self.publicUntil = publicUntil
    }

    /// When readers may see it.
    public var visibility: Visibility { Visibility(from: publicFrom, until: publicUntil) }

    /// The first 16 hex digits of the hash: the id people and URLs use.
    public var shortId: String { String(sha256.prefix(16)) }
}

/// Where a file was seen, with what it looked like then: the key to skipping unchanged files.
public struct FileLocation: Codable, Sendable, Equatable {
    /// Absolute path of the file.
    public var path: String
    /// The photo its bytes were.
    public var sha256: String
    public var size: Int64
    /// Modification time, seconds since 1970 with sub-second precision.
    public var modifiedAt: Double
    public var inode: Int64
    public var seenAt: Date

    /// Makes a location.
    public init(path: String, sha256: String, size: Int64, modifiedAt: Double, inode: Int64, seenAt: Date = Date()) {
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.modifiedAt = modifiedAt
        self.inode = inode
        self.seenAt = seenAt
    }
}

/// A rendition file of a photo, for one preset.
public struct Rendition: Codable, Sendable, Equatable {
    public var sha256: String
    /// The preset's name ("thumb"), or a crop's name (`crop-<digest>`).
    public var preset: String
    public var format: String
    public var width: Int
    public var height: Int
    public var bytes: Int
    /// Path relative to the library folder.
    public var path: String
    /// The preset's settings when it was made; a different fingerprint means make it again.
    public var fingerprint: String

    /// Makes a rendition.
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

/// A position in the newest-first listing of photos.
public struct PhotoCursor: Sendable, Equatable, Codable {
    public var createdAt: Date
    public var sha256: String

    /// Makes a cursor.
    public init(createdAt: Date, sha256: String) {
        self.createdAt = createdAt
        self.sha256 = sha256
    }

    /// The cursor as one URL-safe token: milliseconds since 1970, then the hash.
    public var token: String { "\(Int64((createdAt.timeIntervalSince1970 * 1000).rounded()))_\(sha256)" }

    /// Reads a token; nil when it is not one (any other text, however long or strange).
    public init?(token: String) {
        guard token.utf8.count <= 100 else { return nil }
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 15, let milliseconds = Int64(parts[0]), milliseconds >= 0,
            parts[1].utf8.count == 64, parts[1].utf8.allSatisfy({ Self.isHex($0) })
        else { return nil }
        self.init(createdAt: Date(timeIntervalSince1970: Double(milliseconds) / 1000), sha256: String(parts[1]))
    }

    static func isHex(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (97...102).contains(byte)
    }
}

/// A photo as lists show it: its caption fields and renditions, in one read.
public struct PhotoCard: Sendable, Equatable {
    public var sha256: String
    public var width: Int
    public var height: Int
    public var takenAt: String?
    public var createdAt: Date
    public var caption: CaptionFields
    /// Smallest first.
    public var renditions: [Rendition]
    /// See `Photo.publicFrom`.
    public var publicFrom: Date?
    /// See `Photo.publicUntil`.
    public var publicUntil: Date?
    /// Whether the photo is killed (an article shows "photo withdrawn" in its place).
    public var killed: Bool

    /// Makes a card.
    public init(
        sha256: String, width: Int, height: Int, takenAt: String?, createdAt: Date, caption: CaptionFields,
        renditions: [Rendition], publicFrom: Date?, publicUntil: Date? = nil, killed: Bool = false
    ) {
        self.sha256 = sha256
        self.width = width
        self.height = height
        self.takenAt = takenAt
        self.createdAt = createdAt
        self.caption = caption
        self.renditions = renditions
        self.publicFrom = publicFrom
        self.publicUntil = publicUntil
        self.killed = killed
    }

    /// When readers may see it.
    public var visibility: Visibility { Visibility(from: publicFrom, until: publicUntil) }

    /// The short id.
    public var shortId: String { String(sha256.prefix(16)) }
    /// Where the next page after this photo starts.
    public var cursor: PhotoCursor { PhotoCursor(createdAt: createdAt, sha256: sha256) }
}

/// Everything the catalog holds about one photo, read at once.
public struct PhotoDetails: Sendable, Equatable {
    public var photo: Photo
    public var locations: [FileLocation]
    public var caption: Caption?
    /// Smallest first.
    public var renditions: [Rendition]
    public var uses: [PhotoUse]

    /// Makes details.
    public init(photo: Photo, locations: [FileLocation], caption: Caption?, renditions: [Rendition], uses: [PhotoUse]) {
        self.photo = photo
        self.locations = locations
        self.caption = caption
        self.renditions = renditions
        self.uses = uses
    }
}

/// A rendition with what serving it needs to know about its photo.
public struct RenditionLookup: Sendable, Equatable {
    public var rendition: Rendition
    /// See `Photo.publicFrom`.
    public var publicFrom: Date?
    /// See `Photo.publicUntil`.
    public var publicUntil: Date?

    /// Makes a lookup result.
    public init(rendition: Rendition, publicFrom: Date?, publicUntil: Date? = nil) {
        self.rendition = rendition
        self.publicFrom = publicFrom
        self.publicUntil = publicUntil
    }

    /// When readers may see its photo.
    public var visibility: Visibility { Visibility(from: publicFrom, until: publicUntil) }
}

/// Who is reading: editors see everything; readers see what is public at a moment.
public enum Audience: Sendable, Equatable, Hashable {
    case editors
    case readers(at: Date)

    /// Whether something public from `publicFrom` (an article) is shown.
    public func sees(publicFrom: Date?) -> Bool {
        switch self {
        case .editors: true
        case .readers(let now): publicFrom.map { $0 <= now } ?? false
        }
    }

    /// Whether a photo public for a period is shown.
    public func sees(_ visibility: Visibility) -> Bool {
        switch self {
        case .editors: true
        case .readers(let now): visibility.contains(now)
        }
    }
}

/// When readers may see a photo: from `from` (nil: never) until `until` (excluded; nil: no end).
public struct Visibility: Sendable, Equatable, Hashable {
    public var from: Date?
    public var until: Date?

    /// Makes a period.
    public init(from: Date?, until: Date? = nil) {
        self.from = from
        self.until = until
    }

    /// Whether readers see it at a time: two comparisons.
    @inline(__always)
    public func contains(_ time: Date) -> Bool {
        guard let from, from <= time else { return false }
        guard let until else { return true }
        return time < until
    }
}

extension Rendition {
    /// Its key in object storage: `renditions/ab/<full SHA-256>-<preset>.<ext>`. The library
    /// folder names a rendition by the photo's short id, which is public (`/r/<short id>/...`);
    /// the key carries the whole hash instead, so a reader who knows a short id cannot guess the
    /// key of a private or killed photo's rendition in a bucket behind a CDN.
    public var objectKey: String {
        let fileExtension = path.split(separator: ".").last.map(String.init) ?? format
        return "renditions/\(sha256.prefix(2))/\(sha256)-\(preset).\(fileExtension)"
    }
}
