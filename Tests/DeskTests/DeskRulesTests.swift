import Catalog
import CatalogSQLite
import Desk
import Foundation
import PhotoModel
import Testing

/// A desk over a fresh SQLite catalog, with photos 1...n ingested through the desk.
struct DeskFixture {
    let desk: Desk
    /// The catalog the desk holds.
    let catalog: SQLiteCatalog
    let library: Library
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    init(photos: Int = 3) async throws {
        library = Library(path: NSTemporaryDirectory() + "desk-\(UUID().uuidString)")
        let now = self.now
        catalog = try SQLiteCatalog(library: library)
        desk = Desk(store: catalog, library: library, clock: { now })
        var files: [IngestedFile] = []
        for seed in 1...max(1, photos) {
            var fields = CaptionFields([.caption: "Photo \(seed)", .byline: "An", .instructions: "Embargo until 6 pm"])
            fields.keywords = ["visit"]
            files.append(
                IngestedFile(
                    photo: Photo(
                        sha256: Self.sha(seed), format: "jpeg", bytes: 10, width: 1600, height: 900,
                        gps: GPS(latitude: 22.82331, longitude: 104.98367),
                        createdAt: now.addingTimeInterval(Double(seed))),
                    location: FileLocation(
                        path: "/photos/\(seed).jpg", sha256: Self.sha(seed), size: 10, modifiedAt: 1, inode: Int64(seed)
                    ),
                    captions: fields, captionSource: "embedded",
                    renditions: [
                        Rendition(
                            sha256: Self.sha(seed), preset: "thumb", format: "webp", width: 320, height: 180, bytes: 3,
                            path: "renditions/t\(seed).webp", fingerprint: "f")
                    ], author: "ingest"))
        }
        try await desk.record(files)
    }

    static func sha(_ seed: Int) -> String { String(format: "%02x", seed) + String(repeating: "ab", count: 31) }
}

@Suite("Desk rules")
struct DeskRulesTests {
    @Test("references: short id, prefix, path; a shared prefix is ambiguous")
    func references() async throws {
        let fixture = try await DeskFixture(photos: 2)
        let desk = fixture.desk
        #expect(try await desk.photo(String(DeskFixture.sha(1).prefix(16))).sha256 == DeskFixture.sha(1))
        #expect(try await desk.photo("/photos/2.jpg").sha256 == DeskFixture.sha(2))
        #expect(try await desk.findPhoto("/nowhere.jpg") == nil)
        do {
            _ = try await desk.photo("nowhere")
            Issue.record("found a photo for nowhere")
        } catch let error as DeskError {
            #expect(error.code == .notFound && error.message == "no photo matches nowhere")
        }
        try await desk.record([
            IngestedFile(
                photo: Photo(
                    sha256: "01ab" + String(repeating: "cd", count: 30), format: "jpeg", bytes: 1, width: 1, height: 1),
                location: FileLocation(
                    path: "/x.jpg", sha256: "01ab" + String(repeating: "cd", count: 30), size: 1, modifiedAt: 1,
                    inode: 9),
                captions: CaptionFields(), captionSource: "embedded", renditions: [], author: "t")
        ])
        do {
            _ = try await desk.photo("01ab")
            Issue.record("an ambiguous prefix was accepted")
        } catch let error as DeskError {
            #expect(error.code == .ambiguous && error.message == "01ab matches several photos: give more digits")
        }
    }

