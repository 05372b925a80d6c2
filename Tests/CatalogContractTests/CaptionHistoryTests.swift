import Catalog
import Foundation
import Testing

@Suite("Captions and history")
struct CaptionHistoryTests {
    let catalog: SQLiteCatalog
    let sha = String(repeating: "ab", count: 32)

    init() throws {
        catalog = try SQLiteCatalog(library: Library(path: NSTemporaryDirectory() + "captions-\(UUID().uuidString)"))
        try catalog.save(
            IngestEntry(
                asset: AssetRecord(
                    sha256: sha, format: "jpeg", bytes: 1, width: 3, height: 2, orientation: 1,
                    takenAt: "2020-09-18T09:12:30+07:00"),
                location: LocationRecord(path: "/card/1.jpg", sha256: sha, size: 1, modifiedAt: 1, inode: 1),
                captions: CaptionFields(caption: "Ảnh gốc", byline: "Nguyễn Văn An"), captionSource: "embedded",
                renditions: [],
                author: "ingest"))
    }

    @Test("set, apply and revert each leave revisions; nothing is overwritten in place")
    func history() throws {
        let first = try catalog.setCaption(
            sha, changes: CaptionChanges([.caption: "Bộ trưởng thăm Lũng Cú", .credit: "Demo"]), basedOn: 1,
            author: "an", source: "cli")
        #expect(first.revision == 2)
        let template = try CaptionTemplate("{caption} ({date:d/M/yyyy})")
        let text = template.render(fields: first.fields, takenAt: "2020-09-18T09:12:30+07:00", n: 1, id: "abab")
        #expect(text == "Bộ trưởng thăm Lũng Cú (18/9/2020)")
        _ = try catalog.setCaption(
            sha, changes: CaptionChanges([.caption: text]), basedOn: 2, author: "binh", source: "template")
        let reverted = try catalog.revertCaption(sha, to: 1, author: "chau")
        #expect(reverted.revision == 4)
        #expect(reverted.caption == "Ảnh gốc")
        #expect(reverted.credit == nil, "revision 1 had no credit")
        #expect(reverted.byline == "Nguyễn Văn An")

        let history = try catalog.captionHistory(of: sha)
        #expect(history.map(\.revision) == [1, 1, 2, 2, 3, 4, 4])
        #expect(history.map(\.source) == ["embedded", "embedded", "cli", "cli", "template", "revert", "revert"])
        let captionChanges = history.filter { $0.field == "caption" }
        #expect(
            captionChanges.map(\.newValue) == [
                "Ảnh gốc", "Bộ trưởng thăm Lũng Cú", "Bộ trưởng thăm Lũng Cú (18/9/2020)", "Ảnh gốc",
            ])
        #expect(
            captionChanges.dropFirst().map(\.oldValue) == captionChanges.dropLast().map(\.newValue),
            "each change starts where the last ended")
        #expect(history.last?.author == "chau")
    }

    @Test("an edit based on an old revision is refused with both values, and nothing is saved")
    func staleEdit() throws {
        _ = try catalog.setCaption(
            sha, changes: CaptionChanges([.caption: "Editor A's caption"]), basedOn: 1, author: "a", source: "web")
        let error = #expect(throws: StaleEdit.self) {
            try catalog.setCaption(
                sha, changes: CaptionChanges([.caption: "Editor B's caption"]), basedOn: 1, author: "b", source: "web")
        }
        #expect(error?.current.caption == "Editor A's caption")
        #expect(error?.description.contains("stored \"Editor A's caption\", yours \"Editor B's caption\"") == true)
        #expect(try catalog.caption(of: sha)?.caption == "Editor A's caption")
        #expect(try catalog.caption(of: sha)?.revision == 2)
    }

    @Test("templates with code replacement, in Vietnamese")
    func codes() throws {
        let codes = try CodeReplacements(
            tsv: "# desk codes\n=lt=\tLê Thị Thu Hằng, Bộ trưởng Bộ Ngoại giao\n=l=\tLào Cai\n", name: "desk.tsv")
        let template = try CaptionTemplate(
            "{city}, {date:d MMMM yyyy}: =lt= thăm hỏi người dân. Ảnh {n}: {byline}/{credit}",
            locale: Locale(identifier: "vi"))
        var fields = CaptionFields(byline: "Nguyễn Văn An", credit: "TTXVN")
        fields.city = "Đồng Văn"
        let text = template.render(fields: fields, takenAt: "2020-09-18T23:30:00+07:00", n: 3, id: "x", codes: codes)
        #expect(text.hasPrefix("Đồng Văn, 18 tháng 9"), "\(text)")
        #expect(
            text.hasSuffix(
                "2020: Lê Thị Thu Hằng, Bộ trưởng Bộ Ngoại giao thăm hỏi người dân. Ảnh 3: Nguyễn Văn An/TTXVN"),
            "\(text)")
        #expect(throws: CatalogError.self) { try CaptionTemplate("{town}") }
        #expect(throws: CatalogError.self) { try CaptionTemplate("{city") }
    }

    @Test("a photo used by an article is not removed without force; with force the article keeps a gap")
    func usagesBlockRemoval() throws {
        _ = try catalog.saveArticle(
            ArticleRecord(slug: "visit", headline: "Visit"),
            photos: [ArticlePhotoInput(sha256: sha, caption: "As used")])
        #expect(try catalog.usages(of: sha).map(\.slug) == ["visit"])
        let error = #expect(throws: CatalogError.self) { try catalog.removeAsset(sha, force: false) }
        #expect(error?.code == .inUse)
        #expect(try catalog.asset(sha256: sha) != nil)
        _ = try catalog.removeAsset(sha, force: true)
        #expect(try catalog.asset(sha256: sha) == nil)
        let article = try #require(try catalog.article(slug: "visit"))
        #expect(article.photos.count == 1)
        #expect(article.photos[0].id == nil, "a visible gap")
    }

    @Test("link and unlink keep positions contiguous; the caption for a use is its own")
    func linking() throws {
        let other = String(repeating: "cd", count: 32)
        try catalog.save(
            IngestEntry(
                asset: AssetRecord(sha256: other, format: "jpeg", bytes: 1, width: 1, height: 1, orientation: 1),
                location: LocationRecord(path: "/card/2.jpg", sha256: other, size: 1, modifiedAt: 1, inode: 2),
                captions: CaptionFields(caption: "Second"), captionSource: "embedded", renditions: [], author: "t"))
        _ = try catalog.saveArticle(
            ArticleRecord(slug: "a", headline: "A"), photos: [ArticlePhotoInput(sha256: sha, caption: nil)])
        try catalog.link(slug: "a", photos: [other], position: 1, caption: "Second, as used in A")
        var article = try #require(try catalog.article(slug: "a"))
        #expect(article.photos.map(\.position) == [1, 2])
        #expect(article.photos.map(\.caption) == ["Second, as used in A", "Ảnh gốc"])
        try catalog.unlink(slug: "a", sha256: other)
        article = try #require(try catalog.article(slug: "a"))
        #expect(article.photos.map(\.position) == [1])
        #expect(throws: CatalogError.self) {
            try catalog.link(slug: "nope", photos: [sha], position: nil, caption: nil)
        }
    }
}
