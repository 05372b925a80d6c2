import Foundation
import Metadata
import Testing

@Suite("Hostile metadata values")
struct HostileValueTests {
    static func xmp(latitude: String, longitude: String) -> Data {
        Data(
            """
            <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"
              exif:GPSLatitude="\(latitude)" exif:GPSLongitude="\(longitude)"/>
            </rdf:RDF></x:xmpmeta>
            """.utf8)
    }

    @Test(
        "XMP GPS that is not a finite coordinate on Earth is dropped at read time",
        arguments: [
            "1e999", "-1e999", "nan", "NaN", "inf", "-infinity", "91", "-90.5", "1e999,0N", "95,0N", "-5,30N",
            "12,,30N", "0x1p999", "",
        ])
    func xmpLatitude(_ text: String) throws {
        let values = try XMPReader.read(Self.xmp(latitude: text, longitude: "105,21.732E"))
        #expect(values.latitude == nil)
        #expect(abs((values.longitude ?? 0) - 105.3622) < 1e-4)
        let metadata = MetadataReader.read(exif: nil, iptc: nil, xmp: Self.xmp(latitude: text, longitude: "105.36"))
        #expect(metadata.gps == nil, "a position needs both coordinates")
        #expect(try JSONEncoder().encode(metadata).isEmpty == false, "the metadata always encodes as JSON")
    }

    @Test("XMP longitudes beyond ±180 are dropped; the edges are kept")
    func xmpLongitude() throws {
        #expect(try XMPReader.read(Self.xmp(latitude: "90", longitude: "180.0001")).longitude == nil)
        #expect(try XMPReader.read(Self.xmp(latitude: "90", longitude: "181,0W")).longitude == nil)
        let edges = try XMPReader.read(Self.xmp(latitude: "-90", longitude: "180,0W"))
        #expect(edges.latitude == -90 && edges.longitude == -180)
    }

    @Test("EXIF GPS outside the Earth's ranges or with a zero denominator is dropped")
    func exifGPS() throws {
        func read(latitude: [(UInt32, UInt32)], longitude: [(UInt32, UInt32)], altitude: [(UInt32, UInt32)] = [])
            -> ExifValues?
        {
            let writer = ExifWriter()
            defer { writer.close() }
            writer.setText(.gpsLatitudeRef, "N")
            writer.setRationals(.gpsLatitude, latitude)
            writer.setText(.gpsLongitudeRef, "E")
            writer.setRationals(.gpsLongitude, longitude)
            if !altitude.isEmpty { writer.setRationals(.gpsAltitude, altitude) }
            return ExifReader.read(writer.data())
        }
        let beyond = read(latitude: [(95, 1), (0, 1), (0, 1)], longitude: [(200, 1)])
        let north = try #require(beyond)
        #expect(north.latitude == nil && north.longitude == nil)
        let divided = read(latitude: [(22, 0)], longitude: [(UInt32.max, 1)])
        let zero = try #require(divided)
        #expect(zero.latitude == nil && zero.longitude == nil)
        let above = read(latitude: [(22, 1)], longitude: [(105, 1)], altitude: [(UInt32.max, 1)])
        let high = try #require(above)
        #expect(high.latitude == 22 && high.longitude == 105)
        #expect(high.altitude == nil, "4 294 967 km above the sea is no altitude")
    }

    @Test("EXIF exposure times that are not a time give no text, never a trap")
    func exposure() throws {
        func exposure(_ value: (UInt32, UInt32)) -> String? {
            let writer = ExifWriter()
            defer { writer.close() }
            writer.setRationals(.exposureTime, [value])
            return ExifReader.read(writer.data())?.exposureTime
        }
        #expect(exposure((1, 0)) == nil)
        #expect(exposure((0, 0)) == nil)
        #expect(exposure((UInt32.max, 1)) == "4294967295")
        #expect(exposure((1, UInt32.max)) == "1/4294967295")
        #expect(exposure((1, 125)) == "1/125")
    }

    @Test("writing EXIF from extreme numbers never traps: what does not fit is left out")
    func extremeWrites() throws {
        var values = ExifValues()
        values.fNumber = .nan
        values.focalLength = 1e300
        values.iso = Int.min
        values.orientation = Int.max
        values.latitude = .infinity
        values.longitude = 10
        values.altitude = -.infinity
        let read = try #require(ExifReader.read(ExifWriter.blob(values)))
        #expect(read.fNumber == nil && read.focalLength == nil)
        #expect(read.latitude == nil && read.longitude == nil && read.altitude == nil)
        #expect(read.iso == 0)
    }

    @Test("dates written with digits other than ASCII are not dates")
    func foreignDigits() {
        #expect(ExifDate.iso8601("٢٠٢٠:٠٩:١٨ ٠٩:١٢:٣٠") == nil)
        #expect(ExifDate.iso8601("2020:09:18 09:12:30", subSeconds: "²⁵") == "2020-09-18T09:12:30")
    }

    @Test("control characters never reach an XMP packet; the packet stays well-formed")
    func controlCharacters() throws {
        var values = XMPValues()
        values.description = "Line one\r\nLine\u{0} two\u{1B}[31m\u{7} \u{FFFE}end\ttab"
        values.headline = "\u{1}\u{2}\u{1F}"
        values.creator = ["A\u{8}B"]
        let packet = XMPWriter.packet(values)
        let text = String(decoding: packet, as: UTF8.self)
        #expect(!text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t" && $0 != "\n") || $0.value == 0xFFFE })
        let read = try XMPReader.read(packet)
        #expect(read.description == "Line one\r\nLine two[31m end\ttab")
        #expect(read.headline == nil, "nothing is left of a headline made of controls")
        #expect(read.creator == ["AB"])
    }
}
