import Foundation
import PhotoModel

/// Filters a search may add to its words; each narrows the results.
public struct SearchFilters: Sendable, Equatable, Hashable {
    /// Only photos with this caption field empty.
    public var missing: CaptionField?
    /// Byline contains this (case-insensitive).
    public var byline: String?
    /// Taken on or after this date (an ISO 8601 prefix, "2020-09-18").
    public var from: String?
    /// Taken on or before this date.
    public var to: String?
    /// Only photos used in this article.
    public var article: String?
    /// Camera make or model contains this.
    public var camera: String?
    /// Only photos with these rights.
    public var rights: RightsFilter?
    /// Only photos whose Content Credentials had this verdict at ingest.
    public var provenance: Provenance.State?
    /// Only photos that declare themselves AI-generated in their Content Credentials.
    public var generated = false

    /// Makes filters.
    public init(
        missing: CaptionField? = nil, byline: String? = nil, from: String? = nil, to: String? = nil,
        article: String? = nil, camera: String? = nil, rights: RightsFilter? = nil,
        provenance: Provenance.State? = nil, generated: Bool = false
    ) {
        self.provenance = provenance
        self.generated = generated
        self.missing = missing
        self.byline = byline
        self.from = from
        self.to = to
        self.article = article
        self.camera = camera
        self.rights = rights
    }

    /// Whether no filter is set.
    public var isEmpty: Bool { self == SearchFilters() }
}

/// A rights filter: photos of a cost, killed ones, or those with restrictions.
public enum RightsFilter: Sendable, Equatable, Hashable {
    /// Of this cost ("free", "conditional", "pay", "deny").
    case cost(String)
    case killed
    case restricted

    /// The names `--rights` takes.
    public static let names = ["free", "conditional", "pay", "deny", "killed", "restricted"]

    /// The filter a name gives; nil for another name.
    public init?(name: String) {
        switch name {
        case "killed": self = .killed
        case "restricted": self = .restricted
        case "free", "conditional", "pay", "deny": self = .cost(name)
        default: return nil
        }
    }

    /// Its name.
    public var name: String {
        switch self {
        case .cost(let cost): cost
        case .killed: "killed"
        case .restricted: "restricted"
        }
    }
}

/// One token of a search, matched whole or as a prefix: a word (letters and digits, folded, as
/// the desk's `SearchText` makes them) or a pair of neighbouring words (`pair`).
public struct SearchTerm: Sendable, Equatable, Hashable {
    public var text: String
    public var prefix: Bool

    /// Makes a term.
    public init(_ text: String, prefix: Bool) {
        self.text = text
        self.prefix = prefix
    }

    /// The token of two neighbouring words, `~first~second`: no word holds a `~`, so no word (and
    /// no word's prefix) is ever a pair.
    public static func pair(_ first: String, _ second: String, prefix: Bool = false) -> SearchTerm {
        SearchTerm("~" + first + "~" + second, prefix: prefix)
    }
}

/// The search index's vocabulary, the same on every backend: a document is its words one space
/// apart, then the pair of each two neighbouring words, so that a phrase is found by its pairs
/// as plain tokens. Backends split a document on spaces only and match tokens, whole or as a
/// prefix; they never split words themselves.
public enum SearchTokens {
    /// A document's tokens as one text: the words (already folded, letters and digits only),
    /// then their neighbouring pairs.
    public static func document(_ words: [String]) -> String {
        guard words.count > 1 else { return words.joined(separator: " ") }
        let pairs = (1..<words.count).map { SearchTerm.pair(words[$0 - 1], words[$0]).text }
        return (words + pairs).joined(separator: " ")
    }

    /// Longer words are cut to this length.
    public static let maxWordLength = 64

    /// The words of a folded text: its runs of letters and digits, each cut to `maxWordLength`
    /// characters; everything else (spaces, punctuation, symbols) only separates them.
    public static func words(inFolded text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { words.append(String(String(current).prefix(maxWordLength))) }
            current = String.UnicodeScalarView()
        }
        for scalar in text.unicodeScalars {
            let properties = scalar.properties
            if properties.isAlphabetic || properties.numericType == .decimal {
                current.append(scalar)
            } else {
                flush()
            }
        }
        flush()
        return words
    }

    /// The words of a document made by `document` (its pairs left out).
    public static func words(of document: String) -> [String] {
        document.split(separator: " ").filter { !$0.hasPrefix("~") }.map(String.init)
    }
}

/// What a match asks of a document's tokens: every token of `all`, and not every token of
/// `none` (when there is one). Backends translate it mechanically: FTS5 `"a"* AND "b" NOT
/// ("~a~b")`, a PostgreSQL tsquery `'a':* & 'b' & !('~a~b')`, sets in memory.
public struct TokenQuery: Sendable, Equatable, Hashable {
    public var all: [SearchTerm]
    public var none: [SearchTerm]?

