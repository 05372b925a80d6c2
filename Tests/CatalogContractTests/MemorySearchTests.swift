import Catalog
import Desk
import Foundation
import PhotoFactory
import PhotoModel
import Testing

@testable import CatalogSQLite

/// The SQLite catalog's search index copied into memory answers exactly as FTS5 does.
@Suite("SQLite search read from memory", .timeLimit(.minutes(5)))
struct MemorySearchTests {
    /// Words sharing prefixes, digits, and words FTS5 alone can split (not ASCII once folded).
    static let vocabulary = [
        "ha", "hai", "hanoi", "hang", "hanh", "noi", "nang", "nam", "da", "dang", "dong", "van", "vanh", "bo",
        "border", "bon", "tai", "anh", "2020", "20", "lung", "cu", "cua", "Łódź", "北京", "straße", "Ærø", "café",
        "x北京y", "ab2c",
    ]

    /// A catalog of `count` photos with seeded captions, some published (a few in the future),
    /// with two stores over its file: FTS5's and memory's.
    static func catalogs(count: Int, seed: UInt64) async throws -> (fts: Desk, memory: Desk, catalog: SQLiteCatalog) {
        let harness = try await Harness.make(.sqlite)
        var random = SeededRandom(seed: seed)
        var records: [IngestRecord] = []
        for index in 0..<count {
            let words = (0..<Int.random(in: 0...12, using: &random)).map { _ in
                vocabulary[Int.random(in: vocabulary.indices, using: &random)]
            }
            var fields = CaptionFields()
            fields.caption = words.isEmpty ? nil : words.joined(separator: Bool.random(using: &random) ? " " : ", ")
            fields.city = Int.random(in: 0..<4, using: &random) == 0 ? vocabulary.randomElement(using: &random) : nil
            records.append(
                Harness.record(
                    index + 1, fields: fields, createdAt: Date(timeIntervalSince1970: 1_600_000_000 + Double(index))))
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
        catalog.readSearchesFromMemory(.current)
        let clock = harness.clock
        return (harness.desk, Desk(store: catalog, library: harness.library, clock: { clock.now }), catalog)
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

    @Test("seeded queries, every page, editors and readers: the same results, totals and tokens as FTS5")
    func sameAsFTS5() async throws {
        let (fts, memory, catalog) = try await Self.catalogs(count: 2_500, seed: 7)
        var random = SeededRandom(seed: 11)
        var compared = 0
        var readable = 0
        for round in 0..<2 {
            if round == 1 {
                // Edits between the rounds: the copy is made again for the new counter.
                for index in stride(from: 0, to: 2_500, by: 50) {
                    try await fts.setCaption(
                        Harness.sha(index + 1), changes: CaptionChanges([.caption: "hanoi border Łódź \(index)"]),
                        basedOn: nil, author: "test", source: "test")
                }
            }
            for _ in 0..<150 {
                let words = (0..<Int.random(in: 1...3, using: &random)).map { _ -> String in
                    let word = SearchText.fold(Self.vocabulary[Int.random(in: Self.vocabulary.indices, using: &random)])
                    return String(word.prefix(Int.random(in: 1...max(1, word.count), using: &random)))
                }
                let query = (Bool.random(using: &random) ? "\"" : "") + words.joined(separator: " ")
                for audience in [Audience.editors, .readers(at: Date(timeIntervalSince1970: 1_700_000_000))] {
                    let before = catalog.searchMemoryStatus.answered
                    let expected = try await Self.pages(fts, query, audience: audience)
                    let observed = Bool.random(using: &random) ? try await catalog.changeCounter() : nil
                    let found = try await ObservedChanges.$counter.withValue(observed) {
                        try await Self.pages(memory, query, audience: audience)
                    }
                    #expect(found == expected, "\(query) for \(audience)")
                    compared += expected.map(\.results.count).reduce(0, +)
                    let ascii = SearchText.terms(query).allSatisfy(MemorySearchIndex.readsAlike)
                    if ascii {
                        readable += 1
                        #expect(catalog.searchMemoryStatus.answered - before == found.count, "\(query): from memory")
                    }
                }
            }
        }
        #expect(compared > 5_000, "the queries found photos")
        #expect(readable > 400, "most queries read memory")
        let status = catalog.searchMemoryStatus
        #expect(status.documents == 2_500 && status.words > 20)
        #expect(try await status.changes == catalog.changeCounter())
    }

    @Test("ASCII text splits into FTS5's own words")
    func asciiWordsAreFTS5s() throws {
        var random = SeededRandom(seed: 3)
        var texts: [(document: Int, body: String)] = []
        for document in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in
                UInt8.random(in: 1...127, using: &random)
            }
            texts.append((document, String(decoding: bytes, as: UTF8.self)))
        }
        let fts5 = try MemorySearchIndex.tokenizedByFTS5(texts)
        for (document, body) in texts {
            #expect(MemorySearchIndex.asciiTokens(body) == fts5[document] ?? [], "\(Array(body.utf8))")
        }
        #expect(MemorySearchIndex.asciiTokens("Hà Nội") == nil, "not ASCII: left to FTS5")
    }

