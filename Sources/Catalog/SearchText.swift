import Foundation

/// Text as the search index stores and queries it: lower case, diacritics removed, đ/Đ as d,
/// so that `dong van` finds `Đồng Văn`.
public enum SearchText {
    /// The folded form of a text.
    public static func fold(_ text: String) -> String {
        let lowered = text.lowercased().replacingOccurrences(of: "đ", with: "d")
        var scalars = String.UnicodeScalarView()
        for scalar in lowered.decomposedStringWithCanonicalMapping.unicodeScalars
        where scalar.properties.generalCategory != .nonspacingMark {
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// The words of a query, folded; quotes, operators and other punctuation are plain separators,
    /// so a malformed query is never an error.
    public static func words(_ query: String) -> [String] {
        fold(query).split { !($0.isLetter || $0.isNumber) }.map(String.init).prefix(32).map { $0 }
    }

    /// An FTS5 match expression: every word, each as a prefix.
    static func matchExpression(_ words: [String]) -> String {
        words.map { "\"\($0)\"*" }.joined(separator: " ")
    }
}