    /// Makes a query.
    public init(all: [SearchTerm], none: [SearchTerm]? = nil) {
        self.all = all
        self.none = none
    }
}

/// Which documents a search tier matches.
public struct TextMatch: Sendable, Equatable, Hashable {
    public enum Mode: Sendable, Equatable, Hashable {
        /// The terms next to each other, in order.
        case phrase
        /// Every term, anywhere.
        case allTerms
        /// Every term, but not as the phrase (the second tier, without the first's matches).
        case allTermsNotPhrase
    }

    public var terms: [SearchTerm]
    public var mode: Mode

    /// The most matches a store counts (`searchCount`): a larger total is reported as this many,
    /// read "this many or more". Counting every match of a common word costs a read of each
    /// (thousands), where the page itself reads twenty.
    public static let countCap = 500

    /// Makes a match.
    public init(terms: [SearchTerm], mode: Mode) {
        self.terms = terms
        self.mode = mode
    }

    /// The match as tokens, defined here once for every backend: a phrase of several words is
    /// all of its neighbouring pairs (the last one a prefix when its last word is), one word is
    /// itself; all terms are the words; all terms but not the phrase are the words without
    /// every pair. Nil when it matches nothing (no terms, or the second tier of one word).
    public var tokens: TokenQuery? {
        guard !terms.isEmpty else { return nil }
        let pairs = (1..<max(1, terms.count)).map { index in
            SearchTerm.pair(
                terms[index - 1].text, terms[index].text, prefix: index == terms.count - 1 && terms[index].prefix)
        }
        switch mode {
        case .phrase: return TokenQuery(all: terms.count > 1 ? pairs : terms)
        case .allTerms: return TokenQuery(all: terms)
        case .allTermsNotPhrase: return terms.count > 1 ? TokenQuery(all: terms, none: pairs) : nil
        }
    }
}

/// A search document found: its number (higher is newer) and the photo.
public struct SearchHit: Sendable, Equatable {
    /// The search document's number, assigned when the photo was first indexed; the keyset.
    public var document: Int64
    public var sha256: String
    public var caption: String?

    /// Makes a hit.
    public init(document: Int64, sha256: String, caption: String?) {
        self.document = document
        self.sha256 = sha256
        self.caption = caption
    }
}

/// One page of a search in tiers (`CatalogStore.searchTiers`): the matches of each tier in turn,
/// newest first within a tier, and a capped count, read together.
public struct TieredSearch: Sendable, Equatable {
    /// The tiers, best first: every hit of a tier comes before any hit of a later one.
    public var tiers: [TextMatch]
    /// The tier (an index into `tiers`) the page starts in; the tiers before it are skipped.
    public var startTier: Int
    /// Within `startTier`, the document number its hits are below (nil: from its newest).
    public var before: Int64?
    /// The most hits.
    public var limit: Int
    /// What to count as `searchCount` counts it, or nil for no count.
    public var counting: TextMatch?
    public var filters: SearchFilters
    public var audience: Audience

    /// Makes a tiered search.
    public init(
        tiers: [TextMatch], startTier: Int = 0, before: Int64? = nil, limit: Int, counting: TextMatch?,
        filters: SearchFilters, audience: Audience
    ) {
        self.tiers = tiers
        self.startTier = startTier
        self.before = before
        self.limit = limit
        self.counting = counting
        self.filters = filters
        self.audience = audience
    }

    /// The most hits, 1 to 1,000.
    public var boundedLimit: Int { max(1, min(limit, 1000)) }

    /// The tiers the page reads, in order from `startTier`, each with the document its hits are
    /// below (`before` in the first, none after).
    public var reads: [(tier: Int, before: Int64?)] {
        tiers.indices.filter { $0 >= startTier }.map { ($0, $0 == startTier ? before : nil) }
    }
}

/// A hit of a tiered search, with the tier (an index into `TieredSearch.tiers`) that found it.
public struct TieredHit: Sendable, Equatable {
    public var tier: Int
    public var hit: SearchHit

    /// Makes a tiered hit.
    public init(tier: Int, hit: SearchHit) {
        self.tier = tier
        self.hit = hit
    }
}

/// What a tiered search found: its hits in order and the count (nil when none was asked for).
public struct TieredPage: Sendable, Equatable {
    public var hits: [TieredHit]
    public var total: Int?

    /// Makes a page.
    public init(hits: [TieredHit], total: Int?) {
        self.hits = hits
        self.total = total
    }
}

/// Counts for `/metrics` and the desk.
public struct CatalogStatistics: Sendable, Equatable {
    public var photos = 0
    public var locations = 0
    public var renditions = 0
    public var renditionBytes = 0
    public var articles = 0
    public var captionRevisions = 0
    public var missingCaptions = 0
    /// When a file was last ingested or seen unchanged (seconds since 1970), 0 when never.
    public var lastSeen: Double = 0

    /// Zero counts.
    public init() {}
}
