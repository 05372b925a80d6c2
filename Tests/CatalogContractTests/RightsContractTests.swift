import Catalog
import Desk
import Foundation
import PhotoModel
import Testing

/// The rights of the desk on every backend, driven as a desk would: rules loaded, an agency photo
/// refused at publish, leased, published, its lease ending at its second; an embargo held; a kill
/// withdrawing a photo everywhere; two editors leasing and killing at once.
@Suite("Catalog contract: rights, leases, kills and the publish guard", .timeLimit(.minutes(5)))
struct RightsContractTests {
    static let rules = """
        rules:
          - name: Reuters
            match:
              credit: { pattern: "*reuters*" }
            category: agency
            cost: pay
          - name: Handouts
            match:
              credit: { pattern: "*handout*" }
            category: handout
            cost: conditional
          - name: Banned
            match:
              source: Banned Agency
            category: agency
            cost: deny
        """

    /// 2023-11-15 00:00:00 UTC: the handout's embargo, one hour and a bit after the test clock.
    static let embargo = Date(timeIntervalSince1970: 1_700_006_400)
    /// An hour after it: the lease's end.
    static let leaseEnd = Date(timeIntervalSince1970: 1_700_010_000)

    /// Three photos: an agency one with restrictions, an embargoed handout, an unknown one with
    /// words the parser does not know; their fields set through the desk, as an editor would.
    func scene(_ harness: Harness) async throws -> [String] {
        try await harness.store.record([Harness.record(1), Harness.record(2), Harness.record(3)])
        try await harness.desk.loadRightsRules(Self.rules, source: "rights.yml", by: "chief")
        let fields: [[CaptionField: String?]] = [
            [
                .credit: "REUTERS", .instructions: "EDITORIAL USE ONLY. NO ARCHIVE. MANDATORY CREDIT",
                .caption: "Bến Nhà Rồng",
            ],
            [.credit: "Ministry handout", .instructions: "EMBARGOED UNTIL 2023-11-15 00:00 GMT", .caption: "Handout"],
            [.credit: "Stringer", .instructions: "PLEASE CALL THE PICTURE DESK BEFORE USE", .caption: "Cầu Rồng"],
        ]
        for (index, values) in fields.enumerated() {
            try await harness.desk.setCaption(
                Harness.sha(index + 1), changes: CaptionChanges(values), basedOn: nil, author: "an", source: "test")
        }
        return (1...3).map { Harness.sha($0) }
    }

    @Test(
        "an agency photo is refused at publish with its reason, leased, published, and gone from the live article at its lease's second",
        arguments: Backend.available)
    func leaseScenario(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let desk = harness.desk
        let photos = try await scene(harness)
        try await desk.saveArticle(
            ArticleContent(slug: "visit", headline: "Chuyến thăm"), photos: photos.map { ArticlePhotoInput(sha256: $0) }
        )

        // Refused now: the agency photo needs a lease, the handout is embargoed.
        let refused = await #expect(throws: DeskError.self) {
            try await desk.setPublication("visit", Publication(state: .published, at: nil, text: nil))
        }
        #expect(refused?.code == .refused)
        #expect(refused?.refusals.map(\.code) == ["needs-lease", "embargoed"])
        #expect(refused?.refusals.map(\.position) == [1, 2])
        #expect(refused?.message.contains("Reuters") == true, "the reason names the rule: \(refused?.message ?? "")")
        #expect(try await desk.article(slug: "visit", audience: .editors)?.1.state == .draft, "nothing was published")

        // Leased until an hour after the embargo; published for the embargo's time: the guard agrees.
        try await desk.lease(
            photos[0], allow: true, from: nil, until: Self.leaseEnd, article: nil, note: "invoice 4411", by: "an")
        try await desk.setPublication("visit", Publication(state: .published, at: Self.embargo, text: nil))

