import Foundation
import Imaging
import Metadata
import PhotoFactory
import PhotoModel
import Testing

/// The rights fields (source, usage terms, web statement, job identifier, digital source type)
/// as ExifTool writes them into a file, read by Photodesk and held to what ExifTool reads back.
@Suite("Rights fields against ExifTool")
struct RightsFieldTests {
    /// ExifTool's own tag names for each rights field, in IPTC-IIM and in XMP.
    static let tags: [(field: CaptionField, iptc: String?, xmp: String)] = [
        (.source, "IPTC:Source", "XMP-photoshop:Source"),
        (.jobIdentifier, "IPTC:OriginalTransmissionReference", "XMP-photoshop:TransmissionReference"),
        (.usageTerms, nil, "XMP-xmpRights:UsageTerms"),
        (.webStatement, nil, "XMP-xmpRights:WebStatement"),
        (.digitalSourceType, nil, "XMP-iptcExt:DigitalSourceType"),
    ]

    /// Runs ExifTool; its standard output.
    static func exiftool(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/exiftool")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "exiftool \(arguments.joined(separator: " "))")
        return data
    }

    /// What ExifTool reads, by `group:tag`.
    static func read(_ path: String) throws -> [String: String] {
        let data = try exiftool(["-j", "-G1", "-charset", "iptc=UTF8", path])
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        // A list's items joined by ", ", as ExifTool prints them.
        return (list.first ?? [:]).mapValues { value in
            (value as? [Any]).map { $0.map { "\($0)" }.joined(separator: ", ") } ?? "\(value)"
        }
    }

    @Test("each rights field written by ExifTool, in IPTC and XMP or in XMP alone, reads as ExifTool reads it")
    func againstExifTool() throws {
        let folder = try TemporaryFolder()
        let values: [CaptionField: String] = [
            .source: "Thông tấn xã Việt Nam",
            .jobIdentifier: "HN-2026-1207",
            .usageTerms: "EDITORIAL USE ONLY. NO ARCHIVE. MANDATORY CREDIT",
            .webStatement: "https://example.org/rights/vna",
            .digitalSourceType: "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
        ]
        #expect(Set(values.keys) == Set(Self.tags.map(\.field)))
        for withIPTC in [true, false] {
            let path = folder.file(withIPTC ? "both.jpg" : "xmp.jpg")
            try SyntheticPhoto(width: 64, height: 48).write(to: path)
            var arguments = ["-q", "-overwrite_original", "-charset", "iptc=UTF8", "-codedcharacterset=utf8"]
            for tag in Self.tags {
                let value = try #require(values[tag.field])
                arguments.append("-\(tag.xmp)=\(value)")
                if withIPTC, let iptc = tag.iptc { arguments.append("-\(iptc)=\(value)") }
            }
            _ = try Self.exiftool(arguments + [path])
            let reference = try Self.read(path)
            let header = try ImageHeader.read(path: path)
            let metadata = MetadataReader.read(exif: header.exif, iptc: header.iptc, xmp: header.xmp)
            for tag in Self.tags {
                let expected = try #require(reference[tag.xmp], "ExifTool reads \(tag.xmp)")
                #expect(metadata.fields[tag.field] == expected, "\(tag.field) (IPTC too: \(withIPTC))")
                if withIPTC, let iptc = tag.iptc {
                    #expect(reference[iptc] == expected, "ExifTool's \(iptc)")
                }
            }
        }
    }

    @Test("a rights field only IPTC holds is read from IPTC, and written back where ExifTool finds it")
    func iptcOnlyAndBack() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("iptc.jpg")
        try SyntheticPhoto(width: 64, height: 48).write(to: path)
        _ = try Self.exiftool([
            "-q", "-overwrite_original", "-charset", "iptc=UTF8", "-codedcharacterset=utf8",
            "-IPTC:Source=Reuters", "-IPTC:OriginalTransmissionReference=RTR4XYZ", path,
        ])
        let header = try ImageHeader.read(path: path)
        let metadata = MetadataReader.read(exif: header.exif, iptc: header.iptc, xmp: header.xmp)
        #expect(metadata.fields[.source] == "Reuters")
        #expect(metadata.fields[.jobIdentifier] == "RTR4XYZ")

        // Written back as a sidecar and as IPTC: ExifTool finds each where the field's mapping says.
        var xmp = XMPValues()
        var iptc = IPTCValues()
        for field in Self.tags.map(\.field) {
            xmp[field] = "\(field.rawValue) ảnh"
            if field.metadata.iim != nil { iptc[field] = "\(field.rawValue) ảnh" }
        }
        let sidecar = folder.file("back.xmp")
        try XMPWriter.packet(xmp).write(to: URL(fileURLWithPath: sidecar))
        let read = try Self.read(sidecar)
        for tag in Self.tags { #expect(read[tag.xmp] == "\(tag.field.rawValue) ảnh", "sidecar: \(tag.xmp)") }
        let block = IPTCWriter.photoshopBlock(iptc)
        let parsed = try #require(IPTCReader.read(block))
        #expect(parsed.source == "source ảnh")
        #expect(parsed[.jobIdentifier] == "jobIdentifier ảnh")
    }

