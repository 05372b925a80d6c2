import Catalog
import Desk
import Foundation
import PhotoModel
import Testing

@Suite("Catalog contract: photos, files and renditions", .timeLimit(.minutes(5)))
struct PhotoContractTests {
    @Test(
        "a recorded photo is found by hash, prefix and path, with its caption as revision 1",
        arguments: Backend.available)
    func recordAndFind(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let store = harness.store
        try await store.record([Harness.record(1, caption: "Cột cờ Lũng Cú", fields: CaptionFields([.byline: "An"]))])
        let sha = Harness.sha(1)
        let photo = try #require(try await store.photo(sha256: sha))
        #expect(photo.shortId == String(sha.prefix(16)))
        #expect(photo.camera == Camera(make: "Canon", model: "EOS R5"))
        #expect(photo.gps == GPS(latitude: 22.8233, longitude: 104.9836))
        #expect(photo.exposure.fNumber == 4 && photo.exposure.iso == 400)
        #expect(photo.sources == "{\"exif\":{}}")
        #expect(photo.publicFrom == nil, "a new photo is private")
        #expect(try await store.photos(hashPrefix: String(sha.prefix(6)), limit: 2).map(\.sha256) == [sha])
        #expect(try await store.photos(hashPrefix: "ffff", limit: 2).isEmpty)
        #expect(try await store.photos(hashPrefix: "not hex", limit: 2).isEmpty)
        #expect(try await store.location(path: "/photos/1.jpg")?.sha256 == sha)
        #expect(try await store.locationIndex()["/photos/1.jpg"]?.inode == 1)
        let caption = try #require(try await store.caption(of: sha))
        #expect(caption.revision == 1 && caption.fields.caption == "Cột cờ Lũng Cú" && caption.fields.byline == "An")
        let history = try await store.captionHistory(of: sha)
        #expect(history.map(\.field).sorted() == ["byline", "caption"])
        #expect(history.allSatisfy { $0.revision == 1 && $0.source == "embedded" })
        let details = try #require(try await store.details(sha256: sha))
        #expect(details.locations.map(\.path) == ["/photos/1.jpg"])
        #expect(details.renditions.map(\.preset) == ["thumb"])
        #expect(details.uses.isEmpty)
    }

