import Catalog
import Foundation
import PhotoModel

/// A search: words (folded, prefix-matched) and filters.
public struct SearchQuery: Sendable, Equatable {
    public var text: String
    public var filters: SearchFilters

    /// Makes a query.
    public init(text: String = "", filters: SearchFilters = SearchFilters()) {
        self.text = text
        self.filters = filters
    }

    /// Whether the query asks for nothing.
    public var isEmpty: Bool { SearchText.terms(text).isEmpty && filters.isEmpty }

    /// The fields `missing` accepts: every public caption field (readers may search, and what
    /// they could filter on they could learn, so a field for editors only is not among them).
    public static let missingFields = CaptionField.publicFields
}

/// One page of search results.
public struct SearchPage: Codable, Sendable, Equatable {
    /// One photo found.
    public struct Result: Codable, Sendable, Equatable {
        public var id: String
        public var caption: String?
        /// Relevance: 2 when the text holds the words as one phrase, 1 when it holds them apart; 0
        /// when no words were given (filters only).
        public var score: Double
        /// The full hash (not in the JSON).
        public var sha256: String

        enum CodingKeys: String, CodingKey { case id, caption, score }

        /// Makes a result.
        public init(sha256: String, caption: String?, score: Double) {
            self.id = String(sha256.prefix(16))
            self.sha256 = sha256
            self.caption = caption
            self.score = score
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            sha256 = id
            caption = try container.decodeIfPresent(String.self, forKey: .caption)
            score = try container.decode(Double.self, forKey: .score)
        }
    }

    public var results: [Result]
    public var total: Int
    /// Where the next page starts; nil on the last page.
    public var next: String?

    /// Makes a page.
    public init(results: [Result], total: Int, next: String?) {
        self.results = results
        self.total = total
        self.next = next
    }
}

/// A keyset position in search results, as one URL-safe token: `t2.1234` (tier, document) for
/// word searches, `r.<photo cursor>` for filters only. Anything else is not a token.
package enum SearchCursor: Equatable, Sendable {
    case tier(Int, document: Int64)
    case recent(PhotoCursor)

    /// The token, as the next page's link carries it.
    package var token: String {
        switch self {
        case .tier(let tier, let document): "t\(tier).\(document)"
        case .recent(let cursor): "r." + cursor.token
        }
    }

    /// Reads a token; nil when it is not one (any other text, however long or strange).
    package init?(token: String) {
        guard token.utf8.count <= 100 else { return nil }
        if token.hasPrefix("r."), let cursor = PhotoCursor(token: String(token.dropFirst(2))) {
            self = .recent(cursor)
            return
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "t1" || parts[0] == "t2", parts[1].count <= 19,
            parts[1].utf8.allSatisfy({ (48...57).contains($0) }), let document = Int64(parts[1]), document > 0
        else { return nil }
        self = .tier(parts[0] == "t2" ? 2 : 1, document: document)
    }
}

/// Where a page of a list starts: the `after` token a request gives, read once.
enum PageToken {
    /// Nil when no token is given (absent or blank); a token that is not one is refused
    /// (`invalid`), never read as the first page, so a client learns its link is wrong.
    static func read<Cursor>(_ token: String?, as parse: (String) -> Cursor?) throws -> Cursor? {
        guard let token, !token.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        guard let cursor = parse(token) else { throw refused }
        return cursor
    }

    /// A token of another list (or of another kind of search).
    static let refused = DeskError(
        .invalid, "after is not a page token of this list: follow the list's own next link, or leave after out")
}
