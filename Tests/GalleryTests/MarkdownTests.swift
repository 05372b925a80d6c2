import Gallery
import Testing

@Suite("Article Markdown")
struct MarkdownTests {
    @Test("a local link a browser would read as another site is plain text; site paths, http(s) and mailto stay links")
    func links() {
        let offSite = [
            "/\\evil.example", "/\t/evil.example", "//evil.example", "/%5C%5Cevil.example", "javascript:alert(1)",
        ]
        for target in offSite {
            #expect(Markdown.spans("[a](\(target))").allSatisfy { $0.href == nil }, "\(target)")
        }
        let kept = ["/photos?missing=caption", "https://mod.gov.vn/", "mailto:desk@example.org", "#view-2"]
        for target in kept {
            #expect(Markdown.spans("[a](\(target))").map(\.href) == [target], "\(target)")
        }
    }
}
