import CImaging
import Foundation
import PhotoModel

/// Builds EXIF blobs with libexif, each tag in its own IFD.
public struct ExifWriter {
    private let exif: OpaquePointer
    private let bigEndian: Bool

    /// An empty EXIF block in the given byte order.
    public init(bigEndian: Bool = false) {
        guard let exif = pd_exif_new(bigEndian ? 1 : 0) else { fatalError("libexif cannot allocate an EXIF block") }
        self.exif = exif
        self.bigEndian = bigEndian
    }

    /// Sets an ASCII tag (NUL-terminated, UTF-8 as MWG recommends).
    public func setText(_ tag: ExifTag, _ text: String) {
        var bytes = Array(text.utf8)
        bytes.append(0)
        set(tag, .ascii, count: bytes.count, bytes)
    }

    /// Sets SHORT values.
    public func setShort(_ tag: ExifTag, _ values: [UInt16]) {
        set(tag, .short, count: values.count, values.flatMap { encode(UInt64($0), width: 2) })
    }

    /// Sets BYTE values.
    public func setBytes(_ tag: ExifTag, _ values: [UInt8]) {
        set(tag, .byte, count: values.count, values)
    }

    /// Sets RATIONAL values, each a numerator and a denominator.
    public func setRationals(_ tag: ExifTag, _ values: [(UInt32, UInt32)]) {
        set(
            tag, .rational, count: values.count,
            values.flatMap { encode(UInt64($0.0), width: 4) + encode(UInt64($0.1), width: 4) })
    }

    /// Sets UNDEFINED bytes (UserComment with its character code, say).
    public func setUndefined(_ tag: ExifTag, _ bytes: [UInt8]) {
        set(tag, .undefined, count: bytes.count, bytes)
    }

    /// The blob, "Exif\0\0" first, as libvips embeds it.
    public func data() -> Data {
        var bytes: UnsafeMutablePointer<UInt8>?
        var length: UInt32 = 0
        guard pd_exif_save(exif, &bytes, &length) == 0, let bytes else { return Data() }
        defer { pd_free(bytes) }
        return Data(bytes: bytes, count: Int(length))
    }

    /// Frees the libexif block. The writer must not be used afterwards.
    public func close() { pd_exif_free(exif) }

    /// Writes every value that is set, as a camera would.
    public static func blob(_ values: ExifValues, bigEndian: Bool = false) -> Data {
        let writer = ExifWriter(bigEndian: bigEndian)
        defer { writer.close() }
        if let make = values.make { writer.setText(.make, make) }
        if let model = values.model { writer.setText(.model, model) }
        if let lens = values.lens { writer.setText(.lensModel, lens) }
        if let orientation = values.orientation { writer.setShort(.orientation, [UInt16(clamping: orientation)]) }
        if let date = values.dateTimeOriginal { writer.setText(.dateTimeOriginal, date) }
        if let offset = values.offsetTimeOriginal { writer.setText(.offsetTimeOriginal, offset) }
        if let subSeconds = values.subSecTimeOriginal { writer.setText(.subSecTimeOriginal, subSeconds) }
        if let exposure = values.exposureTime {
            let parts = exposure.split(separator: "/").compactMap { UInt32($0) }
            if parts.count == 2 {
                writer.setRationals(.exposureTime, [(parts[0], parts[1])])
            } else if parts.count == 1 {
                writer.setRationals(.exposureTime, [(parts[0], 1)])
            }
        }
        if let tenths = values.fNumber.flatMap({ unsigned($0 * 10) }) { writer.setRationals(.fNumber, [(tenths, 10)]) }
        if let iso = values.iso { writer.setShort(.isoSpeed, [UInt16(clamping: iso)]) }
        if let tenths = values.focalLength.flatMap({ unsigned($0 * 10) }) {
            writer.setRationals(.focalLength, [(tenths, 10)])
        }
        if let latitude = values.latitude.flatMap(GPS.latitude),
            let longitude = values.longitude.flatMap(GPS.longitude)
        {
            writer.setBytes(.gpsVersion, [2, 3, 0, 0])
            writer.setText(.gpsLatitudeRef, latitude < 0 ? "S" : "N")
            writer.setRationals(.gpsLatitude, dms(abs(latitude)))
            writer.setText(.gpsLongitudeRef, longitude < 0 ? "W" : "E")
            writer.setRationals(.gpsLongitude, dms(abs(longitude)))
        }
        if let altitude = values.altitude, let centimetres = unsigned(abs(altitude) * 100) {
            writer.setBytes(.gpsAltitudeRef, [altitude < 0 ? 1 : 0])
            writer.setRationals(.gpsAltitude, [(centimetres, 100)])
        }
        if let artist = values.artist { writer.setText(.artist, artist) }
        if let copyright = values.copyright { writer.setText(.copyright, copyright) }
        if let description = values.imageDescription { writer.setText(.imageDescription, description) }
        if let comment = values.userComment {
            writer.setUndefined(
                .userComment,
                Array("UNICODE\0".utf8)
                    + Array(comment.utf16).flatMap {
                        bigEndian ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0 & 0xFF), UInt8($0 >> 8)]
                    })
        }
        return writer.data()
    }

    /// Degrees (0 to 180) as degrees, minutes and hundredths of seconds.
    static func dms(_ degrees: Double) -> [(UInt32, UInt32)] {
        let whole = degrees.rounded(.down)
        let minutes = ((degrees - whole) * 60).rounded(.down)
        let seconds = ((degrees - whole) * 60 - minutes) * 60
        return [(unsigned(whole) ?? 0, 1), (unsigned(minutes) ?? 0, 1), (unsigned(seconds * 100) ?? 0, 100)]
    }

    /// A value rounded to a RATIONAL's 32-bit numerator, or nil when it does not fit (negative,
    /// too large, not a number).
    static func unsigned(_ value: Double) -> UInt32? {
        UInt32(exactly: value.rounded())
    }

    private func encode(_ value: UInt64, width: Int) -> [UInt8] {
        let little = (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
        return bigEndian ? little.reversed() : little
    }

    private func set(_ tag: ExifTag, _ type: ExifFieldType, count: Int, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes {
            pd_exif_set(
                exif, tag.directory.rawValue, tag.number, type.rawValue, UInt(clamping: count), $0.baseAddress,
                UInt32(clamping: $0.count))
        }
    }
}
