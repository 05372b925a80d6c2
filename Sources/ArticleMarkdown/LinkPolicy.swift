/// Which link destinations an article may keep: web and mail links, anchors on the page and paths on the site.
enum LinkPolicy {
    /// Whether a link to `destination` (as cmark holds it: entities and backslash escapes already decoded) may stay.
    static func allows(_ destination: String) -> Bool {
        let bytes = trimmingASCIIWhitespace(Array(destination.utf8))
        guard let first = bytes.first else { return false }
        // Browsers drop tabs and newlines inside a URL and stop at other controls, so any of them can hide a
        // scheme (`java\tscript:`) or turn a path into another host (`/\t/evil.example`).
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return false }
        let lowercased = bytes.prefix(7).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        if allowedSchemes.contains(where: { lowercased.starts(with: $0.utf8) }) { return true }
        switch first {
        case UInt8(ascii: "#"):
            return true
        case UInt8(ascii: "/"):
            // `//host` is protocol-relative and browsers read `/\host` the same way; a slash or
            // backslash escaped as `%2F`/`%5C` right after the first is refused too, as a redirect
            // to it would be.
            let rest = bytes.dropFirst().map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            let second = rest.first
            return second != UInt8(ascii: "/") && second != UInt8(ascii: "\\") && !rest.starts(with: "%2f".utf8)
                && !rest.starts(with: "%5c".utf8)
        default:
            return false
        }
    }

    private static let allowedSchemes = ["http:", "https:", "mailto:"]

    /// Strips the ASCII whitespace of the WHATWG URL standard (tab, LF, FF, CR, space) from both ends.
    private static func trimmingASCIIWhitespace(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        let isWhitespace: (UInt8) -> Bool = { [0x09, 0x0A, 0x0C, 0x0D, 0x20].contains($0) }
        guard let start = bytes.firstIndex(where: { !isWhitespace($0) }),
            let end = bytes.lastIndex(where: { !isWhitespace($0) })
        else { return [] }
        return bytes[start...end]
    }
}
