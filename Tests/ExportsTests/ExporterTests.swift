import Catalog
import CatalogSQLite
import Desk
import Exports
import Foundation
import Imaging
import Ingest
import Metadata
import PhotoFactory
import PhotoModel
import Testing

@Suite("Exports")
struct ExporterTests {
    let work: TemporaryFolder
    let library: Library
    let desk: Desk
    let id: String

    init() async throws {
        work = try TemporaryFolder("exports")
        library = Library(path: work.path + "/library")
        desk = Desk(store: try SQLiteCatalog(library: library), library: library)
        var photo = SyntheticPhoto(width: 600, height: 400)
        var iptc = IPTCValues()
        iptc.caption = "Bộ trưởng thăm hỏi người dân xã Lũng Cú, huyện Đồng Văn"
        iptc.headline = "Chuyến thăm Hà Giang"
        iptc.byline = ["Nguyễn Văn An"]
        iptc.credit = "Cổng Thông tin Demo"
        iptc.copyrightNotice = "© 2020 Cổng Thông tin Demo"
        iptc.keywords = ["Hà Giang", "Lũng Cú"]
        iptc.city = "Đồng Văn"
        iptc.provinceState = "Hà Giang"
        iptc.country = "Việt Nam"
        photo.iptc = iptc
        try photo.write(to: work.file("in/visit, day 1.jpg"))
        let pipeline = Pipeline(
            name: "t", renditions: [RenditionSpec(name: "large", width: 400, height: 400, format: .jpeg, quality: 85)])
        _ = try await Ingester(desk: desk, pipeline: pipeline).run([work.path + "/in"]) { _ in }
        id = try #require(try await desk.photos(limit: 1, after: nil, audience: .editors).photos.first?.shortId)
    }

    struct ExifToolRecord: Decodable {
        var Description: String?
        var Headline: String?
        var Creator: [String]?
        var Credit: String?
        var Rights: String?
        var Subject: [String]?
        var City: String?
        var State: String?
        var Country: String?
    }

