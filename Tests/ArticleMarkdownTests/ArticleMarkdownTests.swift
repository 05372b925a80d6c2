import ArticleMarkdown
import Foundation
import Testing

@Suite("Article bodies: what a news article uses")
struct ArticleConstructsTests {
    @Test("a paragraph becomes a p element and is the summary")
    func paragraph() {
        let body = ArticleMarkdown.parse("The mayor spoke on Tuesday.")
        #expect(body.blocks == [.html("<p>The mayor spoke on Tuesday.</p>\n")])
        #expect(body.html == "<p>The mayor spoke on Tuesday.</p>\n")
        #expect(body.plainText == "The mayor spoke on Tuesday.")
        #expect(body.firstParagraph == "The mayor spoke on Tuesday.")
    }

    @Test(
        "headings sit one level under the page's headline (# is h2, ## is h3, ###### stays h6) and are not paragraphs")
    func heading() {
        let body = ArticleMarkdown.parse("# Flood defences")
        #expect(body.html == "<h2>Flood defences</h2>\n")
        #expect(body.plainText == "Flood defences")
        #expect(body.firstParagraph == nil)
        #expect(ArticleMarkdown.parse("## Dykes").html == "<h3>Dykes</h3>\n")
        #expect(ArticleMarkdown.parse("Sluices\n---").html == "<h3>Sluices</h3>\n")
        #expect(ArticleMarkdown.parse("###### Gates").html == "<h6>Gates</h6>\n")
    }

    @Test("a quote with a citation line becomes a blockquote of two paragraphs")
    func quoteWithCitation() {
        let body = ArticleMarkdown.parse("> We will rebuild.\n>\n> — Jane Doe, mayor")
        #expect(body.html == "<blockquote>\n<p>We will rebuild.</p>\n<p>— Jane Doe, mayor</p>\n</blockquote>\n")
        #expect(body.plainText == "We will rebuild.\n\n— Jane Doe, mayor")
    }

