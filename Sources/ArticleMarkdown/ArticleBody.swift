/// An article body rendered from Markdown: safe HTML split around the places where photos go, plus plain text.
public struct ArticleBody: Sendable, Equatable {
    /// One piece of the body, in reading order.
    public enum Block: Sendable, Equatable {
        /// Safe HTML of one or more consecutive block elements (paragraphs, headings, quotes, lists, tables, code, rules).
        case html(String)
        /// A photo's place: the body's next image, in order (the page fills it with the article's next photo).
        case figure
    }

    /// The body's pieces in reading order; consecutive non-figure blocks share one `.html` piece.
    public var blocks: [Block]
    /// The whole body as safe HTML without its images (for an RSS description).
    public var html: String
    /// The body as plain text, images left out, blocks separated by a blank line (for JSON-LD articleBody and summaries).
    public var plainText: String
    /// The first paragraph's plain text, if any (a summary).
    public var firstParagraph: String?
}
