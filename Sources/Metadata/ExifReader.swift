import CImaging
import Foundation
import PhotoModel

/// What a photo's EXIF says, each value read from its own IFD.
public struct ExifValues: Codable, Sendable, Equatable {
    public var make: String?
    public var model: String?
    public var lens: String?
    /// DateTimeOriginal as written ("2020:09:18 09:12:30").
    public var dateTimeOriginal: String?
    /// OffsetTimeOriginal ("+07:00").
    public var offsetTimeOriginal: String?
    /// SubSecTimeOriginal ("25").
    public var subSecTimeOriginal: String?
    /// Exposure time as a fraction ("1/125").
    public var exposureTime: String?
    public var fNumber: Double?
    public var iso: Int?
    public var focalLength: Double?
    /// Orientation from IFD0 only (never the thumbnail's IFD1).
    public var orientation: Int?
    /// Signed decimal degrees, negative for south.
    public var latitude: Double?
    /// Signed decimal degrees, negative for west.
    public var longitude: Double?
    /// Metres, negative below sea level.
    public var altitude: Double?
    public var artist: String?
    public var copyright: String?
    public var imageDescription: String?
    public var userComment: String?

    /// No values.
    public init() {}

    /// One of the text tags MWG reconciles (`ExifText`).
    public subscript(text: ExifText) -> String? {
        get {
            switch text {
            case .imageDescription: imageDescription
            case .artist: artist
            case .copyright: copyright
            }
        }
        set {
            switch text {
            case .imageDescription: imageDescription = newValue
            case .artist: artist = newValue
            case .copyright: copyright = newValue
            }
        }
    }

    /// The taking date as ISO 8601, with sub-seconds and the offset when the file gives them.
    public var takenAt: String? {
        guard let raw = dateTimeOriginal else { return nil }
        return ExifDate.iso8601(raw, subSeconds: subSecTimeOriginal, offset: offsetTimeOriginal)
    }
}

/// Reads EXIF blobs (as libvips hands them over) through libexif.
public enum ExifReader {
    /// Parses an EXIF blob. Returns nil when libexif finds nothing in it.
    public static func read(_ blob: Data) -> ExifValues? {
        let normalised = withExifHeader(blob)
        guard let exif = normalised.withUnsafeBytes({ pd_exif_load($0.baseAddress, $0.count) }) else { return nil }
        defer { pd_exif_free(exif) }
        let entries = ExifEntries(exif: exif)
        var values = ExifValues()
        values.make = entries.text(.make)
        values.model = entries.text(.model)
        values.lens = entries.text(.lensModel)
        values.dateTimeOriginal = entries.text(.dateTimeOriginal)
        values.offsetTimeOriginal = entries.text(.offsetTimeOriginal)
        values.subSecTimeOriginal = entries.text(.subSecTimeOriginal)
        if let (numerator, denominator) = entries.rationals(.exposureTime).first {
            values.exposureTime = ExifReader.exposureText(numerator: numerator, denominator: denominator)
        }
        values.fNumber = entries.decimal(.fNumber)
        values.iso = entries.integers(.isoSpeed).first
        values.focalLength = entries.decimal(.focalLength)
        if let orientation = entries.integers(.orientation).first, (1...8).contains(orientation) {
            values.orientation = orientation
        }
        values.latitude = entries.coordinate(.gpsLatitude, reference: .gpsLatitudeRef, negative: "S").flatMap(
            GPS.latitude)
        values.longitude = entries.coordinate(.gpsLongitude, reference: .gpsLongitudeRef, negative: "W").flatMap(
            GPS.longitude)
        if let altitude = entries.decimal(.gpsAltitude), altitude >= 0 {
            let below = entries.integers(.gpsAltitudeRef).first == 1
            values.altitude = GPS.altitude(below ? -altitude : altitude)
        }
        values.artist = entries.text(.artist)
        values.copyright = entries.copyright()
        values.imageDescription = entries.text(.imageDescription)
        values.userComment = entries.userComment()
        return values
    }

