import Catalog
import Desk
import Foundation
import PhotoModel
import Testing

@Suite("Catalog contract: search", .timeLimit(.minutes(5)))
struct SearchContractTests {
    static let places = ["Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "Nha Trang", "Vinh", "Buôn Ma Thuột"]
    static let subjects = [
        "Bộ trưởng tiếp đoàn đại biểu", "Officials meet farmers", "Lễ khai giảng năm học mới",
        "Flood relief reaches villages", "Hội nghị hợp tác kinh tế", "Students at the new library",
        "Phiên chợ cuối tuần", "Fishermen return to port",
    ]
    static let count = 1_200

    /// A catalog of generated captions, Vietnamese and English; photo n is newer than n - 1.
    static func catalog(_ backend: Backend) async throws -> Harness {
        let harness = try await Harness.make(backend)
        var records: [IngestRecord] = []
        for index in 0..<count {
            var fields = CaptionFields()
            var caption =
                "\(subjects[index % subjects.count]) tại \(places[(index / 8) % places.count]), ảnh số \(index)."
            fields.city = places[(index / 8) % places.count]
            switch index {
            case 424: caption = "Phiên chợ Đồng Văn sáng Chủ nhật"; fields.city = "Đồng Văn"
            case 777: caption = "Cột cờ Lũng Cú, điểm cực Bắc"
            case 901: caption = "Ruộng bậc thang Hoàng Su Phì"; fields.city = "Hoàng Su Phì"; fields.region = "Hà Giang"
            // Decomposed (NFD) text, as some systems send it.
            case 1001: caption = "Đường lên Mèo Vạc".decomposedStringWithCanonicalMapping
            default: break
            }
            fields.caption = index % 97 == 0 ? nil : caption
            fields.byline = index % 2 == 0 ? "Nguyễn Văn An" : "Jane Doe"
            records.append(
                Harness.record(
                    index + 1, fields: fields, createdAt: Date(timeIntervalSince1970: 1_600_000_000 + Double(index)),
                    takenAt: "2020-09-\(String(format: "%02d", index % 28 + 1))T10:00:00+07:00"))
        }
        for batch in stride(from: 0, to: records.count, by: 300) {
            try await harness.store.record(Array(records[batch..<min(batch + 300, records.count)]))
        }
        return harness
    }

    static func id(_ index: Int) -> String { String(Harness.sha(index + 1).prefix(16)) }

    @Test("folded Vietnamese, đ/Đ and decomposed input find the same photos", arguments: Backend.available)
    func folding(_ backend: Backend) async throws {
        let desk = try await Self.catalog(backend).desk
        let expectations: [(String, Int)] = [
            ("dong van", 424), ("ĐỒNG VĂN", 424), ("Đồng Văn".decomposedStringWithCanonicalMapping, 424),
            ("lung cu", 777), ("Lũng Cú", 777), ("hoang su phi", 901), ("meo vac", 1001), ("Mèo Vạc", 1001),
        ]
        for (query, index) in expectations {
            let page = try await desk.search(SearchQuery(text: query), limit: 5, after: nil, audience: .editors)
            #expect(page.results.first?.id == Self.id(index), "\(query)")
        }
        #expect(SearchText.fold("Đà Nẵng đẹp") == "da nang dep")
    }

    @Test(
        "the words as a phrase come first, then apart; newest first within each; pages cross tiers",
        arguments: Backend.available)
    func tiers(_ backend: Backend) async throws {
        let desk = try await Self.catalog(backend).desk
        let all = try await desk.search(SearchQuery(text: "ha giang"), limit: 200, after: nil, audience: .editors)
        #expect(all.total > 20)
        #expect(all.results.count == all.total)
        #expect(all.results.first?.id == Self.id(901), "the phrase (the region Hà Giang) first")
        #expect(all.results.first?.score == 2)
        #expect(all.results.dropFirst().allSatisfy { $0.score == 1 })
        let rest = all.results.dropFirst().map(\.id)
        #expect(rest == rest.sorted(by: >), "newest first within a tier")
        var paged: [String] = []
        var token: String?
        repeat {
            let page = try await desk.search(SearchQuery(text: "ha giang"), limit: 7, after: token, audience: .editors)
            paged += page.results.map(\.id)
            token = page.next
        } while token != nil
        #expect(paged == all.results.map(\.id))
    }

    @Test(
        "a phrase is the AND of its neighbouring pairs (found apart they count too), its last word a prefix",
        arguments: Backend.available)
    func phrases(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let captions = [
            "Bộ trưởng tại Hà Nội bổ nhiệm cán bộ",  // 1: "ha noi bo" as a phrase (bo* as a prefix: bổ)
            "Nội bộ ngành họp tại Hà Nội",  // 2: the pairs "noi bo" and "ha noi" apart: the phrase's pairs
            "Hà Nội, Bộ Ngoại giao",  // 3: "ha noi bo" again, punctuation between the words
            "Hà Giang và Nội Bài, bộ đội",  // 4: every word, no pair
            "Hà Nội",  // 5: two of the three words
        ]
        try await harness.store.record(
            captions.enumerated().map { index, caption in
                Harness.record(
                    index + 1, caption: caption, createdAt: Date(timeIntervalSince1970: 1_600_000_000 + Double(index)))
            })
        let page = try await harness.desk.search(
            SearchQuery(text: "ha noi bo"), limit: 10, after: nil, audience: .editors)
        let phrase = page.results.filter { $0.score == 2 }.map(\.id)
        let apart = page.results.filter { $0.score == 1 }.map(\.id)
        let id = { (seed: Int) in String(Harness.sha(seed).prefix(16)) }
        // Every backend answers a phrase from its pairs alone, without positions (SearchTokens): a
        // caption holding each pair somewhere is in the phrase's tier.
        #expect(phrase == [id(3), id(2), id(1)], "the phrase's pairs, newest first")
        #expect(apart == [id(4)], "the words without the pairs, newest first")
        #expect(page.total == 4)
        let quoted = try await harness.desk.search(
            SearchQuery(text: "\"noi bo"), limit: 10, after: nil, audience: .editors)
        #expect(quoted.results.filter { $0.score == 2 }.map(\.id) == [id(3), id(2), id(1)])
        let exact = try await harness.desk.search(
            SearchQuery(text: "ha noi"), limit: 10, after: nil, audience: .editors)
        #expect(exact.results.filter { $0.score == 2 }.map(\.id) == [id(5), id(3), id(2), id(1)])
    }

    @Test("a count stops at the cap: more matches are reported as the cap, fewer exactly", arguments: Backend.available)
    func countCap(_ backend: Backend) async throws {
        let harness = try await Self.catalog(backend)
        // "anh so" (ảnh số) is in every caption but the 13 left blank: 1,187 matches.
        let matches = (0..<Self.count).filter { $0 % 97 != 0 }.count
        #expect(matches > TextMatch.countCap)
        // Readers see the first 600 photos (593 captioned): over the cap too.
        for index in 0..<600 {
            try await harness.store.setPhotoPublication(
                Harness.sha(index + 1), publishedAt: Date(timeIntervalSince1970: 1_600_000_000))
        }
        for audience in [Audience.editors, .readers(at: Date())] {
            let many = try await harness.desk.search(
                SearchQuery(text: "anh so"), limit: 20, after: nil, audience: audience)
            #expect(many.total == TextMatch.countCap, "\(audience)")
            #expect(many.results.count == 20 && many.next != nil)
        }
        // Under the cap, readers' counts are exact: captions at Hà Giang among the public photos.
        let few = try await harness.desk.search(
            SearchQuery(text: "ha giang"), limit: 200, after: nil, audience: .readers(at: Date()))
        #expect(few.total == few.results.count && few.total > 0 && few.next == nil)
        let editors = try await harness.desk.search(
            SearchQuery(text: "ha giang"), limit: 200, after: nil, audience: .editors)
        #expect(editors.total > few.total, "private photos are not counted for readers")
    }

    @Test(
        "searchTiers answers as searchHits and searchCount called one by one, from any tier and document",
        arguments: Backend.available)
    func tieredInOneRead(_ backend: Backend) async throws {
        let harness = try await Self.catalog(backend)
        for index in stride(from: 0, to: 900, by: 2) {
            try await harness.store.setPhotoPublication(
                Harness.sha(index + 1), publishedAt: Date(timeIntervalSince1970: 1_600_000_000))
        }
        let words = [SearchTerm("ha", prefix: false), SearchTerm("giang", prefix: true)]
        let tiers = [TextMatch(terms: words, mode: .phrase), TextMatch(terms: words, mode: .allTermsNotPhrase)]
        let newest = try await harness.store.searchHits(
            tiers[1], filters: SearchFilters(), audience: .editors, before: nil, limit: 10)
        #expect(newest.count == 10)
        var compared = 0
        for audience in [Audience.editors, .readers(at: Date())] {
            for filters in [SearchFilters(), SearchFilters(byline: "jane")] {
                for (startTier, before) in [(0, nil), (1, nil), (1, newest[4].document), (0, Int64(2)), (2, nil)] {
                    for limit in [1, 3, 25, 500] {
                        let search = TieredSearch(
                            tiers: tiers, startTier: startTier, before: before, limit: limit,
                            counting: limit == 3 ? nil : TextMatch(terms: words, mode: .allTerms), filters: filters,
                            audience: audience)
                        let together = try await harness.search.searchTiers(search)
                        let oneByOne = try await harness.search.searchTiersOneByOne(search)
                        #expect(
                            together == oneByOne,
                            "\(audience) \(filters) from \(startTier)/\(String(describing: before)), \(limit)")
                        #expect((together.total == nil) == (limit == 3))
                        compared += together.hits.count
                    }
                }
            }
        }
        #expect(compared > 200, "the cases found hits")
        let page = try await harness.search.searchTiers(
            TieredSearch(
                tiers: tiers, limit: 25, counting: TextMatch(terms: words, mode: .allTerms), filters: SearchFilters(),
                audience: .editors))
        #expect(page.hits.first?.tier == 0 && page.hits.last?.tier == 1)
        #expect(page.hits.first?.hit.sha256 == Harness.sha(902))
    }

