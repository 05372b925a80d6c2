/// The Markdown of article bodies, as blocks of inline spans for the templates (which escape
/// every text): paragraphs, headings, `**strong**`, `*emphasis*`, `` `code` `` and `[links](url)`.
package enum Markdown {
    /// A run of text with its style; `href` only for http(s), mailto and local links.
    package struct Span: Equatable {
        /// The text shown.
        package var text: String
        var strong = false
        var emphasis = false
        var code = false
        /// Where the span links to, when it is a link the page may carry.
        package var href: String?
        /// No style (a stored flag, as the templates read properties by reflection).
        var plain = true
    }

    /// A paragraph's inline spans.
    package static func spans(_ text: String) -> [Span] {
        var spans: [Span] = []
        var plain = ""
        var index = text.startIndex
        func flush() {
            if !plain.isEmpty { spans.append(Span(text: plain)) }
            plain = ""
        }
        while index < text.endIndex {
            let rest = text[index...]
            if rest.hasPrefix("**"), let end = rest.dropFirst(2).range(of: "**"),
                end.lowerBound > rest.index(index, offsetBy: 2)
            {
                flush()
                spans.append(Span(text: String(text[text.index(index, offsetBy: 2)..<end.lowerBound]), strong: true))
                index = end.upperBound
                continue
            }
            if let marker = rest.first, marker == "*" || marker == "_" || marker == "`" {
                let body = rest.dropFirst()
                if let end = body.firstIndex(of: marker), end > body.startIndex {
                    flush()
                    let inner = String(body[body.startIndex..<end])
                    spans.append(Span(text: inner, emphasis: marker != "`", code: marker == "`"))
                    index = text.index(after: end)
                    continue
                }
            }
            if rest.hasPrefix("["), let close = rest.range(of: "]("),
                let end = rest[close.upperBound...].firstIndex(of: ")")
            {
                let label = String(rest[rest.index(after: rest.startIndex)..<close.lowerBound])
                let target = String(rest[close.upperBound..<end]).trimmingCharacters(in: .whitespaces)
                if !label.contains("[") {
                    flush()
                    spans.append(Span(text: label, href: safeLink(target)))
                    index = text.index(after: end)
                    continue
                }
            }
            plain.append(text[index])
            index = text.index(after: index)
        }
        flush()
        return spans.map { span in
            var span = span
            span.plain = !span.strong && !span.emphasis && !span.code && span.href == nil
            return span
        }
    }

    /// A link target that cannot run script: http(s), mailto, or a path on this site as a
    /// redirect takes it (browsers read `/\evil.example` and `/<tab>/evil.example` as
    /// `//evil.example`, another site).
    static func safeLink(_ target: String) -> String? {
        let lowered = target.lowercased()
        if lowered.hasPrefix("https://") || lowered.hasPrefix("http://") || lowered.hasPrefix("mailto:") {
            return target
        }
        if target.hasPrefix("/") { return Redirect.localPath(target) }
        if target.hasPrefix("#") { return target }
        return nil
    }
}
