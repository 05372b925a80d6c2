import Foundation

/// The camera a photo was taken with, as its metadata names it.
public struct Camera: Codable, Sendable, Equatable, Hashable {
    public var make: String?
    public var model: String?
    public var lens: String?

    /// Makes a camera description.
    public init(make: String? = nil, model: String? = nil, lens: String? = nil) {
        self.make = make
        self.model = model
        self.lens = lens
    }

    /// Whether nothing is known.
    public var isEmpty: Bool { make == nil && model == nil && lens == nil }
}

/// The exposure settings of a photo.
public struct Exposure: Codable, Sendable, Equatable, Hashable {
    /// Exposure time as a fraction ("1/125").
    public var exposureTime: String?
    public var fNumber: Double?
    public var iso: Int?
    /// Millimetres.
    public var focalLength: Double?

    /// Makes exposure settings.
    public init(exposureTime: String? = nil, fNumber: Double? = nil, iso: Int? = nil, focalLength: Double? = nil) {
        self.exposureTime = exposureTime
        self.fNumber = fNumber.flatMap { $0.isFinite ? $0 : nil }
        self.iso = iso
        self.focalLength = focalLength.flatMap { $0.isFinite ? $0 : nil }
    }
}

/// A position on Earth in signed decimal degrees (negative south and west) and metres.
public struct GPS: Codable, Sendable, Equatable, Hashable {
    public var latitude: Double
    public var longitude: Double
    /// Metres above sea level; negative below.
    public var altitude: Double?

    /// A position, or nil when the values are not finite or out of range (latitude beyond ±90,
    /// longitude beyond ±180): a file's bad values are dropped, never stored.
    public init?(latitude: Double, longitude: Double, altitude: Double? = nil) {
        guard let latitude = GPS.latitude(latitude), let longitude = GPS.longitude(longitude) else { return nil }
        self.latitude = latitude
        self.longitude = longitude
        self.altitude = altitude.flatMap(GPS.altitude)
    }

    /// A latitude a file gives, when it is one: finite and within ±90 degrees.
    public static func latitude(_ degrees: Double) -> Double? {
        degrees.isFinite && abs(degrees) <= 90 ? degrees : nil
    }

    /// A longitude a file gives, when it is one: finite and within ±180 degrees.
    public static func longitude(_ degrees: Double) -> Double? {
        degrees.isFinite && abs(degrees) <= 180 ? degrees : nil
    }

    /// An altitude a file gives, when it is one: finite and within 1000 km of sea level.
    public static func altitude(_ metres: Double) -> Double? {
        metres.isFinite && abs(metres) <= 1_000_000 ? metres : nil
    }

    /// The position rounded to `places` decimal places (0.1 degree is about 11 km: a city).
    public func rounded(places: Int) -> GPS {
        let scale = pow10(places)
        return GPS(
            latitude: (latitude * scale).rounded() / scale, longitude: (longitude * scale).rounded() / scale,
            altitude: nil) ?? self
    }

    private func pow10(_ places: Int) -> Double {
        var value = 1.0
        for _ in 0..<max(0, min(places, 9)) { value *= 10 }
        return value
    }

    enum CodingKeys: String, CodingKey { case latitude, longitude, altitude }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let latitude = try container.decode(Double.self, forKey: .latitude)
        let longitude = try container.decode(Double.self, forKey: .longitude)
        guard
            let position = GPS(
                latitude: latitude, longitude: longitude,
                altitude: try container.decodeIfPresent(Double.self, forKey: .altitude))
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .latitude, in: container, debugDescription: "latitude or longitude out of range")
        }
        self = position
    }

    /// Altitude is written as null when unknown, so every position has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(latitude, forKey: .latitude)
        try container.encode(longitude, forKey: .longitude)
        try container.encode(altitude, forKey: .altitude)
    }
}
