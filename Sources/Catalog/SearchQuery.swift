import Foundation

/// A search: words (folded, prefix-matched) and filters.
public struct SearchQuery: Sendable, Equatable {
    public var text: String
    /// Only photos with this field empty ("caption", "byline", "credit", "headline").
    public var missing: String?
    public var byline: String?
    /// Taken on or after this date (ISO 8601 prefix, "2020-09-18").
    public var from: String?
    /// Taken on or before this date.
    public var to: String?
    /// Only photos used in this article.
    public var article: String?
    /// Camera make or model contains this.
    public var camera: String?

    /// Makes a query.
    public init(
        text: String = "", missing: String? = nil, byline: String? = nil, from: String? = nil, to: String? = nil,
        article: String? = nil, camera: String? = nil
    ) {
        self.text = text
        self.missing = missing
        self.byline = byline
        self.from = from
        self.to = to
        self.article = article
        self.camera = camera
    }

    /// The fields `missing` accepts.
    public static let missingFields = ["caption", "headline", "byline", "credit", "copyright"]
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
