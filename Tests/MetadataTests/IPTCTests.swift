import Foundation
import Metadata
import Testing

@Suite("IPTC-IIM")
struct IPTCTests {
    static func sample() -> IPTCValues {
        var values = IPTCValues()
        values.caption = "Bộ trưởng thăm xã Lũng Cú, huyện Đồng Văn"
        values.headline = "Chuyến thăm Hà Giang"
        values.byline = ["Nguyễn Văn An", "Trần Thị Bình"]
        values.credit = "Cổng Thông tin Demo"
        values.source = "Phòng ảnh"
        values.copyrightNotice = "© 2020 Demo"
        values.keywords = ["Hà Giang", "biên giới"]
        values.city = "Đồng Văn"
        values.provinceState = "Hà Giang"
        values.country = "Việt Nam"
        values.objectName = "HG-0918-001"
        values.specialInstructions = "Không dùng trước 20/9"
        values.dateCreated = "2020-09-18"
        return values
    }

    @Test("every field reads back from Photoshop resources, with a matching digest")
    func roundTrip() throws {
        let read = try #require(IPTCReader.read(IPTCWriter.photoshopBlock(Self.sample())))
        var expected = Self.sample()
        expected.declaredCharacterSet = "UTF-8"
        expected.digestMatches = true
        #expect(read == expected)
    }

    @Test("bare IIM without a declared character set: valid UTF-8 is UTF-8")
    func undeclaredUTF8() throws {
        var values = IPTCValues()
        values.caption = "Phiên chợ Đồng Văn"
        let read = try #require(IPTCReader.read(Data(IPTCWriter.iim(values, declareUTF8: false))))
        #expect(read.caption == "Phiên chợ Đồng Văn")
        #expect(read.declaredCharacterSet == nil)
    }

    @Test("without a declared character set, invalid UTF-8 is Windows-1252")
    func windows1252() throws {
        // "Café “Zoë” – 5€" in Windows-1252.
        let latin: [UInt8] = [0x43, 0x61, 0x66, 0xE9, 0x20, 0x93, 0x5A, 0x6F, 0xEB, 0x94, 0x20, 0x96, 0x20, 0x35, 0x80]
        let stream: [UInt8] = [0x1C, 2, 120, 0, UInt8(latin.count)] + latin
        let read = try #require(IPTCReader.read(Data(stream)))
        #expect(read.caption == "Café “Zoë” – 5€")
    }

    @Test("ESC % G declares UTF-8 even when the bytes could be read otherwise")
    func declaredUTF8() throws {
        let text = Array("Lũng Cú".utf8)
        let stream: [UInt8] = [0x1C, 1, 90, 0, 3, 0x1B, 0x25, 0x47, 0x1C, 2, 120, 0, UInt8(text.count)] + text
        let read = try #require(IPTCReader.read(Data(stream)))
        #expect(read.caption == "Lũng Cú")
        #expect(read.declaredCharacterSet == "UTF-8")
    }

    @Test("a stale digest is reported as not matching")
    func staleDigest() throws {
        var block = [UInt8](IPTCWriter.photoshopBlock(Self.sample()))
        block[block.count - 1] ^= 0xFF
        let read = try #require(IPTCReader.read(Data(block)))
        #expect(read.digestMatches == false)
    }

    @Test("extended-length datasets and dates with time zones")
    func extended() throws {
        let caption = Array(String(repeating: "ả", count: 20).utf8)
        var stream: [UInt8] = [0x1C, 2, 120, 0x80, 0x02, 0, UInt8(caption.count)] + caption
        stream += [0x1C, 2, 55, 0, 8] + Array("20200918".utf8)
        stream += [0x1C, 2, 60, 0, 11] + Array("091230+0700".utf8)
        let read = try #require(IPTCReader.read(Data(stream)))
        #expect(read.caption == String(repeating: "ả", count: 20))
        #expect(read.dateCreated == "2020-09-18T09:12:30+07:00")
    }

    @Test(
        "a block cut short anywhere gives nothing or only whole datasets; blocks claiming more than they hold give nothing"
    )
    func hostile() {
        let sample = Self.sample()
        let good = [UInt8](IPTCWriter.photoshopBlock(sample))
        for cut in 0..<good.count {
            guard let read = IPTCReader.read(Data(good.prefix(cut))) else { continue }
            // A dataset cut in two is not read: every value read is one the whole block holds.
            for (field, values) in read.fields {
                #expect(values == Array(sample.fields[field]?.prefix(values.count) ?? []), "cut at \(cut): \(field)")
            }
            #expect(read.objectName == nil || read.objectName == sample.objectName, "cut at \(cut)")
            #expect(read.source == nil || read.source == sample.source, "cut at \(cut)")
        }
        // A dataset claiming 2 GB; an 8BIM resource claiming more than there is; one cut short.
        let giant = IPTCReader.read(Data([0x1C, 2, 120, 0x80, 0x04, 0x7F, 0xFF, 0xFF, 0xFF, 0x41]))
        #expect(giant == nil || giant?.fields.isEmpty == true)
        #expect(
            IPTCReader.read(
                Data(Array("Photoshop 3.0\0".utf8) + Array("8BIM".utf8) + [4, 4, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])) == nil)
        #expect(IPTCReader.read(Data(Array("8BIM".utf8) + [4, 4, 0xFF])) == nil)
    }

    @Test("the sources kept with a photo name IPTC's fields as they always did (show --sources), and read back")
    func sourceDocument() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let document = try #require(
            try JSONSerialization.jsonObject(with: encoder.encode(Self.sample())) as? [String: Any])
        #expect(document["provinceState"] as? String == "Hà Giang")
        #expect(document["copyrightNotice"] as? String == "© 2020 Demo")
        #expect(document["specialInstructions"] as? String == "Không dùng trước 20/9")
        #expect(document["byline"] as? [String] == ["Nguyễn Văn An", "Trần Thị Bình"])
        #expect(document["region"] == nil && document["copyright"] == nil && document["instructions"] == nil)
        #expect(try JSONDecoder().decode(IPTCValues.self, from: encoder.encode(Self.sample())) == Self.sample())
        let empty = try #require(
            try JSONSerialization.jsonObject(with: encoder.encode(IPTCValues())) as? [String: Any])
        #expect(empty["keywords"] as? [String] == [] && empty["byline"] as? [String] == [], "lists always present")
    }
}
