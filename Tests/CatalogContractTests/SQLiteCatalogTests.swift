import Catalog
import Foundation
import Testing

@Suite("SQLite catalog")
struct SQLiteCatalogTests {
    let folder: String
    let catalog: SQLiteCatalog

    init() throws {
        folder = NSTemporaryDirectory() + "catalog-\(UUID().uuidString)"
        catalog = try SQLiteCatalog(library: Library(path: folder))
    }

    static func sha(_ seed: Int) -> String {
        String(repeating: String(format: "%02x", seed), count: 32)
    }

    func ingest(_ seed: Int, path: String, caption: String? = nil, at date: Date = Date()) throws {
        let sha = Self.sha(seed)
        try catalog.save(
            IngestEntry(
                asset: AssetRecord(
                    sha256: sha, format: "jpeg", bytes: 100, width: 30, height: 20, orientation: 1, createdAt: date),
                location: LocationRecord(path: path, sha256: sha, size: 100, modifiedAt: 1, inode: Int64(seed)),
                captions: CaptionFields(caption: caption, byline: "Nguyễn Văn An"), captionSource: "embedded",
                renditions: [
                    RenditionRecord(
                        sha256: sha, preset: "thumb", format: "webp", width: 30, height: 20, bytes: 10,
                        path: "renditions/x.webp", fingerprint: "f")
                ], author: "tester"))
    }

    @Test("the catalog is a WAL-mode SQLite file in the library")
    func walFile() throws {
        #expect(FileManager.default.fileExists(atPath: folder + "/catalog.sqlite"))
        try ingest(1, path: "/photos/a.jpg")
        #expect(FileManager.default.fileExists(atPath: folder + "/catalog.sqlite-wal"))
    }

    @Test("an asset is found by short id, by a prefix and by a path")
    func resolve() throws {
        try ingest(0xab, path: "/photos/a.jpg")
        #expect(try catalog.resolve(String(Self.sha(0xab).prefix(16)))?.sha256 == Self.sha(0xab))
        #expect(try catalog.resolve("abab")?.sha256 == Self.sha(0xab))
        #expect(try catalog.resolve("/photos/a.jpg")?.sha256 == Self.sha(0xab))
        #expect(try catalog.resolve("cdcd") == nil)
    }

    @Test("a prefix shared by two assets is refused as ambiguous")
    func ambiguous() throws {
        try ingest(0x12, path: "/a.jpg")
        let other = "1212" + String(repeating: "0", count: 60)
        try catalog.save(
            IngestEntry(
                asset: AssetRecord(sha256: other, format: "jpeg", bytes: 1, width: 1, height: 1, orientation: 1),
                location: LocationRecord(path: "/b.jpg", sha256: other, size: 1, modifiedAt: 1, inode: 2),
                captions: CaptionFields(), captionSource: "embedded", renditions: [], author: "t"))
        #expect(throws: CatalogError.self) { try catalog.resolve("1212") }
    }

    @Test("ingested captions become revision 1, one revision per field")
    func initialRevisions() throws {
        try ingest(3, path: "/c.jpg", caption: "Hà Giang")
        let caption = try #require(try catalog.caption(of: Self.sha(3)))
        #expect(caption.revision == 1)
        #expect(caption.caption == "Hà Giang")
        #expect(caption.byline == "Nguyễn Văn An")
    }

    @Test("the document has the CLI contract's shape: null objects, absent texts")
    func documentShape() throws {
        try ingest(4, path: "/d.jpg")
        let document = try #require(try catalog.document(sha256: Self.sha(4)))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(document)) as? [String: Any]
        let object = try #require(json)
        #expect(object["gps"] is NSNull)
        #expect(object["caption"] == nil)
        #expect(object["byline"] as? String == "Nguyễn Văn An")
        #expect(object["paths"] as? [String] == ["/d.jpg"])
        #expect(object["id"] as? String == String(Self.sha(4).prefix(16)))
        #expect((object["renditions"] as? [[String: Any]])?.first?["preset"] as? String == "thumb")
    }

    @Test("listing pages by keyset, newest first, with no gap or repeat")
    func keyset() throws {
        let base = Date(timeIntervalSince1970: 1_600_000_000)
        for seed in 1...7 { try ingest(seed, path: "/p\(seed).jpg", at: base.addingTimeInterval(Double(seed % 3))) }
        var seen: [String] = []
        var cursor: AssetCursor?
        repeat {
            let page = try catalog.assets(limit: 3, after: cursor)
            seen += page.map(\.sha256)
            cursor = page.count == 3 ? page.last?.cursor : nil
        } while cursor != nil
        #expect(seen.count == 7)
        #expect(Set(seen).count == 7)
        let token = try #require(try catalog.assets(limit: 1, after: nil).first?.cursor.token)
        #expect(AssetCursor(token: token) != nil)
        #expect(AssetCursor(token: "../../etc") == nil)
    }

    @Test("presets with other settings, or missing, are reported for re-making")
    func staleRenditions() throws {
        try ingest(5, path: "/e.jpg")
        #expect(try catalog.assetsNeedingRenditions(presets: ["thumb": "f"]).isEmpty)
        #expect(try catalog.assetsNeedingRenditions(presets: ["thumb": "g"]) == [Self.sha(5)])
        #expect(try catalog.assetsNeedingRenditions(presets: ["thumb": "f", "large": "h"]) == [Self.sha(5)])
    }
}