    @Test("bulleted and numbered lists become ul and ol")
    func lists() {
        let body = ArticleMarkdown.parse("- roads\n- bridges\n\n1. first\n2. second")
        #expect(
            body.html == "<ul>\n<li>roads</li>\n<li>bridges</li>\n</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"
        )
        #expect(body.plainText == "  - roads\n  - bridges\n\n1.  first\n2.  second")
    }

    @Test("nested emphasis: ***both*** and **bold *and italic***")
    func nestedEmphasis() {
        let body = ArticleMarkdown.parse("***both*** and **bold *and italic***")
        #expect(body.html == "<p><em><strong>both</strong></em> and <strong>bold <em>and italic</em></strong></p>\n")
        #expect(body.plainText == "both and bold and italic")
    }

    @Test("inline code is escaped inside a code element")
    func inlineCode() {
        let body = ArticleMarkdown.parse("Run `a < b && c` now.")
        #expect(body.html == "<p>Run <code>a &lt; b &amp;&amp; c</code> now.</p>\n")
    }

    @Test("a fenced code block keeps its language as a class")
    func codeBlock() {
        let body = ArticleMarkdown.parse("```swift\nlet x = 1 < 2\n```")
        #expect(body.html == "<pre><code class=\"language-swift\">let x = 1 &lt; 2\n</code></pre>\n")
    }

    @Test("a link keeps its destination, parentheses included")
    func link() {
        let body = ArticleMarkdown.parse(
            "See [Foo](https://en.wikipedia.org/wiki/Foo_(bar)) and [the desk](mailto:desk@example.com).")
        #expect(
            body.html
                == "<p>See <a href=\"https://en.wikipedia.org/wiki/Foo_(bar)\">Foo</a> and "
                + "<a href=\"mailto:desk@example.com\">the desk</a>.</p>\n")
        #expect(body.plainText == "See Foo and the desk.")
    }

    @Test("a link title is kept and escaped")
    func linkTitle() {
        let body = ArticleMarkdown.parse("[report](https://example.com/r \"The \\\"final\\\" <report>\")")
        #expect(
            body.html
                == "<p><a href=\"https://example.com/r\" title=\"The &quot;final&quot; &lt;report&gt;\">report</a></p>\n"
        )
    }

    @Test("a table with a header row and alignment becomes thead, tbody and aligned cells")
    func table() {
        let body = ArticleMarkdown.parse("| Party | Seats |\n|:------|------:|\n| Red   | 12    |\n| Blue  | 9     |")
        #expect(
            body.html == """
                <table>
                <thead>
                <tr>
                <th align="left">Party</th>
                <th align="right">Seats</th>
                </tr>
                </thead>
                <tbody>
                <tr>
                <td align="left">Red</td>
                <td align="right">12</td>
                </tr>
                <tr>
                <td align="left">Blue</td>
                <td align="right">9</td>
                </tr>
                </tbody>
                </table>

                """)
        #expect(body.plainText == "| Party | Seats |\n| :-- | --: |\n| Red | 12 |\n| Blue | 9 |")
        #expect(body.firstParagraph == nil)
    }

    @Test("~~strikethrough~~ becomes del; cmark's plain text marks it with single tildes")
    func strikethrough() {
        let body = ArticleMarkdown.parse("It was ~~Monday~~ Tuesday.")
        #expect(body.html == "<p>It was <del>Monday</del> Tuesday.</p>\n")
        #expect(body.plainText == "It was ~Monday~ Tuesday.")
    }

    @Test("a horizontal rule becomes hr and leaves no text")
    func horizontalRule() {
        let body = ArticleMarkdown.parse("Before\n\n---\n\nAfter")
        #expect(body.html == "<p>Before</p>\n<hr />\n<p>After</p>\n")
        #expect(body.plainText == "Before\n\nAfter")
    }

    @Test("quotes are kept as typed, not curled")
    func straightQuotes() {
        let body = ArticleMarkdown.parse("He said \"no\" -- twice.")
        #expect(body.html == "<p>He said &quot;no&quot; -- twice.</p>\n")
    }

    @Test("line breaks: soft ones stay newlines, two trailing spaces make br, the summary joins them with spaces")
    func lineBreaks() {
        let body = ArticleMarkdown.parse("Line one\nline two  \nline three")
        #expect(body.html == "<p>Line one\nline two<br />\nline three</p>\n")
        #expect(body.plainText == "Line one\nline two\nline three")
        #expect(body.firstParagraph == "Line one line two line three")
    }

    @Test("consecutive blocks share one html piece, in order")
    func blocksMerge() {
        let body = ArticleMarkdown.parse("# Title\n\nIntro.\n\n- a")
        #expect(body.blocks == [.html("<h2>Title</h2>\n<p>Intro.</p>\n<ul>\n<li>a</li>\n</ul>\n")])
        #expect(body.plainText == "Title\n\nIntro.\n\n  - a")
        #expect(body.firstParagraph == "Intro.")
    }
}

