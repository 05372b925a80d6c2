import Foundation

/// One search document as a backend's index holds it, for a copy kept in memory
/// (`SearchDocumentFeed`).
public struct SearchDocument: Sendable, Equatable {
    /// The document's number: the search's keyset, higher is newer.
    public var number: Int64
    public var sha256: String
    /// Its tokens (`SearchTokens`): the photo's own, then each of its article uses'.
    public var tokens: String
    /// See `Photo.publicFrom`.
    public var publicFrom: Date?
    /// See `Photo.publicUntil`.
    public var publicUntil: Date?
    /// The photo's caption, which a hit carries.
    public var caption: String?

    /// Makes a document.
    public init(
        number: Int64, sha256: String, tokens: String, publicFrom: Date?, publicUntil: Date? = nil, caption: String?
    ) {
        self.number = number
        self.sha256 = sha256
        self.tokens = tokens
        self.publicFrom = publicFrom
        self.publicUntil = publicUntil
        self.caption = caption
    }
}

/// The search documents a read found: all of them, or those changed after a counter.
public struct SearchDocumentChanges: Sendable, Equatable {
    /// The change counter the read saw: the documents are the index as of it.
    public var counter: Int64
    /// Documents made or changed (all of them when no counter was given), by number.
    public var documents: [SearchDocument]
    /// Numbers of documents removed.
    public var removed: [Int64]

    /// Makes a read's result.
    public init(counter: Int64, documents: [SearchDocument], removed: [Int64]) {
        self.counter = counter
        self.documents = documents
        self.removed = removed
    }
}

/// A backend whose search documents a copy in memory can follow: every document once, then
/// only what changed after the counter it has, each in one read.
public protocol SearchDocumentFeed: Sendable {
    /// Every document when `counter` is nil, else those made or changed after it and those
    /// removed after it; with the counter the read saw.
    func searchDocuments(changedAfter counter: Int64?) async throws -> SearchDocumentChanges
}
