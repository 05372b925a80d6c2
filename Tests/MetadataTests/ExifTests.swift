import Foundation
import Metadata
import Testing

@Suite("EXIF")
struct ExifTests {
    static func sample() -> ExifValues {
        var values = ExifValues()
        values.make = "Canon"
        values.model = "Canon EOS 5D Mark IV"
        values.lens = "EF24-70mm f/2.8L II USM"
        values.dateTimeOriginal = "2020:09:18 09:12:30"
        values.offsetTimeOriginal = "+07:00"
        values.subSecTimeOriginal = "25"
        values.exposureTime = "1/125"
        values.fNumber = 4.0
        values.iso = 800
        values.focalLength = 35
        values.orientation = 6
        values.latitude = 22.8233
        values.longitude = 104.9836
        values.altitude = 110.5
        values.artist = "Nguyễn Văn An"
        values.copyright = "© 2020 Báo Demo"
        values.imageDescription = "Đồng Văn, Hà Giang"
        values.userComment = "Ghi chú: ảnh gốc"
        return values
    }

    @Test("every field written with libexif reads back", arguments: [false, true])
    func roundTrip(bigEndian: Bool) throws {
        let blob = ExifWriter.blob(Self.sample(), bigEndian: bigEndian)
        let read = try #require(ExifReader.read(blob))
        #expect(read.make == "Canon")
        #expect(read.model == "Canon EOS 5D Mark IV")
        #expect(read.lens == "EF24-70mm f/2.8L II USM")
        #expect(read.takenAt == "2020-09-18T09:12:30.25+07:00")
        #expect(read.exposureTime == "1/125")
        #expect(read.fNumber == 4.0)
        #expect(read.iso == 800)
        #expect(read.focalLength == 35)
        #expect(read.orientation == 6)
        #expect(abs((read.latitude ?? 0) - 22.8233) < 1e-5)
        #expect(abs((read.longitude ?? 0) - 104.9836) < 1e-5)
        #expect(read.altitude == 110.5)
        #expect(read.artist == "Nguyễn Văn An")
        #expect(read.copyright == "© 2020 Báo Demo")
        #expect(read.imageDescription == "Đồng Văn, Hà Giang")
        #expect(read.userComment == "Ghi chú: ảnh gốc")
    }

    @Test("GPS south and west, altitude below sea level")
    func southWest() throws {
        var values = ExifValues()
        values.latitude = -33.8568
        values.longitude = -70.6483
        values.altitude = -28
        let read = try #require(ExifReader.read(ExifWriter.blob(values)))
        #expect(abs((read.latitude ?? 0) + 33.8568) < 1e-5)
        #expect(abs((read.longitude ?? 0) + 70.6483) < 1e-5)
        #expect(read.altitude == -28)
    }

    @Test("orientation in IFD1 only (the thumbnail's) is ignored")
    func orientationInIFD1() throws {
        let writer = ExifWriter()
        defer { writer.close() }
        writer.setText(.make, "Nikon")
        writer.setShort(ExifTag(.ifd1, 0x0112), [6])
        let read = try #require(ExifReader.read(writer.data()))
        #expect(read.make == "Nikon")
        #expect(read.orientation == nil)
    }

    @Test("a tag in the other main IFD is read (DateTimeOriginal in IFD0, Make in the EXIF IFD), never from IFD1")
    func tagsInTheOtherIFD() throws {
        let writer = ExifWriter()
        defer { writer.close() }
        writer.setText(ExifTag(.ifd0, ExifTag.dateTimeOriginal.number), "2019:05:01 07:30:00")
        writer.setText(ExifTag(.exif, ExifTag.make.number), "Ricoh")
        writer.setText(ExifTag(.ifd1, ExifTag.model.number), "a thumbnail's model")
        let read = try #require(ExifReader.read(writer.data()))
        #expect(read.dateTimeOriginal == "2019:05:01 07:30:00")
        #expect(read.make == "Ricoh")
        #expect(read.model == nil)
        // Its own IFD first: a tag in both is read from where it belongs.
        let both = ExifWriter()
        defer { both.close() }
        both.setText(.dateTimeOriginal, "2020:01:01 00:00:00")
        both.setText(ExifTag(.ifd0, ExifTag.dateTimeOriginal.number), "2019:05:01 07:30:00")
        #expect(try #require(ExifReader.read(both.data())).dateTimeOriginal == "2020:01:01 00:00:00")
    }

    @Test("no value is invented: an EXIF block with only a make has nothing else")
    func nothingInvented() throws {
        var values = ExifValues()
        values.make = "Fujifilm"
        let read = try #require(ExifReader.read(ExifWriter.blob(values)))
        var expected = ExifValues()
        expected.make = "Fujifilm"
        #expect(read == expected)
    }

    @Test("blank text is no value; a date of zeros is no date")
    func blanks() throws {
        var values = ExifValues()
        values.artist = "   "
        values.dateTimeOriginal = "0000:00:00 00:00:00"
        let read = try #require(ExifReader.read(ExifWriter.blob(values)))
        #expect(read.artist == nil)
        #expect(read.takenAt == nil)
    }

    /// Whether every value `read` has is the value `full` has (JSON encodings compared key by key).
    static func isPart(_ read: ExifValues?, of full: ExifValues) throws -> Bool {
        guard let read else { return true }
        let encoder = JSONEncoder()
        let part = try #require(try JSONSerialization.jsonObject(with: encoder.encode(read)) as? [String: Any])
        let whole = try #require(try JSONSerialization.jsonObject(with: encoder.encode(full)) as? [String: Any])
        return part.allSatisfy { key, value in (whole[key] as? NSObject)?.isEqual(value) == true }
    }

    @Test("a block cut short anywhere, or pointing past its end, gives nothing or only what the whole block says")
    func garbage() throws {
        let whole = ExifWriter.blob(Self.sample())
        let full = try #require(ExifReader.read(whole))
        for cut in 0..<whole.count {
            #expect(try Self.isPart(ExifReader.read(whole.prefix(cut)), of: full), "cut at \(cut) of \(whole.count)")
        }
        // A header and nothing else; IFD0 at an offset past the end; IFD0 claiming 65,535 entries
        // with none there; one entry whose value lies past the end.
        let header = Data("Exif\0\0II*\0".utf8)
        let empty = ExifValues()
        for (label, blob) in [
            ("header only", header + Data([8, 0, 0, 0])),
            ("offset past the end", header + Data([0xF0, 0xFF, 0xFF, 0x7F])),
            ("65,535 entries", header + Data([8, 0, 0, 0, 0xFF, 0xFF])),
            ("value past the end", header + Data([8, 0, 0, 0, 1, 0, 0x0F, 0x01, 2, 0, 0xFF, 0, 0, 0, 0xF0, 0, 0, 0])),
        ] {
            let read = ExifReader.read(blob)
            #expect(read == nil || read == empty, "\(label): \(String(describing: read))")
        }
    }
}
