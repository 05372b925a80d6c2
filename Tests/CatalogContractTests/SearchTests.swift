import Catalog
import Foundation
import Testing

@Suite("Search", .serialized)
struct SearchTests {
    /// A catalog of generated captions, Vietnamese and English, shared by the tests (read only).
    static let shared: (SQLiteCatalog, [String: String]) = {
        let catalog = try! SQLiteCatalog(library: Library(path: NSTemporaryDirectory() + "search-\(UUID().uuidString)"))
        let places = ["Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "Nha Trang", "Vinh", "Buôn Ma Thuột"]
        let subjects = [
            "Bộ trưởng tiếp đoàn đại biểu", "Officials meet farmers", "Lễ khai giảng năm học mới",
            "Flood relief reaches villages",
            "Hội nghị hợp tác kinh tế", "Students at the new library", "Phiên chợ cuối tuần",
            "Fishermen return to port",
        ]
        var special: [String: String] = [:]
        for index in 0..<10_000 {
            let sha = String(format: "%016x", index + 1) + String(repeating: "0", count: 48)
            var caption =
                "\(subjects[index % subjects.count]) tại \(places[(index / 8) % places.count]), ảnh số \(index)."
            var city = places[(index / 8) % places.count]
            switch index {
            case 4242: caption = "Phiên chợ Đồng Văn sáng Chủ nhật"; city = "Đồng Văn"; special["dong van"] = sha
            case 777: caption = "Cột cờ Lũng Cú, điểm cực Bắc"; special["lung cu"] = sha
            case 9001: caption = "Ruộng bậc thang Hoàng Su Phì"; city = "Hoàng Su Phì"; special["ha giang"] = sha
            default: break
            }
            var fields = CaptionFields(
                caption: index % 97 == 0 ? nil : caption, byline: index % 2 == 0 ? "Nguyễn Văn An" : "Jane Doe")
            fields.city = city
            fields.region = index == 9001 ? "Hà Giang" : nil
            try! catalog.save(
                IngestEntry(
                    asset: AssetRecord(
                        sha256: sha, format: "jpeg", bytes: 1, width: 1, height: 1, orientation: 1,
                        takenAt: "2020-09-\(String(format: "%02d", index % 28 + 1))T10:00:00+07:00"),
                    location: LocationRecord(
                        path: "/photos/\(index).jpg", sha256: sha, size: 1, modifiedAt: 1, inode: Int64(index)),
                    captions: fields, captionSource: "embedded", renditions: [], author: "t"))
        }
        return (catalog, special)
    }()

    @Test(
        "folded Vietnamese: dong van finds Đồng Văn, Ha Giang and lung cu find theirs",
        arguments: ["dong van", "Ha Giang", "lung cu", "ĐỒNG VĂN", "Lũng Cú"])
    func folded(_ query: String) throws {
        let (catalog, special) = Self.shared
        let page = try catalog.search(SearchQuery(text: query), limit: 10, after: nil)
        let expected = try #require(special[SearchText.fold(query)])
        #expect(page.results.first?.id == String(expected.prefix(16)), "\(query): \(page.results)")
    }

    @Test("đ and Đ fold to d")
    func dStroke() {
        #expect(SearchText.fold("Đà Nẵng đẹp") == "da nang dep")
    }

    @Test("prefixes match, results are ranked, and pages by keyset cover every match once")
    func prefixAndPaging() throws {
        let (catalog, _) = Self.shared
        // The fixture's rule: every eighth photo (from the 7th) is a market, plus photo 4242; every 97th has no caption.
        let expected = (0..<10_000).filter { ($0 % 8 == 6 || $0 == 4242) && $0 % 97 != 0 }.count
        let first = try catalog.search(SearchQuery(text: "phien ch"), limit: 100, after: nil)
        #expect(first.total == expected)
        var seen = Set(first.results.map(\.id))
        var next = first.next
        var scores = first.results.map(\.score)
        while let token = next {
            let page = try catalog.search(SearchQuery(text: "phien ch"), limit: 100, after: token)
            seen.formUnion(page.results.map(\.id))
            scores += page.results.map(\.score)
            next = page.next
        }
        #expect(seen.count == expected)
        #expect(scores == scores.sorted(by: >), "best first")
    }

    @Test("the words as one phrase come first, then the words apart; newest first within each; pages cross the tiers")
    func phraseTier() throws {
        let (catalog, special) = Self.shared
        // "ha giang": photo 9001 holds the phrase (its region); "Lễ khai giảng ... tại Hà Nội / Hải Phòng"
        // hold both words apart.
        let all = try catalog.search(SearchQuery(text: "ha giang"), limit: 10_000, after: nil)
        #expect(all.total > 100)
        #expect(all.results.count == all.total)
        #expect(all.results.first?.id == special["ha giang"].map { String($0.prefix(16)) })
        #expect(all.results.first?.score == 2)
        #expect(all.results.dropFirst().allSatisfy { $0.score == 1 })
        let rest = all.results.dropFirst().map(\.id)
        #expect(rest == rest.sorted(by: >), "newest first within a tier")
        var paged: [String] = []
        var token: String?
        repeat {
            let page = try catalog.search(SearchQuery(text: "ha giang"), limit: 7, after: token)
            paged += page.results.map(\.id)
            token = page.next
        } while token != nil
        #expect(paged == all.results.map(\.id))
    }

    @Test(
        "malformed queries are plain words, never an error",
        arguments: ["\"unbalanced", "AND OR NOT", "dong* \"van", "(((", "-", "NEAR(a b", ""])
    func malformed(_ query: String) throws {
        let (catalog, _) = Self.shared
        _ = try catalog.search(SearchQuery(text: query), limit: 5, after: nil)
        let page = try catalog.search(SearchQuery(text: "\"lung cu"), limit: 5, after: nil)
        #expect(page.total == 1)
    }

    @Test("filters: missing caption (the desk's to-do list), byline, dates, camera")
    func filters() throws {
        let (catalog, _) = Self.shared
        let missing = try catalog.search(SearchQuery(missing: "caption"), limit: 500, after: nil)
        #expect(missing.total == (0..<10_000).filter { $0 % 97 == 0 }.count)
        #expect(missing.results.allSatisfy { $0.caption == nil })
        let byline = try catalog.search(SearchQuery(text: "hue", byline: "Jane"), limit: 10, after: nil)
        #expect(byline.total > 0)
        let day = String(format: "2020-09-%02d", 4242 % 28 + 1)
        let dated = try catalog.search(SearchQuery(text: "dong van", from: day, to: day), limit: 10, after: nil)
        #expect(dated.total == 1, "photo 4242 was taken on \(day)")
        let next = String(format: "2020-09-%02d", 4242 % 28 + 2)
        let none = try catalog.search(SearchQuery(text: "dong van", from: next), limit: 10, after: nil)
        #expect(none.total == 0)
    }
}