    @Test("prefixes match from two letters; pages by keyset cover every match once", arguments: Backend.available)
    func prefixes(_ backend: Backend) async throws {
        let desk = try await Self.catalog(backend).desk
        let expected = (0..<Self.count).filter { ($0 % 8 == 6 || $0 == 424) && $0 % 97 != 0 }.count
        var seen = Set<String>()
        var token: String?
        var total = 0
        repeat {
            let page = try await desk.search(SearchQuery(text: "phien ch"), limit: 50, after: token, audience: .editors)
            total = page.total
            seen.formUnion(page.results.map(\.id))
            token = page.next
        } while token != nil
        #expect(total == expected && seen.count == expected)
        let one = try await desk.search(SearchQuery(text: "p"), limit: 5, after: nil, audience: .editors)
        #expect(one.total == 0, "a single letter is a whole word, not a prefix")
    }

    @Test(
        "malformed queries are plain words, never an error; a malformed page token is refused as invalid",
        arguments: Backend.available.flatMap { backend in
            ["\"unbalanced", "AND OR NOT", "dong* \"van", "(((", "-", "NEAR(a b", "", "ൎ\"", "ൎ\"ൎ:", "a:b", "^x"].map {
                (backend, $0)
            }
        })
    func malformed(_ backend: Backend, _ query: String) async throws {
        let desk = try await Self.catalog(backend).desk
        _ = try await desk.search(SearchQuery(text: query), limit: 5, after: nil, audience: .editors)
        let page = try await desk.search(SearchQuery(text: "\"lung cu"), limit: 5, after: nil, audience: .editors)
        #expect(page.total == 1)
        // A page token that is not one is refused as invalid, never a store error or a trap.
        for token in [
            "x", "t3.1", "t2.-1", "t2.99999999999999999999", "r.junk", "t1.1e3", String(repeating: "t", count: 5000),
        ] {
            let error = await #expect(throws: DeskError.self, "after \(token.prefix(20))") {
                try await desk.search(SearchQuery(text: "lung cu"), limit: 5, after: token, audience: .editors)
            }
            #expect(error?.code == .invalid)
        }
    }

    @Test(
        "filters: missing caption, byline, dates, article; readers find only public photos",
        arguments: Backend.available)
    func filters(_ backend: Backend) async throws {
        let harness = try await Self.catalog(backend)
        let desk = harness.desk
        let missing = try await desk.search(
            SearchQuery(filters: SearchFilters(missing: .caption)), limit: 200, after: nil, audience: .editors)
        #expect(missing.total == (0..<Self.count).filter { $0 % 97 == 0 }.count)
        let byline = try await desk.search(
            SearchQuery(text: "hue", filters: SearchFilters(byline: "Jane")), limit: 10, after: nil, audience: .editors)
        #expect(byline.total > 0)
        let day = String(format: "2020-09-%02d", 424 % 28 + 1)
        let dated = try await desk.search(
            SearchQuery(text: "dong van", filters: SearchFilters(from: day, to: day)), limit: 10, after: nil,
            audience: .editors)
        #expect(dated.total == 1)
        let wildcard = try await desk.search(
            SearchQuery(text: "hue", filters: SearchFilters(byline: "%")), limit: 10, after: nil, audience: .editors)
        #expect(wildcard.total == 0, "LIKE wildcards in a filter are literal")
        // Readers: nothing is public yet; then one published photo, and an article's.
        let readers = Audience.readers(at: harness.clock.now)
        #expect(try await desk.search(SearchQuery(text: "lung cu"), limit: 5, after: nil, audience: readers).total == 0)
        try await desk.setPublished(Harness.sha(778), true)
        let found = try await desk.search(SearchQuery(text: "lung cu"), limit: 5, after: nil, audience: readers)
        #expect(found.results.map(\.id) == [Self.id(777)] && found.total == 1)
        try await desk.saveArticle(
            ArticleContent(
                slug: "market", headline: "Chợ vùng cao",
                publication: Publication(state: .published, at: harness.clock.now.addingTimeInterval(-1), text: nil)),
            photos: [ArticlePhotoInput(sha256: Harness.sha(425), caption: "Người dân đi chợ phiên")])
        let byArticle = try await desk.search(
            SearchQuery(text: "cho vung cao"), limit: 5, after: nil, audience: readers)
        #expect(byArticle.results.map(\.id) == [Self.id(424)], "the article's headline is part of its photo's text")
        let inArticle = try await desk.search(
            SearchQuery(filters: SearchFilters(article: "market")), limit: 5, after: nil, audience: readers)
        #expect(inArticle.results.map(\.id) == [Self.id(424)])
        // A reader's search follows publication as it changes: unpublished, the photo is gone;
        // in an article scheduled for later, it is found from that time on, by words and count.
        try await desk.setPublished(Harness.sha(778), false)
        #expect(try await desk.search(SearchQuery(text: "lung cu"), limit: 5, after: nil, audience: readers).total == 0)
        let later = harness.clock.now.addingTimeInterval(3600)
        try await desk.saveArticle(
            ArticleContent(
                slug: "flag", headline: "Cực Bắc", publication: Publication(state: .published, at: later, text: nil)),
            photos: [ArticlePhotoInput(sha256: Harness.sha(778), caption: "Cột cờ")])
        for (audience, expected) in [
            (readers, [String]()), (.readers(at: later.addingTimeInterval(1)), [Self.id(777)]),
        ] {
            let page = try await desk.search(SearchQuery(text: "lung cu"), limit: 5, after: nil, audience: audience)
            #expect(page.results.map(\.id) == expected && page.total == expected.count, "\(audience)")
        }
    }
}