        func shown(at time: Date) async throws -> [String?] {
            guard let (document, _) = try await desk.article(slug: "visit", audience: .readers(at: time)) else {
                return []
            }
            return document.photos.map { $0.withheld ?? $0.id }
        }
        let ids = photos.map { String($0.prefix(16)) }
        #expect(try await shown(at: Self.embargo.addingTimeInterval(-1)).isEmpty, "the article itself is scheduled")
        #expect(try await shown(at: Self.embargo) == ids, "every photo runs from the article's second")
        #expect(try await shown(at: Self.leaseEnd.addingTimeInterval(-0.001)) == ids)
        #expect(
            try await shown(at: Self.leaseEnd) == ["not available", ids[1], ids[2]],
            "the lease ends: the photo leaves the live article at that second, nothing having run")
        // Every reader surface agrees: the photo, its renditions, search.
        let lookup = try #require(try await desk.rendition(shortId: ids[0], preset: "thumb"))
        #expect(Audience.readers(at: Self.leaseEnd.addingTimeInterval(-1)).sees(lookup.visibility))
        #expect(!Audience.readers(at: Self.leaseEnd).sees(lookup.visibility))
        let after = try await desk.search(
            SearchQuery(text: "Bến Nhà Rồng"), limit: 10, after: nil, audience: .readers(at: Self.leaseEnd))
        #expect(after.results.isEmpty)
        let before = try await desk.search(
            SearchQuery(text: "Bến Nhà Rồng"), limit: 10, after: nil,
            audience: .readers(at: Self.leaseEnd.addingTimeInterval(-1)))
        #expect(before.results.map(\.id) == [ids[0]])
        // The readers' caches end when the lease does.
        #expect(try await desk.nextPublication(after: Self.embargo) == Self.leaseEnd)

        // What the desk sees of the agency photo: its rights object and its history.
        let rights = try await desk.rights(of: photos[0])
        #expect(rights.category == "agency" && rights.cost == "pay" && rights.rule == "Reuters")
        #expect(rights.restrictions.map(\.kind.rawValue) == ["editorial-use-only", "no-archive", "mandatory-credit"])
        #expect(rights.mandatoryCredit == "REUTERS")
        #expect(rights.leases.map(\.note) == ["invoice 4411"])
        #expect(rights.history.map(\.action) == [.lease] && rights.history.first?.by == "an")
        // The unknown photo is conditional, and the words the parser did not know are kept.
        let unknown = try await desk.rights(of: photos[2])
        #expect(unknown.category == "unknown" && unknown.cost == "conditional")
        #expect(unknown.restrictions.map(\.kind) == [.unparsed])
        #expect(unknown.restrictions.first?.text.contains("PLEASE CALL THE PICTURE DESK") == true)
        // Search by rights.
        let pay = try await desk.photos(
            filters: SearchFilters(rights: .cost("pay")), limit: 10, after: nil, audience: .editors)
        #expect(pay.photos.map(\.sha256) == [photos[0]])
        #expect(try await desk.photoCount(filters: SearchFilters(rights: .restricted), audience: .editors) == 3)
    }

    @Test(
        "a kill withdraws the photo from every article and reader surface; it cannot be linked or leased until unkilled",
        arguments: Backend.available)
    func killScenario(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let desk = harness.desk
        let photos = try await scene(harness)
        try await desk.saveArticle(
            ArticleContent(
                slug: "bridge", headline: "Cầu", publication: Publication(state: .published, at: nil, text: nil)),
            photos: [ArticlePhotoInput(sha256: photos[2])])
        let now = harness.clock.now
        let id = String(photos[2].prefix(16))
        #expect(try await desk.article(slug: "bridge", audience: .readers(at: now))?.0.photos.map(\.id) == [id])
        try await desk.setKilled(photos[2], true, reason: "AFP kill notice: manipulated", by: "chief")
        let document = try #require(try await desk.article(slug: "bridge", audience: .readers(at: now))?.0)
        #expect(document.photos.map(\.withheld) == ["withdrawn"] && document.photos.first?.id == nil)
        #expect(try await desk.photo(shortId: id, for: Viewpoint(audience: .readers(at: now))) == nil)
        #expect(try await desk.document(sha256: photos[2], for: Viewpoint(audience: .readers(at: now))) == nil)
        let found = try #require(try await desk.rendition(shortId: id, preset: "thumb"))
        #expect(!Audience.readers(at: now).sees(found.visibility))
        #expect(try await desk.kills().map(\.reason) == ["AFP kill notice: manipulated"])
        #expect(try await desk.photoCount(filters: SearchFilters(rights: .killed), audience: .editors) == 1)
        try await desk.saveArticle(ArticleContent(slug: "other", headline: "Other"), photos: [])
        let linked = await #expect(throws: DeskError.self) { try await desk.link("other", photos: [photos[2]]) }
        #expect(linked?.code == .refused)
        let leased = await #expect(throws: DeskError.self) {
            try await desk.lease(photos[2], allow: true, from: nil, until: nil, article: nil, note: "x", by: "an")
        }
        #expect(leased?.code == .refused)
        let republished = await #expect(throws: DeskError.self) { try await desk.setPublished(photos[2], true) }
        #expect(republished?.code == .refused)
        try await desk.setKilled(photos[2], false, reason: "AFP lifted the kill", by: "chief")
        #expect(try await desk.article(slug: "bridge", audience: .readers(at: now))?.0.photos.map(\.id) == [id])
        #expect(try await desk.kills().isEmpty)
        #expect(try await desk.rights(of: photos[2]).history.map(\.action) == [.kill, .unkill])
    }

    @Test(
        "a lease for one article lets that article publish and its readers see the photo; another article is refused",
        arguments: Backend.available)
    func articleLease(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let desk = harness.desk
        let photos = try await scene(harness)
        for slug in ["leased", "other"] {
            try await desk.saveArticle(
                ArticleContent(slug: slug, headline: slug), photos: [ArticlePhotoInput(sha256: photos[0])])
        }
        try await desk.lease(
            photos[0], allow: true, from: nil, until: Self.leaseEnd, article: "leased", note: "one-off", by: "an")
        try await desk.setPublication("leased", Publication(state: .published, at: nil, text: nil))
        let now = harness.clock.now
        #expect(
            try await desk.article(slug: "leased", audience: .readers(at: now))?.0.photos.map(\.id) == [
                String(photos[0].prefix(16))
            ])
        let refused = await #expect(throws: DeskError.self) {
            try await desk.setPublication("other", Publication(state: .published, at: nil, text: nil))
        }
        #expect(refused?.refusals.map(\.code) == ["needs-lease"])
        #expect(refused?.refusals.first?.reason.contains("for article other") == true)
        // A ban for one article refuses that article and leaves readers' period as it was.
        try await desk.lease(photos[2], allow: false, from: nil, until: nil, article: "other", note: "no", by: "an")
        #expect(try await desk.rights(of: photos[2]).usableNow)
    }

    @Test("an import that publishes passes the same guard; as a draft it is saved", arguments: Backend.available)
    func importGuard(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let photos = try await scene(harness)
        let published = ArticleContent(
            slug: "wire", headline: "Wire", publication: Publication(state: .published, at: nil, text: nil))
        let refused = await #expect(throws: DeskError.self) {
            try await harness.desk.saveArticle(published, photos: [ArticlePhotoInput(sha256: photos[0])])
        }
        #expect(refused?.code == .refused && refused?.refusals.map(\.code) == ["needs-lease"])
        #expect(try await harness.desk.article(slug: "wire", audience: .editors) == nil, "nothing was saved")
        try await harness.desk.saveArticle(
            ArticleContent(slug: "wire", headline: "Wire"), photos: [ArticlePhotoInput(sha256: photos[0])])
        #expect(try await harness.desk.article(slug: "wire", audience: .editors)?.1.state == .draft)
    }

    @Test(
        "an admin's override publishes anyway and is kept in each refused photo's history", arguments: Backend.available
    )
    func override(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let photos = try await scene(harness)
        try await harness.desk.saveArticle(
            ArticleContent(slug: "now", headline: "Now"), photos: [ArticlePhotoInput(sha256: photos[0])])
        try await harness.desk.setPublication(
            "now", Publication(state: .published, at: nil, text: nil), override: "contract signed by phone", by: "chief"
        )
        let history = try await harness.desk.rights(of: photos[0]).history
        #expect(history.map(\.action) == [.override])
        #expect(history.first?.reason.contains("contract signed by phone") == true && history.first?.by == "chief")
        #expect(history.first?.article == "now")
    }

    @Test(
        "a rules file with a mistake is refused whole with its line and field; the rules in force stay",
        arguments: Backend.available)
    func badRules(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        _ = try await scene(harness)
        let bad = Self.rules.replacingOccurrences(of: "cost: deny", with: "cost: maybe")
        let error = await #expect(throws: DeskError.self) {
            try await harness.desk.loadRightsRules(bad, source: "rights.yml", by: "chief")
        }
        #expect(error?.message.contains("rights.yml line 16") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("cost") == true)
        #expect(try await harness.desk.rightsRules().text == Self.rules)
        #expect(try await harness.desk.rights(of: Harness.sha(1)).cost == "pay")
    }

    @Test(
        "two editors leasing and killing at once from two connections: both kept, the result one of the orders",
        arguments: Backend.available)
    func concurrentLeaseAndKill(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let photos = try await scene(harness)
        let other = Desk(store: try await harness.beside(), library: harness.library, clock: { harness.clock.now })
        for round in 0..<4 {
            let sha = photos[round % 2]
            let desk = harness.desk
            async let leasing = Result {
                try await desk.lease(
                    sha, allow: true, from: nil, until: nil, article: nil, note: "round \(round)", by: "an")
            }
            async let killing = Result { try await other.setKilled(sha, true, reason: "round \(round)", by: "binh") }
            let outcomes = await [leasing, killing]
            let rights = try await harness.desk.rights(of: sha)
            #expect(rights.killed, "the kill always lands")
            let leased = (try? outcomes[0].get()) != nil
            // Leasing after the kill is refused; before it, the lease is kept beside the kill.
            #expect(
                rights.history.filter { $0.action == .lease && $0.reason == "round \(round)" }.count == (leased ? 1 : 0)
            )
            #expect(rights.usableFrom == nil, "a killed photo never runs, whatever the order")
            try await harness.desk.setKilled(sha, false, reason: "next round", by: "binh")
        }
    }
}