    @Test("each release status term written by ExifTool is kept as its code, and written back as ExifTool reads it")
    func releasesAgainstExifTool() throws {
        let folder = try TemporaryFolder()
        let model = try #require(CaptionField.modelRelease.metadata.vocabulary)
        let property = try #require(CaptionField.propertyRelease.metadata.vocabulary)
        for index in model.terms.indices {
            let path = folder.file("release-\(index).jpg")
            try SyntheticPhoto(width: 64, height: 48).write(to: path)
            // ExifTool's own conversion: given its code with `#`, it writes the term's URI.
            _ = try Self.exiftool([
                "-q", "-overwrite_original", "-XMP-plus:ModelReleaseStatus#=\(model.terms[index].code)",
                "-XMP-plus:PropertyReleaseStatus#=\(property.terms[index].code)", path,
            ])
            let reference = try Self.read(path)
            let header = try ImageHeader.read(path: path)
            let metadata = MetadataReader.read(exif: header.exif, iptc: header.iptc, xmp: header.xmp)
            for (field, vocabulary, tag) in [
                (CaptionField.modelRelease, model, "XMP-plus:ModelReleaseStatus"),
                (.propertyRelease, property, "XMP-plus:PropertyReleaseStatus"),
            ] {
                let code = try #require(metadata.fields[field], "\(field) read")
                #expect(code == vocabulary.terms[index].code)
                #expect(reference[tag] == vocabulary.terms[index].label, "ExifTool's label for \(code)")
                // Written back, ExifTool reads the same term.
                var xmp = XMPValues()
                xmp[field] = code
                let sidecar = folder.file("back-\(field)-\(index).xmp")
                try XMPWriter.packet(xmp).write(to: URL(fileURLWithPath: sidecar))
                #expect(try Self.read(sidecar)[tag] == vocabulary.terms[index].label)
            }
        }
    }

    @Test("the licensor (PLUS, a list of structures) as ExifTool writes it, in RDF's other spellings too, and back")
    func licensor() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("licensor.jpg")
        try SyntheticPhoto(width: 64, height: 48).write(to: path)
        _ = try Self.exiftool([
            "-q", "-overwrite_original", "-XMP-plus:LicensorName=Thông tấn xã Việt Nam",
            "-XMP-plus:LicensorURL=https://example.org/licensing", path,
        ])
        let reference = try Self.read(path)
        #expect(reference["XMP-plus:LicensorName"] == "Thông tấn xã Việt Nam")
        let header = try ImageHeader.read(path: path)
        let metadata = MetadataReader.read(exif: header.exif, iptc: header.iptc, xmp: header.xmp)
        #expect(metadata.fields[.licensor] == "Thông tấn xã Việt Nam")

        // Two licensors, one as an rdf:Description with an attribute, one with child elements.
        let packet = """
            <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description rdf:about="" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"><plus:Licensor><rdf:Seq>
            <rdf:li><rdf:Description plus:LicensorName="Reuters"/></rdf:li>
            <rdf:li><rdf:Description><plus:LicensorName>AFP</plus:LicensorName></rdf:Description></rdf:li>
            </rdf:Seq></plus:Licensor></rdf:Description></rdf:RDF></x:xmpmeta>
            """
        let read = try XMPReader.read(Data(packet.utf8))
        #expect(read.fields[.licensor] == ["Reuters", "AFP"])
        let sidecar = folder.file("licensor.xmp")
        try Data(packet.utf8).write(to: URL(fileURLWithPath: sidecar))
        #expect(try Self.read(sidecar)["XMP-plus:LicensorName"] == "Reuters, AFP", "ExifTool reads both as well")

        // Written back: ExifTool finds the licensor's name in its structure.
        var xmp = XMPValues()
        xmp[.licensor] = "Cổng Thông tin <Demo>"
        let back = folder.file("back-licensor.xmp")
        try XMPWriter.packet(xmp).write(to: URL(fileURLWithPath: back))
        #expect(try Self.read(back)["XMP-plus:LicensorName"] == "Cổng Thông tin <Demo>")
    }
}

