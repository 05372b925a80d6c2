import Foundation

/// An article in Markdown with a front matter (DESIGN.md, "Articles as files").
public struct ArticleFile: Sendable, Equatable {
    /// One image of the article, in order.
    public struct Image: Sendable, Equatable {
        /// `asset:<id>` reference, or a path relative to the Markdown file.
        public enum Source: Sendable, Equatable {
            case asset(String)
            case path(String)
        }
        public var source: Source
        /// The alt text: the caption for this use; nil when empty (the photo's own caption).
        public var caption: String?

        /// Makes an image reference.
        public init(source: Source, caption: String?) {
            self.source = source
            self.caption = caption
        }
    }

    public var slug: String
    public var headline: String
    public var dateline: String?
    public var published: String?
    /// `status:` as written (draft, scheduled, published), if the front matter has one.
    public var status: String?
    public var byline: String?
    public var body: String
    public var images: [Image]

    /// Parses the text of an article file; `name` is used in errors.
    public static func parse(_ text: String, name: String) throws -> ArticleFile {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---",
            let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" })
        else {
            throw IngestError(
                .usage, "\(name) has no front matter: it must start with a line ---, then slug: and headline:, then ---"
            )
        }
        var meta: [String: String] = [:]
        for line in lines[1..<end] where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw IngestError(.usage, "\(name): front matter line \"\(line)\" is not key: value")
            }
            var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            meta[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = value
        }
        guard let slug = meta["slug"], slug.range(of: #"^[a-z0-9][a-z0-9-]*$"#, options: .regularExpression) != nil
        else {
            throw IngestError(
                .usage,
                "\(name): the front matter needs a slug of lower-case letters, digits and - (slug: border-province-visit)"
            )
        }
        guard let headline = meta["headline"], !headline.isEmpty else {
            throw IngestError(.usage, "\(name): the front matter needs a headline")
        }
        let body = lines[(end + 1)...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return ArticleFile(
            slug: slug, headline: headline, dateline: meta["dateline"], published: meta["published"],
            status: meta["status"], byline: meta["byline"],
            body: body, images: images(in: body))
    }

    /// The `![alt](target)` images of a Markdown body, in order.
    static func images(in body: String) -> [Image] {
        // ![alt](target), ![alt](<target with spaces>), either with an optional "title".
        let pattern = /!\[((?:[^\]\\]|\\.)*)\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/
        return body.matches(of: pattern).map { match in
            let alt = String(match.output.1).replacingOccurrences(of: "\\]", with: "]").trimmingCharacters(
                in: .whitespaces)
            let target = String(match.output.2 ?? match.output.3 ?? "")
            let source: Image.Source =
                target.hasPrefix("asset:")
                ? .asset(String(target.dropFirst(6))) : .path(target.removingPercentEncoding ?? target)
            return Image(source: source, caption: alt.isEmpty ? nil : alt)
        }
    }
}
