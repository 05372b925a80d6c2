import Catalog
import Foundation
import PhotoModel

/// How precisely readers see where a photo was taken (`gallery.location`): editors always see
/// the exact position.
public enum LocationPrecision: String, Sendable, CaseIterable, Codable {
    /// As the camera recorded it.
    case exact
    /// Rounded to 0.1 degree (about 11 km): the city, not the house.
    case city
    /// Not shown.
    case none

    /// The position as shown at this precision.
    public func apply(_ gps: GPS?) -> GPS? {
        switch self {
        case .exact: gps
        case .city: gps?.rounded(places: 1)
        case .none: nil
        }
    }
}

/// Who is looking, for what a document shows: editors see everything; readers see only public
/// photos, without file paths, instructions or a precise position.
public struct Viewpoint: Sendable, Equatable {
    public var audience: Audience
    public var location: LocationPrecision

    /// Makes a viewpoint.
    public init(audience: Audience, location: LocationPrecision = .city) {
        self.audience = audience
        self.location = location
    }

    /// Editors.
    public static let editors = Viewpoint(audience: .editors, location: .exact)

    /// Whether the viewer is an editor.
    public var isEditor: Bool { audience == .editors }
}

/// A photo in the shape of the CLI's `show --json` (DESIGN.md), also served by the JSON API.
public struct PhotoDocument: Encodable, Sendable, Equatable {
    public struct RenditionInfo: Codable, Sendable, Equatable {
        public var preset: String
        public var format: String
        public var width: Int
        public var height: Int
        /// Relative to the library; editors only.
        public var path: String?
    }
    public struct Use: Codable, Sendable, Equatable {
        public var slug: String
        public var position: Int
        public var caption: String?
        public var crop: Crop?
        public var state: PublicationState
        public var publishAt: Date?
    }

    public var id: String
    public var sha256: String
    /// Every file of the photo; editors only.
    public var paths: [String]?
    public var format: String
    public var bytes: Int
    public var width: Int
    public var height: Int
    public var orientation: Int
    public var takenAt: String?
    public var camera: Camera
    public var exposure: Exposure
    public var gps: GPS?
    /// The caption fields shown (readers get only the public ones).
    public var fields: CaptionFields
    public var renditions: [RenditionInfo]
    public var articles: [Use]
    /// The caption revision an edit must be based on.
    public var captionRevision: Int
    /// From when readers see the photo; nil while private.
    public var publicFrom: Date?
    /// When it was published on its own.
    public var publishedAt: Date?
    /// Until when readers see it (a lease that ends); nil for no end.
    public var publicUntil: Date?
    /// Its rights (category, cost, restrictions, leases, kill, whether it may run now); editors only.
    public var rights: RightsReport?
    /// The credit line an agency made mandatory, shown wherever the photo is; nil when none.
    public var mandatoryCredit: String?

    /// What the original's Content Credentials said at ingest (readers get it without the
    /// library's report); nil when they were not checked. They belong to the original: the
    /// renditions are new pictures and carry no claim.
    public var provenance: Provenance? = nil

    /// The raw metadata sources (a JSON document), editors only; encoded as `sources` only when
    /// `includeSources` is set (`show --sources`).
    public var sources: String?
    public var includeSources = false

    public var caption: String? { fields.caption }
    public var headline: String? { fields.headline }
    public var byline: String? { fields.byline }
    public var credit: String? { fields.credit }
    public var copyright: String? { fields.copyright }
    public var keywords: [String] { fields.keywords }

