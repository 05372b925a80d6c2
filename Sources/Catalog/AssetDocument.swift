import Foundation

/// An asset in the shape of the CLI's `show --json` (DESIGN.md), also served by the JSON API.
public struct AssetDocument: Codable, Sendable, Equatable {
    public struct Camera: Codable, Sendable, Equatable {
        public var make: String?
        public var model: String?
        public var lens: String?
    }
    public struct Exposure: Codable, Sendable, Equatable {
        public var exposureTime: String?
        public var fNumber: Double?
        public var iso: Int?
        public var focalLength: Double?
    }
    public struct GPS: Codable, Sendable, Equatable {
        public var latitude: Double
        public var longitude: Double
        public var altitude: Double?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(latitude, forKey: .latitude)
            try container.encode(longitude, forKey: .longitude)
            try container.encode(altitude, forKey: .altitude)
        }
    }
    public struct Location: Codable, Sendable, Equatable {
        public var city: String?
        public var region: String?
        public var country: String?
    }
    public struct Rendition: Codable, Sendable, Equatable {
        public var preset: String
        public var format: String
        public var width: Int
        public var height: Int
        public var path: String
    }
    public struct ArticleUse: Codable, Sendable, Equatable {
        public var slug: String
        public var position: Int
        public var caption: String?
    }

    public var id: String
    public var sha256: String
    public var paths: [String]
    public var format: String
    public var bytes: Int
    public var width: Int
    public var height: Int
    public var orientation: Int
    public var takenAt: String?
    public var camera: Camera
    public var exposure: Exposure
    public var gps: GPS?
    public var caption: String?
    public var headline: String?
    public var byline: String?
    public var credit: String?
    public var copyright: String?
    public var keywords: [String]
    public var location: Location?
    public var renditions: [Rendition]
    public var articles: [ArticleUse]
    /// The caption revision an edit must be based on.
    public var captionRevision: Int

    enum CodingKeys: String, CodingKey {
        case id, sha256, paths, format, bytes, width, height, orientation, takenAt, camera, exposure, gps
        case caption, headline, byline, credit, copyright, keywords, location, renditions, articles, captionRevision
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(paths, forKey: .paths)
        try container.encode(format, forKey: .format)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(orientation, forKey: .orientation)
        try container.encodeIfPresent(takenAt, forKey: .takenAt)
        try container.encode(camera, forKey: .camera)
        try container.encode(exposure, forKey: .exposure)
        // Objects the file does not have are null; texts it does not have are absent.
        try container.encode(gps, forKey: .gps)
        try container.encodeIfPresent(caption, forKey: .caption)
        try container.encodeIfPresent(headline, forKey: .headline)
        try container.encodeIfPresent(byline, forKey: .byline)
        try container.encodeIfPresent(credit, forKey: .credit)
        try container.encodeIfPresent(copyright, forKey: .copyright)
        try container.encode(keywords, forKey: .keywords)
        try container.encode(location, forKey: .location)
        try container.encode(renditions, forKey: .renditions)
        try container.encode(articles, forKey: .articles)
        try container.encode(captionRevision, forKey: .captionRevision)
    }
}