    /// libexif wants "Exif\0\0" first. WebP and TIFF give the TIFF structure bare; HEIF puts a
    /// 4-byte offset before it (ISO/IEC 23008-12, A.2.1).
    static func withExifHeader(_ blob: Data) -> Data {
        let header = Data("Exif\0\0".utf8)
        if blob.starts(with: header) { return blob }
        let window = blob.prefix(64)
        if let range = window.range(of: header) { return blob[range.lowerBound...] }
        for tiff in [Data([0x49, 0x49, 0x2A, 0x00]), Data([0x4D, 0x4D, 0x00, 0x2A])] {
            if let range = window.range(of: tiff) { return header + blob[range.lowerBound...] }
        }
        return blob
    }

    /// "1/125", "2" or "0.8"; nil unless the time is a finite number of seconds, 0 or more.
    static func exposureText(numerator: Double, denominator: Double) -> String? {
        let seconds = numerator / denominator
        guard seconds.isFinite, seconds >= 0 else { return nil }
        if seconds >= 1 || numerator == 0 {
            return seconds == seconds.rounded() ? String(format: "%.0f", seconds) : String(format: "%g", seconds)
        }
        return String(format: "1/%.0f", (1 / seconds).rounded())
    }
}

/// Typed access to the entries of one parsed EXIF block.
struct ExifEntries {
    let exif: OpaquePointer

    /// A tag's entry in its own IFD; failing that, for a tag of IFD0 or the EXIF IFD, in the other
    /// of the two, where some cameras and programs put it (DateTimeOriginal in IFD0), as ExifTool
    /// reads it. Never from IFD1, the thumbnail's.
    private func raw(_ tag: ExifTag) -> (type: ExifFieldType, count: Int, bytes: UnsafeBufferPointer<UInt8>)? {
        if let found = raw(tag.number, in: tag.directory) { return found }
        switch tag.directory {
        case .ifd0: return raw(tag.number, in: .exif)
        case .exif: return raw(tag.number, in: .ifd0)
        default: return nil
        }
    }

    private func raw(_ number: Int32, in directory: ExifTag.Directory) -> (
        type: ExifFieldType, count: Int, bytes: UnsafeBufferPointer<UInt8>
    )? {
        var format: Int32 = 0
        var components: UInt = 0
        var data: UnsafePointer<UInt8>?
        var size: UInt32 = 0
        guard pd_exif_entry(exif, directory.rawValue, number, &format, &components, &data, &size) == 0,
            let data, let type = ExifFieldType(rawValue: format)
        else { return nil }
        return (type, Int(clamping: components), UnsafeBufferPointer(start: data, count: Int(size)))
    }

    private var bigEndian: Bool { pd_exif_big_endian(exif) != 0 }

    private func unsigned(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, width: Int) -> UInt64? {
        guard offset >= 0, offset + width <= bytes.count else { return nil }
        var value: UInt64 = 0
        for index in 0..<width {
            let byte = UInt64(bytes[offset + (bigEndian ? index : width - 1 - index)])
            value = value << 8 | byte
        }
        return value
    }

    /// An ASCII entry as text: up to the first NUL, trimmed; blank is no value.
    func text(_ tag: ExifTag) -> String? {
        guard let entry = raw(tag), entry.type == .ascii || entry.type == .undefined || entry.type == .byte else {
            return nil
        }
        let bytes = Array(entry.bytes.prefix { $0 != 0 })
        return TextDecoding.nonBlank(TextDecoding.decodeUnlabelled(bytes))
    }