    typealias Key = NamedKey

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(id, forKey: Key("id"))
        try container.encode(sha256, forKey: Key("sha256"))
        try container.encodeIfPresent(paths, forKey: Key("paths"))
        try container.encode(format, forKey: Key("format"))
        try container.encode(bytes, forKey: Key("bytes"))
        try container.encode(width, forKey: Key("width"))
        try container.encode(height, forKey: Key("height"))
        try container.encode(orientation, forKey: Key("orientation"))
        try container.encodeIfPresent(takenAt, forKey: Key("takenAt"))
        try container.encode(camera, forKey: Key("camera"))
        try container.encode(exposure, forKey: Key("exposure"))
        // Objects the file does not have are null; texts it does not have are absent.
        try container.encode(gps, forKey: Key("gps"))
        for field in CaptionField.allCases where !field.isPlace {
            if field.isList {
                try container.encode(fields.list(field), forKey: Key(field.rawValue))
            } else {
                try container.encodeIfPresent(fields[field], forKey: Key(field.rawValue))
            }
        }
        // Where it was taken: the place fields nested as `location`, null when none is known.
        let place = CaptionField.allCases.filter(\.isPlace).compactMap { field in fields[field].map { (field, $0) } }
        if place.isEmpty {
            try container.encodeNil(forKey: Key("location"))
        } else {
            var location = container.nestedContainer(keyedBy: Key.self, forKey: Key("location"))
            for (field, value) in place { try location.encode(value, forKey: Key(field.rawValue)) }
        }
        try container.encode(renditions, forKey: Key("renditions"))
        try container.encode(articles, forKey: Key("articles"))
        try container.encode(captionRevision, forKey: Key("captionRevision"))
        try container.encode(publicFrom, forKey: Key("publicFrom"))
        try container.encodeIfPresent(publicUntil, forKey: Key("publicUntil"))
        try container.encodeIfPresent(mandatoryCredit, forKey: Key("mandatoryCredit"))
        try container.encodeIfPresent(rights, forKey: Key("rights"))
        if let provenance {
            var credentials = container.nestedContainer(keyedBy: Key.self, forKey: Key("provenance"))
            try credentials.encode(provenance.state.rawValue, forKey: Key("state"))
            try credentials.encode(provenance.isGenerated, forKey: Key("generated"))
            try credentials.encode(provenance.summary, forKey: Key("summary"))
            try credentials.encode("original", forKey: Key("appliesTo"))
            try credentials.encodeIfPresent(provenance.commonName, forKey: Key("signer"))
            try credentials.encodeIfPresent(provenance.issuer, forKey: Key("issuer"))
            try credentials.encodeIfPresent(provenance.signedAt, forKey: Key("signedAt"))
            try credentials.encodeIfPresent(provenance.generator, forKey: Key("generator"))
            try credentials.encodeIfPresent(provenance.sourceType, forKey: Key("digitalSourceType"))
            try credentials.encode(provenance.actions, forKey: Key("actions"))
            try credentials.encode(provenance.codes, forKey: Key("codes"))
            try credentials.encodeIfPresent(provenance.reason, forKey: Key("reason"))
            if let report = provenance.report {
                try credentials.encode(JSONValue(text: report) ?? .string(report), forKey: Key("report"))
            }
        }
        if includeSources, let sources {
            try container.encode(JSONValue(text: sources) ?? .null, forKey: Key("sources"))
        }
    }
}

/// An article with its photos in order, in the CLI's JSON shape.
public struct ArticleDocument: Codable, Sendable, Equatable {
    /// One photo as used in the article.
    public struct Photo: Codable, Sendable, Equatable {
        /// The photo's short id; nil when it was removed (a gap).
        public var id: String?
        public var sha256: String?
        public var position: Int
        /// The caption as used in this article: its own, else the photo's.
        public var caption: String?
        public var credit: String?
        public var byline: String?
        public var copyright: String?
        /// Displayed size of the original.
        public var width: Int?
        public var height: Int?
        public var crop: Crop?
        /// The photo's renditions, smallest first (not in the JSON).
        public var renditions: [Rendition]
        /// Why readers see a gap in its place though the article still uses a photo: "withdrawn"
        /// (killed) or "not available" (its rights do not let it run now); nil otherwise.
        public var withheld: String?
        /// The credit line an agency made mandatory ("MANDATORY CREDIT"); nil when none.
        public var mandatoryCredit: String?

        enum CodingKeys: String, CodingKey {
            case id, position, caption, credit, byline, copyright, width, height, crop, withheld, mandatoryCredit
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeIfPresent(String.self, forKey: .id)
            position = try container.decode(Int.self, forKey: .position)
            caption = try container.decodeIfPresent(String.self, forKey: .caption)
            credit = try container.decodeIfPresent(String.self, forKey: .credit)
            byline = try container.decodeIfPresent(String.self, forKey: .byline)
            copyright = try container.decodeIfPresent(String.self, forKey: .copyright)
            width = try container.decodeIfPresent(Int.self, forKey: .width)
            height = try container.decodeIfPresent(Int.self, forKey: .height)
            crop = try container.decodeIfPresent(Crop.self, forKey: .crop)
            withheld = try container.decodeIfPresent(String.self, forKey: .withheld)
            mandatoryCredit = try container.decodeIfPresent(String.self, forKey: .mandatoryCredit)
            renditions = []
        }

        init(
            sha256: String?, position: Int, caption: String?, credit: String?, byline: String?, copyright: String?,
            width: Int?, height: Int?, crop: Crop?, renditions: [Rendition], withheld: String? = nil,
            mandatoryCredit: String? = nil
        ) {
            self.id = sha256.map { String($0.prefix(16)) }
            self.sha256 = sha256
            self.position = position
            self.caption = caption
            self.credit = credit
            self.byline = byline
            self.copyright = copyright
            self.width = width
            self.height = height
            self.crop = crop
            self.renditions = renditions
            self.withheld = withheld
            self.mandatoryCredit = mandatoryCredit
        }
    }

    public var slug: String
    public var headline: String
    public var dateline: String?
    public var published: String?
    public var byline: String?
    public var body: String
    public var status: String
    public var publishAt: Date?
    public var version: Int
    public var photos: [Photo]
}