    func exiftool(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/exiftool")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    @Test("a caption set in Vietnamese, exported as an XMP sidecar, reads back in ExifTool the same")
    func xmpRoundTrip() async throws {
        let sha = try await desk.photo(id).sha256
        try await desk.setCaption(
            sha,
            changes: CaptionChanges([.caption: "Bộ trưởng thăm hỏi người dân xã Lũng Cú, huyện Đồng Văn, tỉnh Hà Giang"]
            ),
            basedOn: nil, author: "tester", source: "cli")
        let files = try await Exporter(desk: desk).export(ids: [id], format: .xmp, to: work.path + "/out")
        #expect(files == [work.path + "/out/visit, day 1.xmp"])
        let records = try JSONDecoder().decode(
            [ExifToolRecord].self, from: exiftool(["-json", "-struct", "-XMP:all", files[0]]))
        let record = try #require(records.first)
        #expect(record.Description == "Bộ trưởng thăm hỏi người dân xã Lũng Cú, huyện Đồng Văn, tỉnh Hà Giang")
        #expect(record.Headline == "Chuyến thăm Hà Giang")
        #expect(record.Creator == ["Nguyễn Văn An"])
        #expect(record.Credit == "Cổng Thông tin Demo")
        #expect(record.Rights == "© 2020 Cổng Thông tin Demo")
        #expect(record.Subject == ["Hà Giang", "Lũng Cú"])
        #expect(record.City == "Đồng Văn" && record.State == "Hà Giang" && record.Country == "Việt Nam")
    }

    @Test("an exported JPEG says who took it in EXIF, IPTC and XMP alike, per ExifTool's MWG view")
    func jpegCarriesCredits() async throws {
        let files = try await Exporter(desk: desk).export(ids: [id], format: .jpeg, to: work.path + "/jpeg")
        struct MWG: Decodable {
            var Description: String?
            var Creator: String?
            var Copyright: String?
        }
        let view = try #require(
            try JSONDecoder().decode(
                [MWG].self,
                from: exiftool(["-json", "-use", "MWG", "-Description", "-Creator", "-Copyright", files[0]])
            ).first)
        #expect(view.Description == "Bộ trưởng thăm hỏi người dân xã Lũng Cú, huyện Đồng Văn")
        #expect(view.Creator == "Nguyễn Văn An")
        #expect(view.Copyright == "© 2020 Cổng Thông tin Demo")
        let header = try ImageHeader.read(path: files[0])
        let exif = try #require(header.exif.flatMap(ExifReader.read))
        let iptc = try #require(header.iptc.flatMap(IPTCReader.read))
        let xmp = try XMPReader.read(try #require(header.xmp))
        #expect(exif.artist == "Nguyễn Văn An" && iptc.byline == ["Nguyễn Văn An"] && xmp.creator == ["Nguyễn Văn An"])
        #expect(exif.copyright == iptc.copyrightNotice && iptc.copyrightNotice == xmp.rights)
    }

    @Test("CSV quotes what needs quoting; JSON holds the show documents")
    func csvAndJSON() async throws {
        let exporter = Exporter(desk: desk)
        let csv = try String(
            contentsOfFile: try await exporter.export(ids: [], format: .csv, to: work.path + "/csv")[0], encoding: .utf8
        )
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("id,file,caption,headline,byline"))
        #expect(
            lines[1].hasPrefix(
                "\(id),\"\(work.path)/in/visit, day 1.jpg\",\"Bộ trưởng thăm hỏi người dân xã Lũng Cú, huyện Đồng Văn\""
            ))
        let json = try Data(
            contentsOf: URL(
                fileURLWithPath: try await exporter.export(ids: [], format: .json, to: work.path + "/json")[0]))
        let documents = try #require(try JSONSerialization.jsonObject(with: json) as? [[String: Any]])
        #expect(documents.map { $0["id"] as? String } == [id])
        #expect(documents.first?["caption"] as? String == "Bộ trưởng thăm hỏi người dân xã Lũng Cú, huyện Đồng Văn")
    }

    @Test("CSV cells a spreadsheet would run as formulas are neutralised with a quote")
    func csvFormulas() async throws {
        let sha = try await desk.photo(id).sha256
        _ = try await desk.setCaption(
            sha,
            changes: CaptionChanges([
                .caption: "=HYPERLINK(\"http://evil.example\",\"x\")", .headline: "+1 for Hà Giang",
                .byline: "-Nguyễn Văn An", .credit: "@SUM(A1:A9)",
            ]),
            basedOn: nil, author: "tester", source: "cli")
        let csv = try String(
            contentsOfFile: try await Exporter(desk: desk).export(ids: [], format: .csv, to: work.path + "/formulas")[
                0],
            encoding: .utf8)
        // The fields after the country (instructions, the rights fields) and the date are empty.
        let columns = csv.components(separatedBy: "\r\n")[0].split(separator: ",", omittingEmptySubsequences: false)
        let afterCountry = columns.count - 1 - (columns.firstIndex(of: "country") ?? columns.count)
        #expect(afterCountry >= 2)
        #expect(
            csv.components(separatedBy: "\r\n")[1]
                == "\(id),\"\(work.path)/in/visit, day 1.jpg\",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",'+1 for Hà Giang,'-Nguyễn Văn An,'@SUM(A1:A9),© 2020 Cổng Thông tin Demo,Hà Giang; Lũng Cú,Đồng Văn,Hà Giang,Việt Nam"
                + String(repeating: ",", count: afterCountry)
        )
        #expect(Exporter.csvCell("\tTab") == "'\tTab")
        #expect(Exporter.csvCell("\rreturn") == "\"'\rreturn\"")
        #expect(Exporter.csvCell("line\r\nbreak") == "\"line\r\nbreak\"")
        #expect(Exporter.csvCell("a-b = c") == "a-b = c")
    }

    @Test("control characters in captions never reach the XMP sidecar, which ExifTool still reads")
    func xmpControls() async throws {
        let sha = try await desk.photo(id).sha256
        _ = try await desk.setCaption(
            sha, changes: CaptionChanges([.caption: "Chợ\u{1B}[2J phiên\u{7}\u{8}\u{1F}", .headline: "A\u{B}B"]),
            basedOn: nil, author: "tester", source: "cli")
        let files = try await Exporter(desk: desk).export(ids: [id], format: .xmp, to: work.path + "/controls")
        let text = try String(contentsOfFile: files[0], encoding: .utf8)
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
        let records = try JSONDecoder().decode(
            [ExifToolRecord].self, from: exiftool(["-json", "-struct", "-XMP:all", files[0]]))
        #expect(records.first?.Description == "Chợ[2J phiên")
        #expect(records.first?.Headline == "AB")
    }
}
