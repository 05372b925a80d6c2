import PhotoModel

/// One photo's metadata, reconciled from EXIF, IPTC, XMP and a sidecar.
public struct PhotoMetadata: Codable, Sendable, Equatable {
    /// Where the photo was taken, by name.
    public struct Location: Codable, Sendable, Equatable {
        public var city: String?
        public var region: String?
        public var country: String?
        /// The sublocation (a place within the city).
        public var sublocation: String?

        /// Whether no part is known.
        public var isEmpty: Bool { city == nil && region == nil && country == nil && sublocation == nil }
    }

    /// The raw values of each source, kept for `show --sources`.
    public struct Sources: Codable, Sendable, Equatable {
        public var exif: ExifValues?
        public var iptc: IPTCValues?
        public var xmp: XMPValues?
        public var sidecar: XMPValues?
        /// Problems met while reading (a malformed packet, say): reported, never fatal.
        public var warnings: [String] = []

        /// No sources.
        public init() {}
    }

    /// EXIF orientation, 1 to 8.
    public var orientation: Int = 1
    /// ISO 8601 taking date, with the offset when the file gives one.
    public var takenAt: String?
    public var camera = Camera()
    public var exposure = Exposure()
    public var gps: GPS?
    public var caption: String?
    public var headline: String?
    /// The creators, in order.
    public var creators: [String] = []
    public var credit: String?
    public var source: String?
    public var copyright: String?
    public var keywords: [String] = []
    public var location = Location()
    public var objectName: String?
    public var instructions: String?
    public var sources = Sources()

    /// The byline as one text: the creators joined by commas.
    public var byline: String? { creators.isEmpty ? nil : creators.joined(separator: ", ") }

    /// No values.
    public init() {}
}