    @Test("in the background: a change is searched through FTS5 until the new copy is made, then from memory")
    func background() async throws {
        let (fts, _, _) = try await Self.catalogs(count: 300, seed: 5)
        let library = fts.library
        let catalog = try SQLiteCatalog(path: library.catalogPath)
        catalog.searchMemory.state.withLock { $0.pause = 0 }
        catalog.readSearchesFromMemory(.background)
        await catalog.searchMemoryCopied()
        let desk = Desk(store: catalog, library: library)
        let first = try await desk.search(SearchQuery(text: "hanoi"), limit: 20, after: nil, audience: .editors)
        #expect(first.total > 0 && catalog.searchMemoryStatus.answered == 1)
        try await fts.setCaption(
            Harness.sha(7), changes: CaptionChanges([.caption: "zebra crossing"]), basedOn: nil, author: "test",
            source: "test")
        let stale = try await desk.search(SearchQuery(text: "zebra"), limit: 20, after: nil, audience: .editors)
        #expect(stale.results.map(\.sha256) == [Harness.sha(7)])
        #expect(catalog.searchMemoryStatus.answered == 1, "the old copy is not read after a change")
        await catalog.searchMemoryCopied()
        let fresh = try await desk.search(SearchQuery(text: "zebra"), limit: 20, after: nil, audience: .editors)
        #expect(fresh == stale)
        #expect(catalog.searchMemoryStatus.answered == 2)
        #expect(try await catalog.searchMemoryStatus.changes == catalog.changeCounter())
    }

    @Test("at the counter a request read: answered without reading the catalog, as that read found it")
    func observedCounter() async throws {
        let (fts, _, _) = try await Self.catalogs(count: 300, seed: 13)
        let catalog = try SQLiteCatalog(path: fts.library.catalogPath)
        catalog.searchMemory.state.withLock { $0.pause = 0 }
        catalog.readSearchesFromMemory(.background)
        await catalog.searchMemoryCopied()
        let desk = Desk(store: catalog, library: fts.library)
        let before = try await catalog.changeCounter()
        let search = { (query: String) in
            try await desk.search(SearchQuery(text: query), limit: 20, after: nil, audience: .editors)
        }
        let old = try await ObservedChanges.$counter.withValue(before) { try await search("zebra") }
        #expect(old.total == 0)
        #expect(catalog.searchMemoryStatus.withoutReading == 1)
        try await fts.setCaption(
            Harness.sha(3), changes: CaptionChanges([.caption: "zebra crossing"]), basedOn: nil, author: "test",
            source: "test")
        let after = try await catalog.changeCounter()
        // A request that read the counter after the change is answered through the catalog.
        let new = try await ObservedChanges.$counter.withValue(after) { try await search("zebra") }
        #expect(new.results.map(\.sha256) == [Harness.sha(3)])
        #expect(catalog.searchMemoryStatus.withoutReading == 1)
        // One that read it before is answered as the catalog was then.
        #expect(try await ObservedChanges.$counter.withValue(before) { try await search("zebra") } == old)
        #expect(catalog.searchMemoryStatus.withoutReading == 2)
        await catalog.searchMemoryCopied()
        #expect(try await ObservedChanges.$counter.withValue(after) { try await search("zebra") } == new)
        #expect(catalog.searchMemoryStatus.withoutReading == 3)
    }

    @Test("a catalog over the limit is not copied and searches read FTS5")
    func overTheLimit() async throws {
        let (fts, _, _) = try await Self.catalogs(count: 50, seed: 9)
        let catalog = try SQLiteCatalog(path: fts.library.catalogPath)
        catalog.searchMemory.state.withLock { $0.maximumDocuments = 49 }
        catalog.readSearchesFromMemory(.current)
        let desk = Desk(store: catalog, library: fts.library)
        for query in ["ha", "noi dong", "\"bo"] {
            let expected = try await fts.search(SearchQuery(text: query), limit: 20, after: nil, audience: .editors)
            #expect(
                try await desk.search(SearchQuery(text: query), limit: 20, after: nil, audience: .editors) == expected)
        }
        #expect(
            catalog.searchMemoryStatus
                == MemorySearchStatus(changes: nil, documents: 0, words: 0, bytes: 0, answered: 0, withoutReading: 0))
    }
}
