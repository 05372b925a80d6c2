import CCmark
import Foundation

/// Renders article bodies written in Markdown (CommonMark with GitHub tables and strikethrough) into safe HTML.
public enum ArticleMarkdown {
    /// Parses an article body.
    public static func parse(_ markdown: String) -> ArticleBody {
        let extensions = TableBudget.allowsTables(in: markdown) ? ["table", "strikethrough"] : ["strikethrough"]
        guard let document = CmarkDocument(parsing: markdown, extensions: extensions) else {
            return ArticleBody(blocks: [], html: "", plainText: "", firstParagraph: nil)
        }
        let sections = splitFigures(document)
        sanitize(document)

        var blocks: [ArticleBody.Block] = []
        var pendingHTML = ""
        var html = ""
        for section in sections {
            switch section {
            case .content(let node):
                let rendered = document.html(of: node)
                pendingHTML += rendered
                html += rendered
            case .figures(let count):
                if !pendingHTML.isEmpty {
                    blocks.append(.html(pendingHTML))
                    pendingHTML = ""
                }
                blocks += Array(repeating: .figure, count: count)
            }
        }
        if !pendingHTML.isEmpty {
            blocks.append(.html(pendingHTML))
        }

        let paragraphs = sections.lazy.compactMap { section -> String? in
            guard case .content(let node) = section, cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH else {
                return nil
            }
            let text = document.plainText(of: node, options: CMARK_OPT_NOBREAKS)
                .replacingOccurrences(of: "\n", with: " ")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : text
        }
        return ArticleBody(
            blocks: blocks,
            html: html,
            plainText: document.plainText(of: document.root).trimmingCharacters(in: .newlines),
            firstParagraph: paragraphs.first
        )
    }

    /// A top-level piece of the body: a block to render, or the photos of a figure paragraph.
    private enum Section {
        case content(OpaquePointer)
        case figures(count: Int)
    }

    /// Sorts the top-level blocks into content and figure paragraphs, freeing the figure paragraphs.
    private static func splitFigures(_ document: CmarkDocument) -> [Section] {
        document.children(of: document.root).map { node in
            guard let count = figureCount(of: node, in: document) else { return .content(node) }
            document.remove(node)
            return .figures(count: count)
        }
    }

    /// The number of images in `node` if it is a paragraph of images only (with line breaks or spaces between).
    private static func figureCount(of node: OpaquePointer, in document: CmarkDocument) -> Int? {
        guard cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH else { return nil }
        var images = 0
        for child in document.children(of: node) {
            switch cmark_node_get_type(child) {
            case CMARK_NODE_IMAGE:
                images += 1
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                continue
            case CMARK_NODE_TEXT:
                let literal = cmark_node_get_literal(child).map { String(cString: $0) } ?? ""
                guard literal.allSatisfy(\.isWhitespace) else { return nil }
            default:
                return nil
            }
        }
        return images > 0 ? images : nil
    }

    /// Takes out links to unsafe destinations (keeping their text), puts every image's alt text in its place,
    /// and moves every heading one level down: the page's own `<h1>` is the article's headline, so a body's
    /// `#` is an `<h2>` under it.
    private static func sanitize(_ document: CmarkDocument) {
        let nodes = document.nodesOutsideImages(under: document.root)
        for heading in nodes where cmark_node_get_type(heading) == CMARK_NODE_HEADING {
            cmark_node_set_heading_level(heading, min(cmark_node_get_heading_level(heading) + 1, 6))
        }
        // Images go first: should cmark refuse to move a link's child, unwrapping frees it, and it must not
        // be an image still waiting in `nodes`.
        for image in nodes where cmark_node_get_type(image) == CMARK_NODE_IMAGE {
            document.replace(image, withText: document.altText(of: image))
        }
        for link in nodes where cmark_node_get_type(link) == CMARK_NODE_LINK {
            let destination = cmark_node_get_url(link).map { String(cString: $0) } ?? ""
            if !LinkPolicy.allows(destination) {
                document.unwrap(link)
            }
        }
    }
}
