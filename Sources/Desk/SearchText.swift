import Catalog
import Foundation
import PhotoModel

/// Text as the search index stores and queries it: lower case, diacritics removed, đ/Đ as d,
/// so that `dong van` finds `Đồng Văn`; and what of a photo is searched.
public enum SearchText {
    /// At most this many words of a query are searched.
    public static let maxTerms = 16
    /// A word of a query matches as a prefix only from this many characters ("ha" finds "hanoi";
    /// "h" finds only "h").
    public static let minPrefixLength = 2

    /// The folded form of a text: lower case, NFD with combining marks removed, đ as d. Text
    /// already decomposed (NFD, as some systems send it) folds the same as composed text.
    public static func fold(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark: continue
            default: scalars.append(scalar == "đ" ? "d" : scalar)
            }
        }
        return String(scalars)
    }

    /// The words of a text, folded: runs of letters and digits (`SearchTokens.words(inFolded:)`),
    /// judged scalar by scalar so that no quote, operator or joined mark survives as query
    /// syntax; a malformed query is never an error.
    public static func words(_ text: String) -> [String] {
        SearchTokens.words(inFolded: fold(text))
    }

    /// A query's search terms: its first `maxTerms` words, each a prefix when long enough.
    public static func terms(_ query: String) -> [SearchTerm] {
        words(query).prefix(maxTerms).map { SearchTerm($0, prefix: $0.count >= minPrefixLength) }
    }

    /// A photo's own search text: the tokens (`SearchTokens.document`) of the words of its
    /// searchable caption fields, folded, so every backend's index holds the same tokens.
    public static func photoText(_ fields: CaptionFields) -> String {
        SearchTokens.document(
            words(CaptionField.allCases.filter(\.isSearchable).compactMap { fields[$0] }.joined(separator: " ")))
    }

    /// The search text a use in an article adds to its photo: the tokens of the words of the
    /// article's headline and of the caption as used there, folded.
    public static func useText(headline: String, caption: String?) -> String {
        SearchTokens.document(words([headline, caption].compactMap { $0 }.joined(separator: " ")))
    }
}
