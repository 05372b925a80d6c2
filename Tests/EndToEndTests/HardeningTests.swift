import Foundation
import Metadata
import PhotoFactory
import Testing

@Suite("Files at rest and what the terminal sees")
struct HardeningTests {
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    @Test("a new library is its owner's alone: folder 0700; catalog, lock and exports 0600")
    func ownerOnly() throws {
        let work = try TemporaryFolder("e2e-modes")
        try SyntheticPhoto(width: 300, height: 200).write(to: work.file("in/a.jpg"))
        let library = work.path + "/library"
        let ingest = try Binary.run(["ingest", "--library", library, work.path + "/in"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(Self.mode(library) == 0o700)
        #expect(Self.mode(library + "/catalog.sqlite") == 0o600)
        #expect(Self.mode(library + "/.ingest.lock") == 0o600)
        let export = try Binary.run(["export", "--library", library, "--format", "csv", "--out", work.path + "/out"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(Self.mode(work.path + "/out/photos.csv") == 0o600)
    }

    @Test("--shared-group gives the group read and write (0770, 0660), and the library keeps it")
    func sharedGroup() throws {
        let work = try TemporaryFolder("e2e-group")
        try SyntheticPhoto(width: 300, height: 200).write(to: work.file("in/a.jpg"))
        let library = work.path + "/library"
        let first = try Binary.run(["ingest", "--library", library, "--shared-group", work.path + "/in"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Self.mode(library) == 0o770)
        #expect(Self.mode(library + "/catalog.sqlite") == 0o660)
        #expect(Self.mode(library + "/.ingest.lock") == 0o660)
        try SyntheticPhoto(width: 300, height: 200, seed: 2).write(to: work.file("in/b.jpg"))
        let second = try Binary.run(["ingest", "--library", library, work.path + "/in"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(Self.mode(library) == 0o770, "a shared library stays shared without the flag")
        #expect(Self.mode(library + "/catalog.sqlite") == 0o660)
        let export = try Binary.run(["export", "--library", library, "--format", "json", "--out", work.path + "/out"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(Self.mode(work.path + "/out/photos.json") == 0o660)
    }

    @Test("escape sequences in captions and file names are shown, not obeyed; JSON keeps the text")
    func terminal() throws {
        let work = try TemporaryFolder("e2e-terminal")
        let caption = "Chợ phiên\u{1B}]0;owned\u{7}\u{1B}[2J\u{9B}31m \u{202E}gnp.exe"
        var photo = SyntheticPhoto(width: 300, height: 200)
        var iptc = IPTCValues()
        iptc.caption = caption
        photo.iptc = iptc
        try photo.write(to: work.file("in/a.jpg"))
        try BrokenFiles.text(at: work.file("in/bad\u{1B}[31m\nfailed     forged.jpg"))
        let library = work.path + "/library"

        let ingest = try Binary.run(["ingest", "--library", library, work.path + "/in"])
        #expect(ingest.status == 1)
        #expect(!ingest.stdout.unicodeScalars.contains { $0 == "\u{1B}" })
        let failures = ingest.stdout.split(separator: "\n").filter { $0.hasPrefix("failed") }
        #expect(
            failures == [
                "failed     \(work.path)/in/bad\\u{1B}[31m\\u{A}failed     forged.jpg: not an image Photodesk can read (not JPEG, PNG, TIFF, WebP, HEIC/AVIF or GIF)"
            ])

        let list = try Binary.run(["list", "--library", library])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(!list.stdout.unicodeScalars.contains { TerminalCheck.obeyed($0) })
        #expect(list.stdout.contains("Chợ phiên\\u{1B}]0;owned\\u{7}\\u{1B}[2J\\u{9B}31m \\u{202E}gnp.exe"))

        let json = try Binary.run(["list", "--library", library, "--json"])
        #expect(!json.stdout.unicodeScalars.contains { TerminalCheck.obeyed($0) })
        struct Listing: Decodable {
            struct Photo: Decodable { var caption: String? }
            var photos: [Photo]
        }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(json.stdout.utf8))
        #expect(listing.photos.map(\.caption) == [caption], "JSON escapes, so the caption arrives whole")
    }

    @Test("an XMP sidecar with GPS 1e999 leaves no position, and show and export JSON stay valid")
    func infiniteGPS() throws {
        let work = try TemporaryFolder("e2e-gps")
        try SyntheticPhoto(width: 300, height: 200).write(to: work.file("in/a.jpg"))
        try """
        <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
        <rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"
          exif:GPSLatitude="1e999" exif:GPSLongitude="nan"/>
        </rdf:RDF></x:xmpmeta>
        """.write(toFile: work.file("in/a.xmp"), atomically: true, encoding: .utf8)
        let library = work.path + "/library"
        let ingest = try Binary.run(["ingest", "--library", library, "--json", work.path + "/in"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let show = try Binary.run(["show", "--library", library, "--json", work.path + "/in/a.jpg"])
        #expect(show.status == 0, "\(show.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect(document["gps"] is NSNull || document["gps"] == nil)
        let export = try Binary.run(["export", "--library", library, "--format", "json", "--out", work.path + "/out"])
        #expect(export.status == 0, "\(export.stderr)")
        let exported = try Data(contentsOf: URL(fileURLWithPath: work.path + "/out/photos.json"))
        #expect((try JSONSerialization.jsonObject(with: exported) as? [Any])?.count == 1)
    }
}

/// What a terminal acts on rather than shows.
enum TerminalCheck {
    static func obeyed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: false
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
