import Foundation
import GRDB

/// An article of the news site, which photos illustrate.
public struct ArticleRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "article"

    public var id: Int64?
    /// The article's address on the site, its identity.
    public var slug: String
    public var headline: String
    public var dateline: String?
    /// Publication date, ISO 8601 ("2020-09-21").
    public var published: String?
    public var byline: String?
    /// The body, in Markdown.
    public var body: String
    public var updatedAt: Date

    /// Makes an article.
    public init(
        slug: String, headline: String, dateline: String? = nil, published: String? = nil, byline: String? = nil,
        body: String = "", updatedAt: Date = Date()
    ) {
        self.slug = slug
        self.headline = headline
        self.dateline = dateline
        self.published = published
        self.byline = byline
        self.body = body
        self.updatedAt = updatedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A photo's place in an article, with the caption as used there.
public struct ArticlePhotoRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "articlePhoto"

    public var articleId: Int64
    /// 1-based order in the article.
    public var position: Int
    /// The photo; nil when it was removed with `--force` (the article shows a gap).
    public var sha256: String?
    /// The caption for this use; nil means the photo's own caption.
    public var caption: String?
}

/// A photo to place in an article.
public struct ArticlePhotoInput: Sendable, Equatable {
    public var sha256: String
    public var caption: String?

    /// Makes an input.
    public init(sha256: String, caption: String?) {
        self.sha256 = sha256
        self.caption = caption
    }
}

/// An article with its photos in order, in the CLI's JSON shape.
public struct ArticleDocument: Codable, Sendable, Equatable {
    /// One photo as used in the article.
    public struct Photo: Codable, Sendable, Equatable {
        /// The photo's short id; nil when it was removed (a gap).
        public var id: String?
        public var position: Int
        /// The caption as used in this article: its own, else the photo's.
        public var caption: String?
        public var credit: String?
        public var byline: String?
        public var width: Int?
        public var height: Int?
    }

    public var slug: String
    public var headline: String
    public var dateline: String?
    public var published: String?
    public var byline: String?
    public var body: String
    public var photos: [Photo]
}

/// An article as lists show it.
public struct ArticleSummary: Codable, Sendable, Equatable {
    public var slug: String
    public var headline: String
    public var published: String?
    public var photos: Int
    /// The first photo's short id, for a cover image.
    public var cover: String?
}

/// A photo's renditions (smallest first) and copyright, as a page showing it needs them.
public struct PhotoRenditions: Sendable, Equatable {
    public var sha256: String
    public var renditions: [RenditionRecord]
    public var copyright: String?

    public init(sha256: String, renditions: [RenditionRecord], copyright: String?) {
        self.sha256 = sha256
        self.renditions = renditions
        self.copyright = copyright
    }
}