extension Result where Failure == any Error {
    /// The result of an async body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

@Suite("Moving a desk keeps its rights", .timeLimit(.minutes(5)))
struct RightsCopyTests {
    @Test(
        "catalog copy carries the rules, leases, kills and rights history into PostgreSQL, and the counts are checked",
        .enabled(if: Backend.available.contains(.postgres)))
    func copyKeepsRights() async throws {
        let source = try await Harness.make(.sqlite)
        let photos = try await RightsContractTests().scene(source)
        try await source.desk.lease(
            photos[0], allow: true, from: nil, until: RightsContractTests.leaseEnd, article: nil, note: "invoice 7",
            by: "an")
        try await source.desk.setKilled(photos[2], true, reason: "kill notice", by: "chief")
        let target = try await Harness.make(.postgres)
        let report = try await CatalogCopy(from: source.desk, to: target.store).run()
        #expect(report.kills == 1 && report.leases == 1 && report.rights == 3, "\(report)")
        #expect(try await target.desk.rightsRules().text == RightsContractTests.rules)
        for sha in photos {
            let copied = try #require(try await target.store.rights(of: sha))
            let original = try #require(try await source.store.rights(of: sha))
            #expect(copied.state == original.state)
            #expect(copied.leases.map(\.note) == original.leases.map(\.note))
            #expect(copied.events.map(\.action) == original.events.map(\.action))
            #expect(
                copied.events.compactMap(\.leaseId) == copied.leases.compactMap(\.id),
                "the history names the copied lease")
            let visibility = try await source.store.photo(sha256: sha)?.visibility
            #expect(try await target.store.photo(sha256: sha)?.visibility == visibility)
        }
        #expect(try await target.desk.kills().map(\.reason) == ["kill notice"])
    }
}
