import Catalog
import Desk
import Foundation
import PhotoFactory
import PhotoModel
import SearchMemory
import Testing

@testable import CatalogSQLite

/// The search index's copy in memory (`MemorySearch`) answers exactly as FTS5 does, and follows
/// the catalog change by change.
@Suite("Search from the copy in memory", .timeLimit(.minutes(5)))
struct MemorySearchTests {
    /// Words sharing prefixes, digits, and words that are not ASCII once folded; among them a
    /// Korean word and its start, which once folded (decomposed into jamo) is a prefix of its
    /// bytes but not of its characters.
    static let vocabulary = [
        "ha", "hai", "hanoi", "hang", "hanh", "noi", "nang", "nam", "da", "dang", "dong", "van", "vanh", "bo",
        "border", "bon", "tai", "anh", "2020", "20", "lung", "cu", "cua", "Łódź", "北京", "straße", "Ærø", "café",
        "x北京y", "ab2c", "대한민국", "대하",
    ]

    /// A catalog of `count` photos with seeded captions, some published (a few in the future), and
    /// two desks over it: FTS5's, and one whose searches the copy in memory answers.
    static func catalogs(count: Int, seed: UInt64) async throws -> (
        fts: Desk, memory: Desk, copy: MemorySearch, harness: Harness
    ) {
        let harness = try await Harness.make(.sqlite)
        var random = SeededRandom(seed: seed)
        var records: [IngestRecord] = []
        for index in 0..<count {
            records.append(
                Harness.record(
                    index + 1, fields: fields(&random),
                    createdAt: Date(timeIntervalSince1970: 1_600_000_000 + Double(index))))
        }
        for batch in stride(from: 0, to: records.count, by: 500) {
            try await harness.store.record(Array(records[batch..<min(batch + 500, records.count)]))
        }
        for index in 0..<count where Int.random(in: 0..<3, using: &random) > 0 {
            let offset = Double(Int.random(in: -1_000...200, using: &random))
            try await harness.store.setPhotoPublication(
                Harness.sha(index + 1), publishedAt: harness.clock.now.addingTimeInterval(offset))
        }
        let catalog = try SQLiteCatalog(path: harness.library.catalogPath)
        let copy = MemorySearch(feed: catalog, fallback: catalog, signal: catalog, mode: .catchingUpFirst)
        let clock = harness.clock
        let memory = Desk(store: catalog, library: harness.library, clock: { clock.now }, search: copy)
        return (harness.desk, memory, copy, harness)
    }

    static func fields(_ random: inout SeededRandom) -> CaptionFields {
        let words = (0..<Int.random(in: 0...12, using: &random)).map { _ in
            vocabulary[Int.random(in: vocabulary.indices, using: &random)]
        }
        var fields = CaptionFields()
        fields.caption = words.isEmpty ? nil : words.joined(separator: Bool.random(using: &random) ? " " : ", ")
        fields.city = Int.random(in: 0..<4, using: &random) == 0 ? vocabulary.randomElement(using: &random) : nil
        return fields
    }

    /// A seeded query: one to three words or prefixes of them, sometimes quoted.
    static func query(_ random: inout SeededRandom) -> String {
        let words = (0..<Int.random(in: 1...3, using: &random)).map { _ -> String in
            let word = SearchText.fold(vocabulary[Int.random(in: vocabulary.indices, using: &random)])
            return String(word.prefix(Int.random(in: 1...max(1, word.count), using: &random)))
        }
        return (Bool.random(using: &random) ? "\"" : "") + words.joined(separator: " ")
    }

    /// Every page of a search, with its total and the token of each page.
    static func pages(_ desk: Desk, _ query: String, audience: Audience) async throws -> [SearchPage] {
        var pages: [SearchPage] = []
        var token: String?
        repeat {
            let page = try await desk.search(SearchQuery(text: query), limit: 9, after: token, audience: audience)
            pages.append(page)
            token = page.next
        } while token != nil && pages.count < 6
        return pages
    }