@Suite("EXIF tags outside their IFD, as ExifTool reads them")
struct MisplacedExifTests {
    @Test("DateTimeOriginal written in IFD0 (no EXIF IFD) is the photo's taking date, as ExifTool's MWG composite says")
    func dateInIFD0() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("ifd0.jpg")
        try SyntheticPhoto(width: 64, height: 48).write(to: path)
        _ = try RightsFieldTests.exiftool(["-q", "-overwrite_original", "-all=", path])
        _ = try RightsFieldTests.exiftool(
            ["-q", "-overwrite_original", "-IFD0:DateTimeOriginal=2019:05:01 07:30:00", path])
        let reference = try RightsFieldTests.read(path)
        #expect(reference["IFD0:DateTimeOriginal"] == "2019:05:01 07:30:00")
        #expect(reference["ExifIFD:DateTimeOriginal"] == nil, "the EXIF IFD does not hold it")
        let composite = String(
            decoding: try RightsFieldTests.exiftool(["-s3", "-Composite:DateTimeOriginal", "-use", "MWG", path]),
            as: UTF8.self
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(composite == "2019:05:01 07:30:00")
        let header = try ImageHeader.read(path: path)
        let metadata = MetadataReader.read(exif: header.exif, iptc: header.iptc, xmp: header.xmp)
        #expect(metadata.takenAt == "2019-05-01T07:30:00", "\(metadata.takenAt ?? "none")")
    }
}

@Suite("IPTC over several APP13 segments, as ExifTool reads it")
struct SplitIPTCTests {
    /// One IIM dataset (record 2).
    static func dataset(_ number: UInt8, _ text: String) -> [UInt8] {
        let value = Array(text.utf8)
        return [0x1C, 0x02, number, UInt8(value.count >> 8), UInt8(value.count & 0xFF)] + value
    }

    /// IIM declaring UTF-8, then datasets.
    static func iim(_ datasets: [(UInt8, String)]) -> [UInt8] {
        [0x1C, 0x01, 0x5A, 0x00, 0x03, 0x1B, 0x25, 0x47] + datasets.flatMap { dataset($0.0, $0.1) }
    }

    /// A Photoshop resource 0x0404 holding IIM.
    static func resource(_ iim: [UInt8]) -> [UInt8] {
        let size = iim.count
        return Array("8BIM".utf8) + [0x04, 0x04, 0, 0]
            + [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] + iim
            + (size % 2 == 1 ? [0] : [])
    }

    /// An APP13 segment: "Photoshop 3.0", then part of the resources.
    static func app13(_ part: ArraySlice<UInt8>) -> [UInt8] {
        let body = Array("Photoshop 3.0\0".utf8) + part
        return [0xFF, 0xED, UInt8((body.count + 2) >> 8), UInt8((body.count + 2) & 0xFF)] + body
    }

    /// A JPEG with no metadata and these segments after its SOI.
    static func jpeg(_ segments: [[UInt8]], at path: String) throws {
        try SyntheticPhoto(width: 64, height: 48).write(to: path)
        _ = try RightsFieldTests.exiftool(["-q", "-overwrite_original", "-all=", path])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        try Data(Array(bytes.prefix(2)) + segments.joined() + bytes.dropFirst(2)).write(to: URL(fileURLWithPath: path))
    }

    @Test("one resource block cut across two APP13 segments is read whole; of two blocks the first counts")
    func splitSegments() throws {
        let folder = try TemporaryFolder()
        let whole = Self.resource(
            Self.iim([
                (120, "Chợ phiên Đồng Văn, split across two segments"), (80, "Nguyễn Văn An"), (25, "chợ"),
                (25, "Hà Giang"),
            ]))
        let cut = whole.count / 2
        let split = folder.file("split.jpg")
        try Self.jpeg([Self.app13(whole[..<cut]), Self.app13(whole[cut...])], at: split)
        let two = folder.file("two.jpg")
        try Self.jpeg(
            [
                Self.app13(Self.resource(Self.iim([(120, "The first block's caption"), (25, "one")]))[...]),
                Self.app13(Self.resource(Self.iim([(80, "The second block's byline"), (25, "two")]))[...]),
            ], at: two)
        for path in [split, two] {
            let reference = try RightsFieldTests.read(path)
            let header = try ImageHeader.read(path: path)
            let metadata = MetadataReader.read(exif: header.exif, iptc: header.iptc, xmp: header.xmp)
            #expect(metadata.fields.caption == reference["IPTC:Caption-Abstract"], "\(path)")
            #expect(metadata.fields.keywords.joined(separator: ", ") == reference["IPTC:Keywords"], "\(path)")
            #expect(metadata.fields.byline == (path == split ? reference["IPTC:By-line"] : nil), "\(path)")
        }
        let reference = try RightsFieldTests.read(split)
        #expect(reference["IPTC:By-line"] == "Nguyễn Văn An" && reference["IPTC:Keywords"] == "chợ, Hà Giang")
    }
}
