import CCmark
import Foundation

/// A Markdown text parsed by cmark-gfm; frees its tree and parser on deinit.
final class CmarkDocument {
    /// The document node; its children are the body's top-level blocks.
    let root: OpaquePointer
    private let parser: OpaquePointer

    /// Parses `markdown` with the named syntax extensions (`table`, `strikethrough`), or returns nil if cmark
    /// could not make a parser.
    init?(parsing markdown: String, extensions: [String]) {
        CmarkRuntime.registerExtensions
        guard let parser = cmark_parser_new_with_mem(CMARK_OPT_DEFAULT, cmark_get_default_mem_allocator()) else {
            return nil
        }
        for name in extensions {
            if let extensionHandle = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, extensionHandle)
            }
        }
        var text = markdown
        let root = CmarkRuntime.parseLock.withLock {
            text.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    if let base = chars.baseAddress {
                        cmark_parser_feed(parser, base, chars.count)
                    }
                }
            }
            return cmark_parser_finish(parser)
        }
        guard let root else {
            cmark_parser_free(parser)
            return nil
        }
        self.parser = parser
        self.root = root
    }

    deinit {
        cmark_node_free(root)
        cmark_parser_free(parser)
    }

    /// The direct children of `node`, first to last.
    func children(of node: OpaquePointer) -> [OpaquePointer] {
        var children: [OpaquePointer] = []
        var child = cmark_node_first_child(node)
        while let current = child {
            children.append(current)
            child = cmark_node_next(current)
        }
        return children
    }

    /// Every node under `node` (itself included) in document order, without descending into images:
    /// an image's children are its alt text, which goes away with it.
    func nodesOutsideImages(under node: OpaquePointer) -> [OpaquePointer] {
        var nodes: [OpaquePointer] = []
        guard let iterator = cmark_iter_new(node) else { return nodes }
        defer { cmark_iter_free(iterator) }
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            guard cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER,
                let current = cmark_iter_get_node(iterator)
            else { continue }
            nodes.append(current)
            if cmark_node_get_type(current) == CMARK_NODE_IMAGE {
                cmark_iter_reset(iterator, current, CMARK_EVENT_EXIT)
            }
        }
        return nodes
    }

    /// The plain text of an image's description, as browsers would show it in place of the image.
    func altText(of image: OpaquePointer) -> String {
        var text = ""
        guard let iterator = cmark_iter_new(image) else { return text }
        defer { cmark_iter_free(iterator) }
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            guard cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER,
                let current = cmark_iter_get_node(iterator)
            else { continue }
            switch cmark_node_get_type(current) {
            case CMARK_NODE_TEXT, CMARK_NODE_CODE:
                if let literal = cmark_node_get_literal(current) {
                    text += String(cString: literal)
                }
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                text += " "
            default:
                break
            }
        }
        return text
    }

    /// Puts the children of `node` in its place and frees it (a link's text stays, the link goes); a child
    /// cmark refuses to move there goes with it.
    func unwrap(_ node: OpaquePointer) {
        while let child = cmark_node_first_child(node), cmark_node_insert_before(node, child) == 1 {}
        cmark_node_free(node)
    }

    /// Puts a text node holding `text` in the place of `node` and frees `node` with everything under it.
    func replace(_ node: OpaquePointer, withText text: String) {
        if !text.isEmpty, let textNode = cmark_node_new_with_mem(CMARK_NODE_TEXT, cmark_get_default_mem_allocator()) {
            if cmark_node_set_literal(textNode, text) != 1 || cmark_node_insert_before(node, textNode) != 1 {
                cmark_node_free(textNode)
            }
        }
        cmark_node_free(node)
    }

    /// Unlinks `node` from the tree and frees it with everything under it.
    func remove(_ node: OpaquePointer) {
        cmark_node_free(node)
    }

    /// `node` and its children as HTML in cmark's default safe mode (raw HTML and dangerous URLs left out).
    func html(of node: OpaquePointer) -> String {
        take(cmark_render_html(node, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser)))
    }

    /// `node` and its children as plain text without line wrapping; `options` are cmark render options.
    func plainText(of node: OpaquePointer, options: Int32 = CMARK_OPT_DEFAULT) -> String {
        take(cmark_render_plaintext(node, options, 0))
    }

    /// Copies a string cmark rendered and frees cmark's buffer.
    private func take(_ rendered: UnsafeMutablePointer<CChar>?) -> String {
        guard let rendered else { return "" }
        defer { free(rendered) }
        return String(cString: rendered)
    }
}

/// The process-wide state of cmark-gfm, which every parse shares.
enum CmarkRuntime {
    /// Registers the core extensions; a static `let` runs its initializer exactly once, even across threads,
    /// which `cmark_gfm_core_extensions_ensure_registered` alone does not promise.
    static let registerExtensions: Void = cmark_gfm_core_extensions_ensure_registered()

    /// Serialises parsing: cmark-gfm 0.29 keeps the table of inline special characters in a global that each
    /// parser changes while it finishes (it adds the strikethrough `~` and removes it again), so two parses at
    /// once can drop each other's strikethroughs. Rendering and tree edits touch no global state.
    static let parseLock = NSLock()
}