@Suite("Article bodies: images and figures")
struct FigureTests {
    @Test("a paragraph of two images between text paragraphs gives html, figure, figure, html")
    func figureParagraph() {
        let body = ArticleMarkdown.parse(
            "Opening paragraph.\n\n![Crowd](crowd.jpg)\n![Mayor](mayor.jpg)\n\nClosing paragraph.")
        #expect(
            body.blocks == [
                .html("<p>Opening paragraph.</p>\n"), .figure, .figure, .html("<p>Closing paragraph.</p>\n"),
            ])
        #expect(body.html == "<p>Opening paragraph.</p>\n<p>Closing paragraph.</p>\n")
        #expect(body.plainText == "Opening paragraph.\n\nClosing paragraph.")
        #expect(body.firstParagraph == "Opening paragraph.")
    }

    @Test("images separated by spaces, soft or hard breaks are one figure each")
    func figureSeparators() {
        let body = ArticleMarkdown.parse("![a](a.jpg)  \n![b](b.jpg) ![c](c.jpg)\n![d](d.jpg)")
        #expect(body.blocks == [.figure, .figure, .figure, .figure])
        #expect(body.html == "")
        #expect(body.plainText == "")
        #expect(body.firstParagraph == nil)
    }

    @Test("the summary skips figure paragraphs and headings")
    func summarySkipsFigures() {
        let body = ArticleMarkdown.parse("# Head\n\n![a](a.jpg)\n\nFirst *real*\nparagraph.\n\nSecond.")
        #expect(
            body.blocks == [
                .html("<h2>Head</h2>\n"), .figure, .html("<p>First <em>real</em>\nparagraph.</p>\n<p>Second.</p>\n"),
            ])
        #expect(body.firstParagraph == "First real paragraph.")
    }

    @Test("an image inside a sentence gives its alt text")
    func imageInSentence() {
        let body = ArticleMarkdown.parse("The mayor ![waves to the crowd](wave.jpg) at noon.")
        #expect(body.blocks == [.html("<p>The mayor waves to the crowd at noon.</p>\n")])
        #expect(body.plainText == "The mayor waves to the crowd at noon.")
    }

    @Test("a paragraph starting with an image and going on with text is text, not a figure")
    func imageThenText() {
        let body = ArticleMarkdown.parse("![Only](o.jpg) and text")
        #expect(body.blocks == [.html("<p>Only and text</p>\n")])
    }

    @Test("images in a list, a quote, a table and a link give their alt text, nested alt text included")
    func imagesElsewhere() {
        let markdown = """
            - ![a](x.jpg) item

            > ![q](q.jpg)

            | h |
            |---|
            | ![t](t.jpg) |

            [![linked](x.jpg)](https://example.com)

            See ![outer ![inner](i.jpg) `code`](o.jpg).
            """
        let body = ArticleMarkdown.parse(markdown)
        #expect(
            body.html == """
                <ul>
                <li>a item</li>
                </ul>
                <blockquote>
                <p>q</p>
                </blockquote>
                <table>
                <thead>
                <tr>
                <th>h</th>
                </tr>
                </thead>
                <tbody>
                <tr>
                <td>t</td>
                </tr>
                </tbody>
                </table>
                <p><a href="https://example.com">linked</a></p>
                <p>See outer inner code.</p>

                """)
        #expect(!body.html.contains("<img"))
    }

    @Test("an image with an empty alt text in a sentence leaves nothing behind")
    func emptyAlt() {
        #expect(ArticleMarkdown.parse("Before ![](x.jpg)after").html == "<p>Before after</p>\n")
    }
}

@Suite("Article bodies: hostile links")
struct HostileLinkTests {
    @Test(
        "a link to an unsafe destination loses the link and keeps its text",
        arguments: [
            "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "vbscript:msgbox(1)",
            "file:///etc/passwd", "data:text/html;base64,PHNjcmlwdD4=", "data:image/png;base64,iVBORw0KGgo=",
            "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)", "java&#9;script:alert(1)",
            "java&#10;script:alert(1)", "<java\tscript:alert(1)>", "%6Aavascript:alert(1)",
            "javascript%3Aalert(1)", "//evil.example", "/\\evil.example", "/&#9;/evil.example",
            "</\t/evil.example>", "/%5C%5Cevil.example", "/%2f%2Fevil.example", "photos/relative.jpg",
            "ftp://example.com/file", "",
        ])
    func unsafeLink(destination: String) {
        let body = ArticleMarkdown.parse("Click [here](\(destination)) now.")
        #expect(body.html == "<p>Click here now.</p>\n")
        #expect(body.plainText == "Click here now.")
    }