    @Test("page tokens: a list's own next token pages on; another list's, or any other text, is invalid; blank is none")
    func pageTokens() async throws {
        let desk = try await DeskFixture(photos: 3).desk
        let first = try await desk.photos(limit: 2, after: nil, audience: .editors)
        let photoToken = try #require(first.next)
        #expect(try await desk.photos(limit: 2, after: photoToken, audience: .editors).photos.count == 1)
        #expect(try await desk.photos(limit: 2, after: "  ", audience: .editors).photos.count == 2)
        let words = SearchQuery(text: "photo")
        let wordToken = try #require(try await desk.search(words, limit: 1, after: nil, audience: .editors).next)
        #expect(try await desk.search(words, limit: 1, after: wordToken, audience: .editors).results.count == 1)
        let filters = SearchQuery(filters: SearchFilters(byline: "An"))
        let filterToken = try #require(try await desk.search(filters, limit: 1, after: nil, audience: .editors).next)
        #expect(try await desk.search(filters, limit: 1, after: filterToken, audience: .editors).results.count == 1)
        let malformed = ["t2.9223372036854775808", "d7ff0000000000000.i1", "-1_" + DeskFixture.sha(1), "t3.1", "%00"]
        for token in malformed + [wordToken, filterToken] {
            let error = await #expect(throws: DeskError.self, "photo list after \(token)") {
                try await desk.photos(limit: 2, after: token, audience: .editors)
            }
            #expect(error?.code == .invalid)
        }
        let foreign = [(words, photoToken), (words, filterToken), (filters, wordToken)]
        for (query, token) in malformed.map({ (words, $0) }) + foreign {
            let error = await #expect(throws: DeskError.self, "search \(query.text) after \(token)") {
                try await desk.search(query, limit: 1, after: token, audience: .editors)
            }
            #expect(error?.code == .invalid)
        }
    }

    @Test("a release status is kept as its PLUS code, given by code, label or URI; anything else is refused")
    func releaseVocabulary() async throws {
        let fixture = try await DeskFixture(photos: 1)
        let sha = DeskFixture.sha(1)
        for (given, kept) in [
            ("MR-NON", "MR-NON"), ("not applicable", "MR-NAP"),
            ("http://ns.useplus.org/ldf/vocab/MR-UMR", "MR-UMR"), ("Limited or Incomplete Model Releases", "MR-LMR"),
        ] {
            let saved = try await fixture.desk.setCaption(
                sha, changes: CaptionChanges([.modelRelease: given]), basedOn: nil, author: "an", source: "cli")
            #expect(saved.fields[.modelRelease] == kept, "\(given)")
        }
        let before = try await fixture.desk.caption(of: sha)
        do {
            try await fixture.desk.setCaption(
                sha, changes: CaptionChanges([.propertyRelease: "signed", .caption: "New"]), basedOn: nil,
                author: "an", source: "cli")
            Issue.record("a value outside the vocabulary was saved")
        } catch let error as DeskError {
            #expect(error.code == .invalid)
            #expect(error.message.contains("propertyRelease cannot be \"signed\""))
            #expect(error.message.contains("PR-UPR (Unlimited Property Releases)"))
        }
        #expect(try await fixture.desk.caption(of: sha) == before, "nothing saved, the caption included")
        // Clearing is always allowed.
        let cleared = try await fixture.desk.setCaption(
            sha, changes: CaptionChanges([.modelRelease: ""]), basedOn: nil, author: "an", source: "cli")
        #expect(cleared.fields[.modelRelease] == nil)
    }

    @Test("a stale edit is refused with both versions; nothing is saved")
    func staleEdit() async throws {
        let fixture = try await DeskFixture(photos: 1)
        let sha = DeskFixture.sha(1)
        try await fixture.desk.setCaption(
            sha, changes: CaptionChanges([.caption: "Theirs"]), basedOn: 1, author: "lan", source: "web")
        do {
            try await fixture.desk.setCaption(
                sha, changes: CaptionChanges([.caption: "Mine"]), basedOn: 1, author: "an", source: "web")
            Issue.record("a stale edit was saved")
        } catch let error as DeskError {
            #expect(error.code == .stale)
            #expect(
                error.description == """
                    refused: the caption was changed since revision 1 (now revision 2 by lan); nothing was saved.
                      caption: stored "Theirs", yours "Mine"
                    Edit again from revision 2 to apply your change.
                    """)
        }
        #expect(try await fixture.desk.caption(of: sha).fields.caption == "Theirs")
    }

    @Test("revert restores a revision as a new one; history keeps every step")
    func revert() async throws {
        let fixture = try await DeskFixture(photos: 1)
        let sha = DeskFixture.sha(1)
        try await fixture.desk.setCaption(
            sha, changes: CaptionChanges([.caption: "Two", .credit: "TTXVN"]), basedOn: nil, author: "a", source: "cli")
        let reverted = try await fixture.desk.revert(sha, to: 1, author: "b")
        #expect(reverted.revision == 3 && reverted.fields.caption == "Photo 1" && reverted.fields.credit == nil)
        let history = try await fixture.desk.history(of: sha)
        #expect(history.filter { $0.revision == 3 }.map(\.source) == ["revert", "revert"])
        do {
            try await fixture.desk.revert(sha, to: 9, author: "b")
            Issue.record("reverted to a revision that does not exist")
        } catch let error as DeskError {
            #expect(error.message == "photo \(sha.prefix(16)) has no caption revision 9")
        }
    }

    @Test("a changed file carries its caption over from the photo its path held")
    func carryOver() async throws {
        let fixture = try await DeskFixture(photos: 1)
        try await fixture.desk.setCaption(
            DeskFixture.sha(1), changes: CaptionChanges([.caption: "Desk's caption"]), basedOn: nil, author: "a",
            source: "web")
        let edited = String(repeating: "ef", count: 32)
        try await fixture.desk.record([
            IngestedFile(
                photo: Photo(sha256: edited, format: "jpeg", bytes: 11, width: 1600, height: 900),
                location: FileLocation(path: "/photos/1.jpg", sha256: edited, size: 11, modifiedAt: 2, inode: 1),
                captions: CaptionFields([.caption: "File's caption"]), captionSource: "embedded", renditions: [],
                previousSha256: DeskFixture.sha(1), author: "ingest")
        ])
        #expect(try await fixture.desk.caption(of: edited).fields.caption == "Desk's caption")
        #expect(
            try await fixture.desk.history(of: edited).first?.source == "carried from \(DeskFixture.sha(1).prefix(16))")
    }

    @Test("link inserts at any position (clamped, Int.min and Int.max included) and renumbers; unlink closes up")
    func linkPositions() async throws {
        let fixture = try await DeskFixture(photos: 4)
        let desk = fixture.desk
        try await desk.saveArticle(
            ArticleContent(slug: "visit", headline: "Visit"), photos: [ArticlePhotoInput(sha256: DeskFixture.sha(1))])
        try await desk.link("visit", photos: [DeskFixture.sha(2)], position: Int.min, caption: "first now")
        try await desk.link("visit", photos: [DeskFixture.sha(3)], position: Int.max)
        try await desk.link("visit", photos: [DeskFixture.sha(4)], position: 2, caption: "  ")
        var article = try #require(try await desk.article(slug: "visit", audience: .editors)?.0)
        #expect(article.photos.map(\.id) == [2, 4, 1, 3].map { String(DeskFixture.sha($0).prefix(16)) })
        #expect(article.photos.map(\.position) == [1, 2, 3, 4])
        #expect(article.photos[0].caption == "first now")
        #expect(article.photos[1].caption == "Photo 4", "a blank caption for a use means the photo's own")
        try await desk.unlink("visit", photo: DeskFixture.sha(4))
        article = try #require(try await desk.article(slug: "visit", audience: .editors)?.0)
        #expect(article.photos.map(\.position) == [1, 2, 3])
        do {
            try await desk.unlink("visit", photo: DeskFixture.sha(4))
            Issue.record("unlinked a photo that is not in the article")
        } catch let error as DeskError {
            #expect(error.message == "photo \(DeskFixture.sha(4).prefix(16)) is not in article visit")
        }
    }

    @Test("a crop must lie inside the photo; it is kept for that use only")
    func crops() async throws {
        let fixture = try await DeskFixture(photos: 1)
        let desk = fixture.desk
        try await desk.saveArticle(
            ArticleContent(slug: "a", headline: "A"),
            photos: [ArticlePhotoInput(sha256: DeskFixture.sha(1)), ArticlePhotoInput(sha256: DeskFixture.sha(1))])
        try await desk.setCrop("a", position: 1, crop: Crop(x: 0, y: 0, width: 1600, height: 900, preset: "hero"))
        for bad in [
            Crop(x: -1, y: 0, width: 10, height: 10), Crop(x: 1600, y: 0, width: 1, height: 1),
            Crop(x: 1, y: 0, width: 1600, height: 9), Crop(x: 0, y: 0, width: 0, height: 9),
            Crop(x: Int.max, y: 0, width: Int.max, height: 1),
        ] {
            await #expect(throws: DeskError.self) { try await desk.setCrop("a", position: 1, crop: bad) }
        }
        let article = try #require(try await desk.article(slug: "a", audience: .editors)?.0)
        #expect(article.photos.map(\.crop?.preset) == ["hero", nil])
        // Re-importing keeps an editor's crop for a photo that stays.
        try await desk.saveArticle(
            ArticleContent(slug: "a", headline: "A2"), photos: [ArticlePhotoInput(sha256: DeskFixture.sha(1))])
        #expect(try await desk.article(slug: "a", audience: .editors)?.0.photos.first?.crop?.preset == "hero")
    }

    @Test("remove: refused while used, unless forced; rendition files go after the catalog")
    func removeGuard() async throws {
        let fixture = try await DeskFixture(photos: 1)
        let desk = fixture.desk
        try fixture.library.create()
        let file = fixture.library.absolute("renditions/t1.webp")
        FileManager.default.createFile(atPath: file, contents: Data([1]))
        try await desk.saveArticle(
            ArticleContent(slug: "a", headline: "A"), photos: [ArticlePhotoInput(sha256: DeskFixture.sha(1))])
        do {
            try await desk.remove(DeskFixture.sha(1), force: false)
            Issue.record("removed a photo in use")
        } catch let error as DeskError {
            #expect(error.code == .inUse)
            #expect(
                error.message
                    == "photo \(DeskFixture.sha(1).prefix(16)) is used by 1 article photo(s) (a): unlink it first, or remove with --force (the articles keep a visible gap)"
            )
        }
        #expect(FileManager.default.fileExists(atPath: file))
        try await desk.remove(DeskFixture.sha(1), force: true)
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(try await desk.article(slug: "a", audience: .editors)?.0.photos.map(\.id) == [nil])
    }

    @Test("readers' view of a photo: no paths, no instructions, GPS at the library's precision")
    func readersView() async throws {
        let fixture = try await DeskFixture(photos: 1)
        let desk = fixture.desk
        let sha = DeskFixture.sha(1)
        let readers = Viewpoint(audience: .readers(at: fixture.now), location: .city)
        #expect(try await desk.document(sha256: sha, for: readers) == nil, "private until published")
        try await desk.setPublished(sha, true)
        let document = try #require(try await desk.document(sha256: sha, for: readers))
        #expect(document.paths == nil)
        #expect(document.fields.instructions == nil && document.fields.caption == "Photo 1")
        #expect(document.gps == GPS(latitude: 22.8, longitude: 105.0))
        #expect(document.renditions.allSatisfy { $0.path == nil })
        let json = String(decoding: try JSONEncoder().encode(document), as: UTF8.self)
        #expect(!json.contains("/photos/1.jpg") && !json.contains("Embargo") && !json.contains("22.8233"))
        let none = try #require(
            try await desk.document(sha256: sha, for: Viewpoint(audience: .readers(at: fixture.now), location: .none)))
        #expect(none.gps == nil)
        let editors = try #require(try await desk.document(sha256: sha, for: .editors))
        #expect(editors.paths == ["/photos/1.jpg"] && editors.fields.instructions == "Embargo until 6 pm")
        #expect(editors.gps == GPS(latitude: 22.82331, longitude: 104.98367))
    }

    @Test("publication from front matter: status and published, dates and date-times with offsets")
    func frontMatter() throws {
        #expect(try Publication.frontMatter(status: nil, published: nil, name: "a.md") == nil)
        let dated = try #require(try Publication.frontMatter(status: nil, published: "2020-09-21", name: "a.md"))
        #expect(dated.state == .published && dated.at == Date(timeIntervalSince1970: 1_600_646_400))
        let embargo = try #require(
            try Publication.frontMatter(status: "scheduled", published: "2020-09-21T08:00:00+07:00", name: "a.md"))
        #expect(embargo.state == .published && embargo.at == Date(timeIntervalSince1970: 1_600_650_000))
        #expect(try Publication.frontMatter(status: "draft", published: "2020-09-21", name: "a.md")?.state == .draft)
        #expect(
            try PublicationTime.parse("2020-09-21T08:00+07:00", name: "x") == Date(timeIntervalSince1970: 1_600_650_000)
        )
        do {
            _ = try Publication.frontMatter(status: "scheduled", published: nil, name: "a.md")
            Issue.record("scheduled without a time was accepted")
        } catch let error as DeskError {
            #expect(error.message == "a.md: status: scheduled needs published: with the time it goes public")
        }
        do {
            _ = try Publication.frontMatter(status: nil, published: "next tuesday", name: "a.md")
            Issue.record("a bad time was accepted")
        } catch let error as DeskError {
            #expect(
                error.message
                    == "a.md: \"next tuesday\" is not a publication time: write 2020-09-21 or 2020-09-21T08:00:00+07:00"
            )
        }
        #expect(throws: DeskError.self) { try Publication.frontMatter(status: "live", published: nil, name: "a.md") }
    }

    @Test("an embargoed article turns public at its second, with nothing run; unpublish hides it again")
    func embargo() async throws {
        let fixture = try await DeskFixture(photos: 1)
        let clock = Clock(fixture.now)
        let desk = Desk(store: fixture.catalog, library: fixture.library, clock: { clock.now })
        try await desk.saveArticle(
            ArticleContent(slug: "e", headline: "E"), photos: [ArticlePhotoInput(sha256: DeskFixture.sha(1))])
        let at = fixture.now.addingTimeInterval(10)
        try await desk.setPublication("e", Publication(state: .published, at: at, text: nil))
        #expect(try await desk.article(slug: "e", audience: desk.readers) == nil)
        #expect(try await desk.nextPublication() == at)
        clock.now = at.addingTimeInterval(-0.001)
        #expect(try await desk.article(slug: "e", audience: desk.readers) == nil)
        clock.now = at
        #expect(try await desk.article(slug: "e", audience: desk.readers)?.0.status == "published")
        #expect(try await desk.document(sha256: DeskFixture.sha(1), for: Viewpoint(audience: desk.readers)) != nil)
        try await desk.setPublication("e", Publication(state: .draft, at: nil, text: nil))
        #expect(try await desk.article(slug: "e", audience: desk.readers) == nil)
        #expect(try await desk.document(sha256: DeskFixture.sha(1), for: Viewpoint(audience: desk.readers)) == nil)
    }

    @Test("templates fill a field of many photos, with codes; a dry run changes nothing")
    func templates() async throws {
        let fixture = try await DeskFixture(photos: 2)
        let desk = fixture.desk
        let template = try CaptionTemplate("{caption} (Ảnh: {byline}, =tt=) #{n}")
        let codes = try CodeReplacements(tsv: "=tt=\tTTXVN\n", name: "desk.tsv")
        let dry = try await desk.applyTemplate(
            template, field: .caption, to: [DeskFixture.sha(1), DeskFixture.sha(2)], codes: codes, dryRun: true,
            author: "a")
        #expect(dry.map(\.after) == ["Photo 1 (Ảnh: An, TTXVN) #1", "Photo 2 (Ảnh: An, TTXVN) #2"])
        #expect(try await desk.caption(of: DeskFixture.sha(1)).revision == 1)
        let done = try await desk.applyTemplate(
            template, field: .caption, to: [DeskFixture.sha(1)], codes: codes, dryRun: false, author: "a")
        #expect(done.first?.revision == 2)
        #expect(try await desk.history(of: DeskFixture.sha(1)).last?.source == "template")
        do {
            _ = try CaptionTemplate("{place}")
            Issue.record("an unknown variable was accepted")
        } catch let error as DeskError {
            #expect(error.code == .invalid)
        }
    }

    @Test("a caption sheet: each row a revision, article links added once, unknown photos reported")
    func sheet() async throws {
        let fixture = try await DeskFixture(photos: 2)
        let desk = fixture.desk
        try await desk.saveArticle(ArticleContent(slug: "visit", headline: "Visit"), photos: [])
        let id1 = String(DeskFixture.sha(1).prefix(16))
        let sheet = try CaptionSheet.parse(
            "id,caption,keywords,article\n\(id1),Mới,a; b,visit\nffff,none,,\n", name: "s.csv", folder: "/")
        let outcomes = try await desk.importCaptions(sheet, author: "csv") { reference in
            try await desk.findPhoto(reference)?.sha256
        }
        #expect(outcomes.map(\.problem) == [nil, "no photo matches ffff (ingest it first)"])
        #expect(try await desk.caption(of: DeskFixture.sha(1)).fields.keywords == ["a", "b"])
        #expect(try await desk.usages(of: DeskFixture.sha(1)).map(\.slug) == ["visit"])
        _ = try await desk.importCaptions(sheet, author: "csv") { try await desk.findPhoto($0)?.sha256 }
        #expect(try await desk.usages(of: DeskFixture.sha(1)).count == 1, "linked once")
    }
}

/// A settable clock for embargo tests.
final class Clock: @unchecked Sendable {
    // @unchecked: `now` is only touched with `lock` held.
    private let lock = NSLock()
    private var value: Date

    init(_ start: Date) { value = start }

    var now: Date {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
