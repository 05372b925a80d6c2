import ArticleMarkdown
import Catalog
import Desk
import Foundation
import Gallery
import PhotoModel

/// The HTTP inputs the gallery parses itself, fed the same bytes as the metadata parsers: page
/// tokens, `Range`, `If-Match`, forms, `next=`, article Markdown, `X-Forwarded-For`, the API's
/// JSON bodies, search text and bounded integers. Each result is also checked against what the
/// server relies on (a range inside the file, a redirect that stays on site, a token that reads
/// back the same): a broken promise stops the run as a crash would.
enum HTTPInputs {
    /// Proxies as a deployment would trust them: one address, a private block, IPv6 loopback.
    static let proxies: TrustedProxies =
        (try? TrustedProxies(["127.0.0.1", "10.0.0.0/8", "::1/128"])) ?? TrustedProxies()

    /// File lengths a `Range` is read against: the smallest, a thumbnail's, the largest.
    static let lengths = [1, 70_000, Int.max]

    static func parse(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        pageTokens(text)
        for length in lengths { range(text, length: length) }
        ifMatch(text)
        form(text)
        redirect(text)
        markdown(text)
        forwardedFor(text)
        jsonBodies(data)
        searchText(text)
        _ = try? Parse.integer(text, name: "limit", in: 1...200)
        _ = try? Parse.integer(text, name: "revision", in: 0...Int.max)
    }

    /// A token that reads must write back as the same token's value.
    static func pageTokens(_ text: String) {
        if let cursor = SearchCursor(token: text) {
            check(SearchCursor(token: cursor.token) == cursor, "a search token reads back differently: \(text)")
        }
        if let cursor = PhotoCursor(token: text) {
            check(PhotoCursor(token: cursor.token) == cursor, "a photo token reads back differently: \(text)")
        }
    }

    /// A range is never empty and never leaves the file.
    static func range(_ header: String, length: Int) {
        guard let bounds = ByteRange.parse(header, length: length) else { return }
        check(
            bounds.lowerBound >= 0 && bounds.upperBound <= length && !bounds.isEmpty,
            "Range \(header) gives \(bounds) in a file of \(length) bytes")
    }

    /// A revision named by `If-Match` is a whole number of at most 18 digits, from a strong tag.
    static func ifMatch(_ header: String) {
        for revision in AssetAPIRoutes.IfMatch(header)?.revisions ?? [] {
            check(revision >= 0, "If-Match \(header) names revision \(revision)")
        }
    }

    static func form(_ text: String) {
        let form = FormBody(text)
        check(form.values.count <= FormBody.maxFields, "a form of \(form.values.count) fields")
        _ = try? Parse.integer(form["position"], name: "position", in: 1...1_000_000)
    }

    /// A path accepted for `next=` starts with one slash and holds no control character, space
    /// or backslash, escaped or not: a browser cannot read it as another site.
    static func redirect(_ text: String) {
        guard let path = Redirect.localPath(text) else { return }
        for candidate in [path, path.removingPercentEncoding ?? path] {
            check(
                candidate.hasPrefix("/") && !candidate.hasPrefix("//") && !candidate.hasPrefix("/\\")
                    && !candidate.unicodeScalars.contains { $0.value < 0x21 || $0 == "\\" || $0.value == 0x7F },
                "next=\(text) is accepted as \(candidate)")
        }
    }

    /// An article body through CommonMark: no raw HTML, no script, no image loaded from
    /// anywhere, and every link goes where it says (http(s), mailto, a fragment, or a path on
    /// this site that a browser cannot read as another host).
    static func markdown(_ text: String) {
        let body = ArticleMarkdown.parse(String(text.prefix(8192)))
        let html = body.html.lowercased()
        check(!html.contains("<script") && !html.contains("<img") && !html.contains("<iframe"), "markup got through")
        for match in body.html.matches(of: /href="([^"]*)"/) {
            let href = String(match.output.1)
            let lowered = href.lowercased()
            check(
                lowered.hasPrefix("https://") || lowered.hasPrefix("http://") || lowered.hasPrefix("mailto:")
                    || href.hasPrefix("#") || (href.hasPrefix("/") && !href.hasPrefix("//") && !href.hasPrefix("/\\")),
                "the Markdown link target \(href) leaves the site or runs script")
        }
    }

    /// The client is the peer, or an address (nothing else) a trusted proxy forwarded.
    static func forwardedFor(_ header: String) {
        for peer in ["127.0.0.1", "203.0.113.9"] {
            let client = proxies.client(peer: peer, forwardedFor: header)
            check(
                client == peer
                    || (proxies.contains(peer) && inet(client)
                        && client.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 }),
                "X-Forwarded-For \(header) from \(peer) gives client \(client)")
        }
        _ = try? TrustedProxies(header.split(separator: ",").map(String.init))
    }

    static func inet(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// The API's write bodies, and the caption fields as the API reads and writes them.
    static func jsonBodies(_ data: Data) {
        let decoder = JSONDecoder()
        _ = try? decoder.decode(CaptionChanges.self, from: data)
        _ = try? decoder.decode(AssetAPIRoutes.RevertBody.self, from: data)
        _ = try? decoder.decode(AssetAPIRoutes.LinkBody.self, from: data)
        if let fields = try? decoder.decode(CaptionFields.self, from: data) {
            check((try? JSONEncoder().encode(fields)) != nil, "caption fields that decode do not encode")
        }
    }

    /// Search text becomes at most `maxTerms` plain words, none empty.
    static func searchText(_ text: String) {
        let terms = SearchText.terms(text)
        check(terms.count <= SearchText.maxTerms, "\(terms.count) terms from one query")
        check(!terms.contains { $0.text.isEmpty }, "an empty term from \(text)")
        _ = SearchQuery(text: text).isEmpty
    }

    /// Stops the run (a finding) when a promise is broken.
    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition {
            FileHandle.standardError.write(Data("broken promise: \(message())\n".utf8))
            abort()
        }
    }
}