    @Test(
        "a link to a web page, a mail address, an anchor or a site path stays",
        arguments: [
            ("https://example.com/a?b=c", "https://example.com/a?b=c"),
            ("HTTP://example.com", "HTTP://example.com"),
            ("MailTo:desk@example.com", "MailTo:desk@example.com"),
            ("#corrections", "#corrections"),
            ("/news/2024/floods", "/news/2024/floods"),
            ("/photos?missing=caption", "/photos?missing=caption"),
            ("/", "/"),
            ("https://example.com/a b", "https://example.com/a%20b"),
        ])
    func safeLink(destination: String, href: String) {
        let body = ArticleMarkdown.parse("Read [this](<\(destination)>).")
        #expect(body.html == "<p>Read <a href=\"\(href)\">this</a>.</p>\n")
    }

    @Test("autolinks follow the same rule: javascript: becomes inert text, https: and e-mail stay links")
    func autolinks() {
        let body = ArticleMarkdown.parse("<javascript:alert(1)>, <https://example.com> and <desk@example.com>")
        #expect(
            body.html
                == "<p>javascript:alert(1), <a href=\"https://example.com\">https://example.com</a> and "
                + "<a href=\"mailto:desk@example.com\">desk@example.com</a></p>\n")
    }

    @Test("a reference-style link to javascript: loses the link")
    func referenceLink() {
        let body = ArticleMarkdown.parse("See [the source][src].\n\n[src]: javascript:alert(1)")
        #expect(body.html == "<p>See the source.</p>\n")
    }

    @Test("formatting inside a removed link survives")
    func formattingInRemovedLink() {
        let body = ArticleMarkdown.parse("[**bold** and `code`](javascript:alert(1))")
        #expect(body.html == "<p><strong>bold</strong> and <code>code</code></p>\n")
    }
}

@Suite("Article bodies: raw HTML")
struct RawHTMLTests {
    @Test("raw HTML, block or inline, never reaches the output as markup")
    func rawHTML() {
        let markdown = """
            <script>alert(1)</script>

            Text <img src=x onerror=alert(1)> and <a href=javascript:alert(1)>x</a> \
            <iframe src="https://evil.example"></iframe>

            <SCRIPT>alert(2)</SCRIPT>

            <iframe src="https://evil.example">

            <div onmouseover="alert(3)">hover</div>

            | a |
            |---|
            | <script>alert(4)</script> |

            - <img src=x onerror=alert(5)>
            """
        let body = ArticleMarkdown.parse(markdown)
        var outputs = [body.html]
        for case .html(let html) in body.blocks { outputs.append(html) }
        for output in outputs {
            let lowercased = output.lowercased()
            #expect(!lowercased.contains("<script"))
            #expect(!lowercased.contains("onerror"))
            #expect(!lowercased.contains("javascript:"))
            #expect(!lowercased.contains("<iframe"))
            #expect(!lowercased.contains("onmouseover"))
            #expect(!lowercased.contains("<img"))
        }
        #expect(body.html.hasPrefix("<!-- raw HTML omitted -->\n<p>Text <!-- raw HTML omitted --> and "))
        #expect(body.plainText.lowercased().contains("script") == false)
    }
}

@Suite("Article bodies: bad input never crashes")
struct BadInputTests {
    @Test("an empty or blank body has no blocks and no text")
    func emptyBody() {
        for markdown in ["", "   \n\n\t\n"] {
            let body = ArticleMarkdown.parse(markdown)
            #expect(body.blocks.isEmpty)
            #expect(body.html == "")
            #expect(body.plainText == "")
            #expect(body.firstParagraph == nil)
        }
    }

    @Test("NUL bytes become replacement characters")
    func nulBytes() {
        let body = ArticleMarkdown.parse("a\u{0}b\n\n\u{0}")
        #expect(body.html == "<p>a\u{FFFD}b</p>\n<p>\u{FFFD}</p>\n")
    }

