import Foundation
import Metadata
import Testing

@Suite("XMP")
struct XMPTests {
    static let elementForm = """
        <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
        <x:xmpmeta xmlns:x="adobe:ns:meta/">
         <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
          <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
              xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/">
           <dc:description><rdf:Alt>
             <rdf:li xml:lang="en">Market day in Dong Van</rdf:li>
             <rdf:li xml:lang="x-default">Phiên chợ Đồng Văn</rdf:li>
           </rdf:Alt></dc:description>
           <dc:creator><rdf:Seq><rdf:li>Trần Thị Bình</rdf:li><rdf:li>Lê Minh Châu</rdf:li></rdf:Seq></dc:creator>
           <dc:subject><rdf:Bag><rdf:li>chợ phiên</rdf:li><rdf:li>Hà Giang</rdf:li></rdf:Bag></dc:subject>
           <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© 2020 Demo &amp; Co</rdf:li></rdf:Alt></dc:rights>
           <photoshop:Headline>Chợ phiên</photoshop:Headline>
           <exif:GPSLatitude>23,16.722N</exif:GPSLatitude>
           <exif:GPSLongitude>105,21.732W</exif:GPSLongitude>
          </rdf:Description>
         </rdf:RDF>
        </x:xmpmeta>
        <?xpacket end="w"?>
        """

    static let attributeForm = """
        <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
        <rdf:Description rdf:about="" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
          xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
          photoshop:Credit="Cổng Thông tin Demo" photoshop:City="Mèo Vạc" photoshop:State="Hà Giang"
          photoshop:Country="Việt Nam" photoshop:DateCreated="2020-09-19T16:55:00+07:00"
          tiff:Orientation="8" tiff:Make="Sony" Iptc4xmpCore:Location="Mã Pí Lèng"/>
        </rdf:RDF></x:xmpmeta>
        """

    @Test("element form: language alternatives (x-default first), Seq, Bag, GPS")
    func elements() throws {
        let values = try XMPReader.read(Data(Self.elementForm.utf8))
        #expect(values.description == "Phiên chợ Đồng Văn")
        #expect(values.creator == ["Trần Thị Bình", "Lê Minh Châu"])
        #expect(values.subject == ["chợ phiên", "Hà Giang"])
        #expect(values.rights == "© 2020 Demo & Co")
        #expect(values.headline == "Chợ phiên")
        #expect(abs((values.latitude ?? 0) - 23.2787) < 1e-4)
        #expect(abs((values.longitude ?? 0) + 105.3622) < 1e-4)
    }

    @Test("attribute form")
    func attributes() throws {
        let values = try XMPReader.read(Data(Self.attributeForm.utf8))
        #expect(values.credit == "Cổng Thông tin Demo")
        #expect(values.city == "Mèo Vạc")
        #expect(values.state == "Hà Giang")
        #expect(values.country == "Việt Nam")
        #expect(values.dateCreated == "2020-09-19T16:55:00+07:00")
        #expect(values.orientation == 8)
        #expect(values.make == "Sony")
        #expect(values.location == "Mã Pí Lèng")
    }

    @Test("UTF-16 packets, big- and little-endian, with and without BOM", arguments: [true, false])
    func utf16(bigEndian: Bool) throws {
        let units = Array(Self.elementForm.utf16)
        for bom in [true, false] {
            var bytes: [UInt8] = bom ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
            for unit in units {
                bytes += bigEndian ? [UInt8(unit >> 8), UInt8(unit & 0xFF)] : [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            }
            let values = try XMPReader.read(Data(bytes))
            #expect(values.description == "Phiên chợ Đồng Văn")
        }
    }

    @Test("a written packet reads back the same")
    func roundTrip() throws {
        var values = XMPValues()
        values.description = "Cột cờ Lũng Cú <cực Bắc> & \"Tổ quốc\""
        values.title = "HG-001"
        values.creator = ["Nguyễn Văn An"]
        values.rights = "© 2020"
        values.subject = ["Lũng Cú", "cột cờ"]
        values.headline = "Cực Bắc"
        values.credit = "Demo"
        values.source = "Phòng ảnh"
        values.instructions = "Embargo"
        values.city = "Đồng Văn"
        values.state = "Hà Giang"
        values.country = "Việt Nam"
        values.location = "Núi Rồng"
        values.dateCreated = "2020-09-18T10:02:11+07:00"
        values.orientation = 6
        values.make = "Canon"
        values.model = "EOS R5"
        #expect(try XMPReader.read(XMPWriter.packet(values)) == values)
    }

    @Test("processing instructions without data, found by the fuzzer, do not crash the parser")
    func processingInstructions() throws {
        // libFuzzer's finding: XMLParser took strlen(NULL) for <?target?>.
        for packet in [
            "<?xpo10646uc?>\n<ExifJJJJJJJ*", "<?pi?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>", "<?unterminated",
        ] {
            #expect(throws: XMPParseError.self) { try XMPReader.read(Data(packet.utf8)) }
        }
        let wrapped = "<?xml version=\"1.0\"?><?pi?>" + Self.attributeForm + "<?xpacket end=\"w\"?>"
        #expect(try XMPReader.read(Data(wrapped.utf8)).credit == "Cổng Thông tin Demo")
    }

    @Test("a malformed packet is an error to skip, not a crash")
    func malformed() {
        #expect(throws: XMPParseError.self) { try XMPReader.read(Data("<x:xmpmeta><rdf:RDF".utf8)) }
        #expect(throws: XMPParseError.self) { try XMPReader.read(Data("<a/>".utf8)) }
        #expect(throws: XMPParseError.self) { try XMPReader.read(Data([0xFF, 0x00, 0x41])) }
        let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        #expect(throws: XMPParseError.self) { try XMPReader.read(Data(deep.utf8)) }
    }

    @Test("the sources kept with a photo name XMP's fields as they always did (show --sources), and read back")
    func sourceDocument() throws {
        let read = try XMPReader.read(Data(Self.elementForm.utf8))
        let document = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(read)) as? [String: Any])
        #expect(document["description"] as? String == "Phiên chợ Đồng Văn")
        #expect(document["creator"] as? [String] == ["Trần Thị Bình", "Lê Minh Châu"])
        #expect(document["subject"] as? [String] == ["chợ phiên", "Hà Giang"])
        #expect(document["rights"] as? String == "© 2020 Demo & Co")
        #expect(document["headline"] as? String == "Chợ phiên")
        #expect(document["caption"] == nil && document["byline"] == nil && document["keywords"] == nil)
        #expect(try JSONDecoder().decode(XMPValues.self, from: JSONEncoder().encode(read)) == read)
        let state = try XMPReader.read(Data(Self.attributeForm.utf8))
        let attributes = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(state)) as? [String: Any])
        #expect(attributes["state"] as? String == "Hà Giang" && attributes["region"] == nil)
    }
}
