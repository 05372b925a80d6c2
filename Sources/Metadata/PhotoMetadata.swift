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
    /// The caption fields, reconciled field by field from where the schema says each lives
    /// (`CaptionField.metadata`); the byline is the creators joined by commas.
    public var fields = CaptionFields()
    /// Each field's values as the metadata held them (several for a list, or for a byline of
    /// several creators), before they were joined into `fields`.
    public var values: [CaptionField: [String]] = [:]
    public var objectName: String?
    /// The sublocation (a place within the city), which is not a caption field.
    public var sublocation: String?
    public var sources = Sources()

    /// No values.
    public init() {}

    public var caption: String? { fields.caption }
    public var headline: String? { fields.headline }
    public var credit: String? { fields.credit }
    public var copyright: String? { fields.copyright }
    public var instructions: String? { fields.instructions }
    public var source: String? { fields[.source] }
    public var keywords: [String] { fields.keywords }
    /// The byline as one text: the creators joined by commas.
    public var byline: String? { fields.byline }
    /// The creators, in order (the byline's parts).
    public var creators: [String] { values[.byline] ?? [] }

    /// Where the photo was taken, by name.
    public var location: Location {
        Location(city: fields.city, region: fields.region, country: fields.country, sublocation: sublocation)
    }
}