    @Test("lone surrogates arrive as replacement characters and pass through")
    func loneSurrogates() {
        let fromUTF16 = String(decoding: [0x0041, 0xD800, 0x0042] as [UInt16], as: UTF16.self)
        let fromUTF8 = String(decoding: [0x43, 0xED, 0xA0, 0x80, 0x44] as [UInt8], as: UTF8.self)
        let body = ArticleMarkdown.parse(fromUTF16 + " " + fromUTF8)
        #expect(body.html == "<p>A\u{FFFD}B C\u{FFFD}\u{FFFD}\u{FFFD}D</p>\n")
    }

    @Test("a line of a million characters comes back whole")
    func veryLongLine() {
        let body = ArticleMarkdown.parse(String(repeating: "word ", count: 200_000))
        #expect(body.html.utf8.count == "<p></p>\n".utf8.count + 200_000 * 5 - 1)
    }

    @Test("10,000 nested quotes return, nested")
    func nestedQuotes() {
        let body = ArticleMarkdown.parse(String(repeating: ">", count: 10_000) + " deep")
        #expect(body.html.components(separatedBy: "<blockquote>").count - 1 == 10_000)
        #expect(body.html.contains("<p>deep</p>"))
        #expect(body.plainText == "deep")
    }

    @Test("10,000 nested list markers return")
    func nestedLists() {
        let bullets = ArticleMarkdown.parse(String(repeating: "- ", count: 10_000) + "deep")
        #expect(bullets.html.components(separatedBy: "<ul>").count - 1 == 10_000)
        let numbers = ArticleMarkdown.parse(String(repeating: "1. ", count: 10_000) + "deep")
        #expect(numbers.html.components(separatedBy: "<ol>").count - 1 == 10_000)
    }

    @Test(
        "10,000 unclosed brackets, emphasis or code markers come back as text",
        arguments: ["[", "![", "](", "*", "_", "~", "`", "&#", "<"])
    func unclosedDelimiters(marker: String) {
        let markdown = "a " + String(repeating: marker, count: 10_000)
        let body = ArticleMarkdown.parse(markdown)
        #expect(body.plainText == markdown)
    }

    @Test(
        "a wide table header followed by many short rows is not padded into millions of cells",
        arguments: [(columns: 5_000, rows: 5_000), (columns: 200, rows: 1_000)])
    func tableAmplification(columns: Int, rows: Int) {
        let markdown =
            String(repeating: "a|", count: columns) + "\n" + String(repeating: "-|", count: columns) + "\n"
            + String(repeating: "x\n", count: rows)
        let body = ArticleMarkdown.parse(markdown)
        #expect(!body.html.contains("<table>"))
        #expect(body.html.utf8.count < 2 * markdown.utf8.count)
    }

    @Test("a table row of 40,000 pipes is not split cell by cell")
    func manyPipes() {
        let body = ArticleMarkdown.parse("a|b\n-|-\n" + String(repeating: "|", count: 40_000))
        #expect(!body.html.contains("<table>"))
        #expect(body.plainText.hasSuffix(String(repeating: "|", count: 40_000)))
    }

    @Test("an ordinary large table, 20 columns by 200 rows, is still a table")
    func largeTable() {
        let row = "|" + String(repeating: " 1 |", count: 20) + "\n"
        let markdown =
            "|" + String(repeating: " h |", count: 20) + "\n|" + String(repeating: "---|", count: 20) + "\n"
            + String(repeating: row, count: 200)
        let body = ArticleMarkdown.parse(markdown)
        #expect(body.html.hasPrefix("<table>"))
        #expect(body.html.components(separatedBy: "<td>").count - 1 == 20 * 200)
    }
}

@Suite("Article bodies: concurrency")
struct ConcurrencyTests {
    @Test("bodies parsed from many tasks at once all keep their strikethrough and tables")
    func concurrentParses() async {
        let markdown = "Words before ~~struck~~ and after.\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n"
        let expected = ArticleMarkdown.parse(markdown)
        #expect(expected.html.contains("<del>struck</del>"))
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<250).count(where: { _ in ArticleMarkdown.parse(markdown) != expected })
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }
}