    /// Copyright holds photographer and editor parts separated by NUL (EXIF 2.32, 4.6.5).
    func copyright() -> String? {
        guard let entry = raw(.copyright), entry.type == .ascii else { return nil }
        let parts = entry.bytes.split(separator: 0).compactMap {
            TextDecoding.nonBlank(TextDecoding.decodeUnlabelled(Array($0)))
        }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// UserComment: an 8-byte character code, then the text (EXIF 2.32, 4.6.5, table 9).
    func userComment() -> String? {
        guard let entry = raw(.userComment), entry.bytes.count >= 8 else { return nil }
        let code = String(decoding: entry.bytes.prefix(8).prefix { $0 != 0 }, as: UTF8.self)
        let body = Array(entry.bytes.dropFirst(8))
        let text: String?
        switch code {
        case "ASCII": text = String(decoding: body.prefix { $0 != 0 }, as: UTF8.self)
        case "UNICODE":
            var units: [UInt16] = []
            var index = 0
            while index + 1 < body.count {
                let pair =
                    bigEndian
                    ? (UInt16(body[index]) << 8 | UInt16(body[index + 1]))
                    : (UInt16(body[index + 1]) << 8 | UInt16(body[index]))
                if pair == 0 { break }
                units.append(pair)
                index += 2
            }
            text = String(decoding: units, as: UTF16.self)
        case "JIS": text = nil
        default: text = TextDecoding.decodeUnlabelled(Array(body.prefix { $0 != 0 }))
        }
        return text.flatMap(TextDecoding.nonBlank)
    }

    /// Unsigned or signed integers of a BYTE, SHORT or LONG entry.
    func integers(_ tag: ExifTag) -> [Int] {
        guard let entry = raw(tag) else { return [] }
        let width: Int
        switch entry.type {
        case .byte, .signedByte, .undefined: width = 1
        case .short, .signedShort: width = 2
        case .long, .signedLong: width = 4
        default: return []
        }
        return (0..<min(entry.count, entry.bytes.count / width)).compactMap { index in
            guard let value = unsigned(entry.bytes, at: index * width, width: width) else { return nil }
            switch entry.type {
            case .signedByte: return Int(Int8(truncatingIfNeeded: value))
            case .signedShort: return Int(Int16(truncatingIfNeeded: value))
            case .signedLong: return Int(Int32(truncatingIfNeeded: value))
            default: return Int(value)
            }
        }
    }

    /// Rational or signed rational pairs.
    func rationals(_ tag: ExifTag) -> [(Double, Double)] {
        guard let entry = raw(tag), entry.type == .rational || entry.type == .signedRational else { return [] }
        return (0..<min(entry.count, entry.bytes.count / 8)).compactMap { index in
            guard let top = unsigned(entry.bytes, at: index * 8, width: 4),
                let bottom = unsigned(entry.bytes, at: index * 8 + 4, width: 4)
            else { return nil }
            if entry.type == .signedRational {
                return (Double(Int32(truncatingIfNeeded: top)), Double(Int32(truncatingIfNeeded: bottom)))
            }
            return (Double(top), Double(bottom))
        }
    }

    /// The first rational as a decimal number; nil when absent or its denominator is zero.
    func decimal(_ tag: ExifTag) -> Double? {
        guard let (top, bottom) = rationals(tag).first, bottom != 0, (top / bottom).isFinite else { return nil }
        return top / bottom
    }

    /// Degrees, minutes and seconds with their N/S/E/W reference, as signed decimal degrees; nil
    /// when a part is negative or not a number.
    func coordinate(_ tag: ExifTag, reference: ExifTag, negative: String) -> Double? {
        let parts = rationals(tag)
        guard !parts.isEmpty, parts.allSatisfy({ $0.1 != 0 }) else { return nil }
        let values = parts.map { $0.0 / $0.1 }
        guard values.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return nil }
        var degrees = values[0]
        if values.count > 1 { degrees += values[1] / 60 }
        if values.count > 2 { degrees += values[2] / 3600 }
        guard degrees.isFinite, degrees <= 180 else { return nil }
        let ref = text(reference)?.uppercased()
        return ref == negative ? -degrees : degrees
    }
}

/// EXIF and IPTC date texts as ISO 8601.
public enum ExifDate {
    /// "2020:09:18 09:12:30" with sub-seconds "25" and offset "+07:00" becomes
    /// "2020-09-18T09:12:30.25+07:00". Returns nil when the text is not a date.
    public static func iso8601(_ raw: String, subSeconds: String? = nil, offset: String? = nil) -> String? {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.filter { $0.isASCII && $0.isNumber }
        guard digits.count >= 14, !digits.hasPrefix("0000") else { return nil }
        let chars = Array(digits)
        func part(_ from: Int, _ to: Int) -> String { String(chars[from..<to]) }
        var text = "\(part(0, 4))-\(part(4, 6))-\(part(6, 8))T\(part(8, 10)):\(part(10, 12)):\(part(12, 14))"
        if let subSeconds, let fraction = Optional(subSeconds.trimmingCharacters(in: .whitespaces)),
            !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber })
        {
            text += ".\(fraction)"
        }
        if let offset = offset?.trimmingCharacters(in: .whitespaces),
            offset.range(of: #"^[+-]\d\d:\d\d$"#, options: .regularExpression) != nil
        {
            text += offset
        }
        return text
    }
}
