import Catalog
import Foundation

/// Where an article is for people: a draft, scheduled (published from a time still to come), or
/// published.
public enum ArticleStatus: String, Codable, Sendable, CaseIterable {
    case draft, scheduled, published

    /// The status of an article in a state, public from `publishAt`, judged at `now`.
    public init(_ state: PublicationState, publishAt: Date?, now: Date) {
        guard state == .published else {
            self = .draft
            return
        }
        self = (publishAt.map { $0 > now } ?? false) ? .scheduled : .published
    }
}

/// An article as a listing shows it: the same value in `photodesk article list --json` and in
/// the API's `GET /api/v1/articles`.
public struct ArticleListItem: Codable, Sendable, Equatable {
    public var slug: String
    public var headline: String
    /// The publication time as written.
    public var published: String?
    public var status: ArticleStatus
    public var publishAt: Date?
    /// How many photos it uses.
    public var photos: Int
    /// The short id of its first photo.
    public var cover: String?

    /// The item of a summary, its status judged at `now`.
    public init(_ summary: ArticleSummary, now: Date) {
        slug = summary.slug
        headline = summary.headline
        published = summary.published
        status = ArticleStatus(summary.state, publishAt: summary.publishAt, now: now)
        publishAt = summary.publishAt
        photos = summary.photos
        cover = summary.cover.map { String($0.prefix(16)) }
    }
}
