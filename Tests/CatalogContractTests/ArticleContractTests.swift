import Catalog
import Desk
import Foundation
import PhotoModel
import Testing

@Suite("Catalog contract: articles", .timeLimit(.minutes(5)))
struct ArticleContractTests {
    @Test(
        "articles: created once by slug, updated by version, uses replaced in order with their photos' cards",
        arguments: Backend.available)
    func articles(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let store = harness.store
        try await store.record([Harness.record(1, caption: "one"), Harness.record(2, caption: "two")])
        let created = try await store.saveArticle(
            Article(slug: "visit", headline: "Visit", body: "Text"),
            uses: [
                ArticleUse(
                    position: 1, sha256: Harness.sha(1), caption: "as used",
                    crop: Crop(x: 0, y: 0, width: 160, height: 90, preset: "hero"), searchText: "visit as used"),
                ArticleUse(position: 2, sha256: Harness.sha(2)),
            ], expectingVersion: nil)
        #expect(created.version == 1 && created.id != nil)
        await #expect(throws: CatalogError.self) {
            _ = try await store.saveArticle(Article(slug: "visit", headline: "Again"), uses: [], expectingVersion: nil)
        }
        let bundle = try #require(try await store.article(slug: "visit"))
        #expect(bundle.article.headline == "Visit" && bundle.article.body == "Text")
        #expect(bundle.uses.map(\.position) == [1, 2])
        #expect(bundle.uses[0].caption == "as used" && bundle.uses[0].crop?.preset == "hero")
        #expect(bundle.photos[Harness.sha(2)]?.caption.caption == "two")
        var changed = bundle.article
        changed.headline = "Visit, updated"
        let updated = try await store.saveArticle(
            changed, uses: [ArticleUse(position: 1, sha256: Harness.sha(2))], expectingVersion: 1)
        #expect(updated.version == 2)
        do {
            _ = try await store.saveArticle(changed, uses: [], expectingVersion: 1)
            Issue.record("a save from an old version was applied")
        } catch let error as CatalogError {
            #expect(error.code == .conflict)
        }
        #expect(try await store.article(slug: "visit")?.uses.map(\.sha256) == [Harness.sha(2)])
        #expect(try await store.uses(of: Harness.sha(2)).map(\.slug) == ["visit"])
        #expect(try await store.uses(of: Harness.sha(1)).isEmpty)
        #expect(try await store.article(slug: "nothing") == nil)
    }

    @Test(
        "publication: a published article makes its photos public from its time; drafts and embargoes do not",
        arguments: Backend.available)
    func articlePublication(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let store = harness.store
        try await store.record([Harness.record(1), Harness.record(2), Harness.record(3)])
        let noon = Date(timeIntervalSince1970: 1_700_000_000)
        _ = try await store.saveArticle(
            Article(slug: "live", headline: "Live", state: .published, publishAt: noon.addingTimeInterval(-60)),
            uses: [ArticleUse(position: 1, sha256: Harness.sha(1))], expectingVersion: nil)
        _ = try await store.saveArticle(
            Article(slug: "embargo", headline: "Embargo", state: .published, publishAt: noon.addingTimeInterval(3600)),
            uses: [ArticleUse(position: 1, sha256: Harness.sha(2))], expectingVersion: nil)
        _ = try await store.saveArticle(
            Article(slug: "draft", headline: "Draft"), uses: [ArticleUse(position: 1, sha256: Harness.sha(3))],
            expectingVersion: nil)
        let readers = Audience.readers(at: noon)
        #expect(try await store.articles(limit: 10, audience: readers).map(\.slug) == ["live"])
        #expect(try await store.articles(limit: 10, audience: .editors).count == 3)
        #expect(
            try await store.articles(limit: 10, audience: .readers(at: noon.addingTimeInterval(3600))).map(\.slug)
                .sorted()
                == ["embargo", "live"])
        #expect(
            try await store.photos(filters: SearchFilters(), limit: 10, after: nil, audience: readers).map(\.sha256)
                == [Harness.sha(1)])
        #expect(try await store.photo(sha256: Harness.sha(2))?.publicFrom == noon.addingTimeInterval(3600))
        #expect(try await store.photo(sha256: Harness.sha(3))?.publicFrom == nil)
        #expect(try await store.nextPublication(after: noon) == noon.addingTimeInterval(3600))
        #expect(try await store.nextPublication(after: noon.addingTimeInterval(3600)) == nil)
        // Taken back: the photo is private again.
        let live = try #require(try await store.article(slug: "live"))
        var draft = live.article
        draft.state = .draft
        _ = try await store.saveArticle(draft, uses: live.uses, expectingVersion: live.article.version)
        #expect(try await store.photo(sha256: Harness.sha(1))?.publicFrom == nil)
        #expect(try await store.statistics(audience: readers).articles == 0)
    }
}