    @Test(
        "seeded queries, every page, editors and readers, edits between rounds: the same results, totals and tokens as FTS5"
    )
    func sameAsFTS5() async throws {
        let (fts, memory, copy, harness) = try await Self.catalogs(count: 2_500, seed: 7)
        var random = SeededRandom(seed: 11)
        var compared = 0
        var pagesRead = 0
        for round in 0..<4 {
            switch round {
            case 1:
                // Caption edits, a new article using photos (their use texts), photos removed and
                // published: the copy takes each change as it is, not a new copy.
                for index in stride(from: 0, to: 2_500, by: 50) {
                    try await fts.setCaption(
                        Harness.sha(index + 1), changes: CaptionChanges([.caption: "hanoi border Łódź \(index)"]),
                        basedOn: nil, author: "test", source: "test")
                }
                try await fts.saveArticle(
                    ArticleContent(slug: "visit", headline: "Bộ trưởng thăm Đồng Văn", body: ""),
                    photos: (1...40).map {
                        ArticlePhotoInput(sha256: Harness.sha($0 * 7), caption: "Cột cờ Lũng Cú \($0)")
                    })
                try await fts.setPublication("visit", Publication(state: .published, at: nil, text: nil))
                for index in stride(from: 3, to: 2_500, by: 97) {
                    try await fts.remove(Harness.sha(index), force: true)
                }
            case 2:
                try await harness.store.record(
                    (2_501...2_600).map { Harness.record($0, fields: Self.fields(&random)) })
                for index in stride(from: 1, to: 2_500, by: 31) where index % 97 != 3 {
                    try await fts.setPublished(Harness.sha(index), true)
                }
            case 3:
                // One change at a time, a search after each: the prefixes' merged lists are
                // carried from change to change rather than made again.
                for step in 0..<40 {
                    let index = Int.random(in: 1...2_600, using: &random)
                    guard index % 97 != 3 || index > 2_500 else { continue }
                    try await fts.setCaption(
                        Harness.sha(index), changes: CaptionChanges([.caption: Self.fields(&random).caption]),
                        basedOn: nil, author: "test", source: "test")
                    let query = Self.query(&random)
                    let expected = try await Self.pages(fts, query, audience: .editors)
                    let found = try await Self.pages(memory, query, audience: .editors)
                    #expect(found == expected, "step \(step): \(query)")
                }
            default: break
            }
            let before = copy.status.answered
            for _ in 0..<120 {
                let query = Self.query(&random)
                for audience in [Audience.editors, .readers(at: harness.clock.now)] {
                    let expected = try await Self.pages(fts, query, audience: audience)
                    let found = try await Self.pages(memory, query, audience: audience)
                    #expect(found == expected, "round \(round): \(query) for \(audience)")
                    compared += expected.map(\.results.count).reduce(0, +)
                    pagesRead += found.count
                }
            }
            #expect(copy.status.answered - before == pagesRead, "round \(round): every page from memory")
            pagesRead = 0
        }
        #expect(compared > 5_000, "the queries found photos")
        let status = copy.status
        #expect(status.passedOn == 0)
        #expect(status.documents == 2_500 - 26 + 100 && status.tokens > 100)
        #expect(try await status.counter == harness.store.changeCounter())
        #expect(status.catchUps > 3, "caught up change by change")
    }

    @Test(
        "following: not yet loaded it passes searches on; one change behind, a search catches it up and is answered from memory"
    )
    func following() async throws {
        let (fts, _, _, harness) = try await Self.catalogs(count: 300, seed: 5)
        let catalog = try SQLiteCatalog(path: harness.library.catalogPath)
        let copy = MemorySearch(feed: catalog, fallback: catalog, signal: catalog, mode: .following)
        let desk = Desk(store: catalog, library: harness.library, search: copy)
        let zebra = SearchQuery(text: "zebra")
        // Before it has loaded, the backend answers.
        #expect(try await desk.search(zebra, limit: 5, after: nil, audience: .editors).total == 0)
        #expect(copy.status.passedOn == 1 && copy.status.counter == nil)
        try await copy.catchUp()
        #expect(try await desk.search(zebra, limit: 5, after: nil, audience: .editors).total == 0)
        #expect(copy.status.answered == 1)
        // A change elsewhere: the next search reads it into the copy first (one catch-up), then
        // is answered from memory, and finds it.
        let catchUps = copy.status.catchUps
        try await fts.setCaption(
            Harness.sha(1), changes: CaptionChanges([.caption: "a zebra at the border"]), basedOn: nil,
            author: "test", source: "test")
        #expect(try await desk.search(zebra, limit: 5, after: nil, audience: .editors).total == 1)
        #expect(copy.status.answered == 2 && copy.status.passedOn == 1)
        #expect(copy.status.catchUps == catchUps + 1)
        // At the version now: no further read.
        #expect(try await desk.search(zebra, limit: 5, after: nil, audience: .editors).total == 1)
        #expect(copy.status.answered == 3 && copy.status.catchUps == catchUps + 1)
        // Filters are the backend's.
        _ = try await desk.search(
            SearchQuery(text: "zebra", filters: SearchFilters(byline: "x")), limit: 5, after: nil, audience: .editors)
        #expect(copy.status.passedOn == 2)
    }

    @Test("a catalog larger than the copy may hold is left to the backend, and not read again at each change")
    func tooLarge() async throws {
        let (fts, _, _, harness) = try await Self.catalogs(count: 40, seed: 3)
        let catalog = try SQLiteCatalog(path: harness.library.catalogPath)
        let copy = MemorySearch(
            feed: catalog, fallback: catalog, signal: catalog, mode: .following, maximumDocuments: 30)
        let desk = Desk(store: catalog, library: harness.library, search: copy)
        try await copy.catchUp()
        #expect(copy.status.counter == nil && copy.status.documents == 0 && copy.status.catchUps == 1)
        try await fts.setCaption(
            Harness.sha(1), changes: CaptionChanges([.caption: "a zebra at the border"]), basedOn: nil,
            author: "test", source: "test")
        try await copy.catchUp()
        #expect(copy.status.catchUps == 1, "no second read of every document")
        #expect(try await desk.search(SearchQuery(text: "zebra"), limit: 5, after: nil, audience: .editors).total == 1)
        #expect(copy.status.passedOn == 1 && copy.status.answered == 0)
    }
}
