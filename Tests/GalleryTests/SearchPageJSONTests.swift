import Desk
import Foundation
import PhotoFactory
import Testing

@testable import Gallery

@Suite("Search results written as JSON")
struct SearchPageJSONTests {
    @Test("byte for byte what JSONEncoder writes: seeded pages with quotes, backslashes, control characters, Unicode")
    func sameAsJSONEncoder() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var random = SeededRandom(seed: 17)
        let pieces = [
            "Hà Nội", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{01}", "\u{1F}", "\u{7F}", "</script>",
            "🇻🇳", "e\u{301}", "\u{2028}", " ", "ảnh 12", "",
        ]
        for _ in 0..<2_000 {
            let results = (0..<Int.random(in: 0...4, using: &random)).map { index in
                SearchPage.Result(
                    sha256: String(format: "%016x", Int.random(in: 0..<Int.max, using: &random)),
                    caption: Bool.random(using: &random)
                        ? (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                            .joined() : nil,
                    score: Double(index % 3))
            }
            let page = SearchPage(
                results: results, total: Int.random(in: 0...500, using: &random),
                next: Bool.random(using: &random) ? "t\(Int.random(in: 1...2, using: &random)).42" : nil)
            let written = SearchPageJSON.encode(page)
            #expect(written == Array(try encoder.encode(page)), "\(String(decoding: written, as: UTF8.self))")
        }
        let odd = SearchPage(results: [.init(sha256: "ab", caption: nil, score: 1.5)], total: 1, next: nil)
        #expect(SearchPageJSON.encode(odd) == Array(try encoder.encode(odd)))
    }
}