    @Test("recording a known photo again adds its new location and keeps its caption", arguments: Backend.available)
    func duplicateLocation(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        try await harness.store.record([Harness.record(2, caption: "first")])
        try await harness.store.record([Harness.record(2, path: "/copies/2.jpg", caption: "second")])
        let sha = Harness.sha(2)
        #expect(try await harness.store.caption(of: sha)?.fields.caption == "first")
        #expect(
            try await harness.store.details(sha256: sha)?.locations.map(\.path) == ["/copies/2.jpg", "/photos/2.jpg"])
        #expect(try await harness.store.allLocations().count == 2)
        var seen = try #require(try await harness.store.location(path: "/copies/2.jpg"))
        seen.seenAt = Date(timeIntervalSince1970: 1_800_000_000)
        try await harness.store.touch(seen)
        #expect(try await harness.store.location(path: "/copies/2.jpg")?.seenAt == seen.seenAt)
    }

    @Test(
        "renditions: by photo, by short id and preset, replaced by preset, and stale fingerprints reported",
        arguments: Backend.available)
    func renditions(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let store = harness.store
        try await store.record([
            Harness.record(3, renditions: ["thumb", "large"]), Harness.record(4, renditions: ["thumb"]),
        ])
        let sha = Harness.sha(3)
        #expect(try await store.renditions(of: sha).map(\.preset) == ["thumb", "large"], "smallest first")
        let found = try #require(try await store.rendition(shortId: String(sha.prefix(16)), preset: "large"))
        #expect(found.rendition.width == 200 && found.publicFrom == nil)
        #expect(try await store.rendition(shortId: String(sha.prefix(16)), preset: "medium") == nil)
        #expect(try await store.rendition(shortId: "../../etc/passwd", preset: "thumb") == nil)
        var remade = found.rendition
        remade.bytes = 999
        remade.fingerprint = "f2"
        try await store.saveRenditions([remade], of: sha)
        #expect(try await store.renditions(of: sha).first { $0.preset == "large" }?.bytes == 999)
        #expect(try await store.allRenditions().count == 3)
        let stale = try await store.photosNeedingRenditions(fingerprints: ["thumb": "f1", "large": "f1"])
        #expect(stale == [sha, Harness.sha(4)], "3 has large made with f2; 4 has no large")
        #expect(try await store.photosNeedingRenditions(fingerprints: ["thumb": "f1"]).isEmpty)
        let cards = try await store.cards(sha256s: [sha, Harness.sha(4), Harness.sha(99)])
        #expect(cards.keys.sorted() == [sha, Harness.sha(4)])
        #expect(cards[sha]?.renditions.count == 2)
    }

    @Test(
        "listing pages by keyset newest first: no gap or repeat while newer photos arrive", arguments: Backend.available
    )
    func keysetStability(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let store = harness.store
        let base = Date(timeIntervalSince1970: 1_600_000_000)
        try await store.record((1...25).map { Harness.record($0, createdAt: base.addingTimeInterval(Double($0))) })
        var seen: [String] = []
        var cursor: PhotoCursor?
        var inserted = 100
        repeat {
            let page = try await store.photos(filters: SearchFilters(), limit: 4, after: cursor, audience: .editors)
            seen += page.map(\.sha256)
            cursor = page.count == 4 ? page.last?.cursor : nil
            // Newer photos arrive between pages: they are before the cursor, so never shown here.
            inserted += 1
            try await store.record([Harness.record(inserted, createdAt: base.addingTimeInterval(Double(inserted)))])
        } while cursor != nil
        #expect(seen == (1...25).reversed().map { Harness.sha($0) })
        #expect(try await store.photoCount(filters: SearchFilters(), audience: .editors) == 25 + inserted - 100)
        let (newer, older) = try await store.neighbours(of: Harness.sha(10), audience: .editors)
        #expect(newer?.sha256 == Harness.sha(11) && older?.sha256 == Harness.sha(9))
        // Two photos made in the same instant are still ordered, by hash.
        try await store.record([Harness.record(500, createdAt: base), Harness.record(501, createdAt: base)])
        let same = try await store.photos(
            filters: SearchFilters(), limit: 2,
            after: PhotoCursor(createdAt: base.addingTimeInterval(1), sha256: Harness.sha(1)),
            audience: .editors)
        #expect(same.map(\.sha256) == [Harness.sha(501), Harness.sha(500)])
        let token = try #require(same.first?.cursor.token)
        #expect(PhotoCursor(token: token) == same.first?.cursor)
        for bad in [
            "", "1_x", "99999999999999999999_" + Harness.sha(1), "-1_" + Harness.sha(1),
            "1_" + String(repeating: "AB", count: 32),
        ] {
            #expect(PhotoCursor(token: bad) == nil, "\(bad)")
        }
    }

    @Test(
        "a count that stops: at most the limit, exact below it; readers' pages and neighbours skip private photos",
        arguments: Backend.available)
    func countThatStops(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let store = harness.store
        let base = Date(timeIntervalSince1970: 1_600_000_000)
        try await store.record((1...30).map { Harness.record($0, createdAt: base.addingTimeInterval(Double($0))) })
        // Every third photo stays private; the others are public from `base`.
        for seed in 1...30 where seed % 3 != 0 {
            try await store.setPhotoPublication(Harness.sha(seed), publishedAt: base)
        }
        let readers = Audience.readers(at: base.addingTimeInterval(60))
        let all = SearchFilters()
        #expect(try await store.photoCount(filters: all, audience: .editors, upTo: nil) == 30)
        #expect(try await store.photoCount(filters: all, audience: .editors, upTo: 11) == 11)
        #expect(try await store.photoCount(filters: all, audience: .editors, upTo: 31) == 30)
        #expect(try await store.photoCount(filters: all, audience: readers, upTo: nil) == 20)
        #expect(try await store.photoCount(filters: all, audience: readers, upTo: 5) == 5)
        #expect(try await store.photoCount(filters: all, audience: readers, upTo: 21) == 20)
        #expect(try await store.photoCount(filters: all, audience: readers, upTo: 0) == 0)
        let page = try await store.photos(filters: all, limit: 4, after: nil, audience: readers).map(\.sha256)
        #expect(page == [29, 28, 26, 25].map { Harness.sha($0) })
        let (newer, older) = try await store.neighbours(of: Harness.sha(28), audience: readers)
        #expect(newer?.sha256 == Harness.sha(29) && older?.sha256 == Harness.sha(26), "27 is private")
        #expect(PhotoCount(counted: PhotoCount.shown).description == "10000")
        #expect(PhotoCount(counted: PhotoCount.shown + 1).description == "10,000+")
        #expect(!PhotoCount(counted: PhotoCount.shown + 1).isExact)
    }

    @Test(
        "a photo in an article is removed only when forced; the article then keeps a gap", arguments: Backend.available)
    func deleteGuard(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let store = harness.store
        try await store.record([Harness.record(5), Harness.record(6)])
        _ = try await store.saveArticle(
            Article(slug: "visit", headline: "Visit"),
            uses: [ArticleUse(position: 1, sha256: Harness.sha(5)), ArticleUse(position: 2, sha256: Harness.sha(6))],
            expectingVersion: nil)
        await #expect(throws: CatalogError.self) { try await store.deletePhoto(Harness.sha(5), requireUnused: true) }
        #expect(try await store.photo(sha256: Harness.sha(5)) != nil)
        let removed = try await store.deletePhoto(Harness.sha(5), requireUnused: false)
        #expect(removed.map(\.preset) == ["thumb"])
        #expect(try await store.photo(sha256: Harness.sha(5)) == nil)
        #expect(try await store.caption(of: Harness.sha(5)) == nil)
        let article = try #require(try await store.article(slug: "visit"))
        #expect(article.uses.map(\.sha256) == [nil, Harness.sha(6)], "a gap keeps its place")
    }

    @Test(
        "publication: a photo published on its own is public from then; readers see only public photos",
        arguments: Backend.available)
    func photoPublication(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let store = harness.store
        try await store.record([Harness.record(7), Harness.record(8)])
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        try await store.setPhotoPublication(Harness.sha(7), publishedAt: now)
        #expect(try await store.photo(sha256: Harness.sha(7))?.publicFrom == now)
        let readers = Audience.readers(at: now)
        #expect(
            try await store.photos(filters: SearchFilters(), limit: 10, after: nil, audience: readers).map(\.sha256)
                == [Harness.sha(7)])
        #expect(try await store.photoCount(filters: SearchFilters(), audience: readers) == 1)
        #expect(
            try await store.photoCount(filters: SearchFilters(), audience: .readers(at: now.addingTimeInterval(-1)))
                == 0)
        #expect(
            try await store.rendition(shortId: String(Harness.sha(7).prefix(16)), preset: "thumb")?.publicFrom == now)
        try await store.setPhotoPublication(Harness.sha(7), publishedAt: nil)
        #expect(try await store.photoCount(filters: SearchFilters(), audience: readers) == 0)
        await #expect(throws: CatalogError.self) {
            try await store.setPhotoPublication(Harness.sha(77), publishedAt: now)
        }
        let statistics = try await store.statistics(audience: .editors)
        #expect(statistics.photos == 2 && statistics.locations == 2 && statistics.renditions == 2)
        #expect(try await store.statistics(audience: readers).photos == 0)
    }

    @Test("every committed write moves the change counter", arguments: Backend.available)
    func changeCounter(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let store = harness.store
        let first = try await store.changeCounter()
        try await store.record([Harness.record(9)])
        let second = try await store.changeCounter()
        #expect(second > first)
        try await harness.desk.setCaption(
            Harness.sha(9), changes: CaptionChanges([.caption: "x"]), basedOn: nil, author: "a", source: "t")
        let third = try await store.changeCounter()
        #expect(third > second)
        _ = try await store.saveArticle(Article(slug: "a", headline: "A"), uses: [], expectingVersion: nil)
        #expect(try await store.changeCounter() > third)
    }
}
