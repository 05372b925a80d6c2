import Foundation
import PhotoModel

/// Whether an article is public: a draft is not; a published one is from `publishAt` on (a
/// time in the future is an embargo: the article is scheduled).
public enum PublicationState: String, Codable, Sendable, CaseIterable {
    case draft, published
}

/// An article of the news site, which photos illustrate.
public struct Article: Codable, Sendable, Equatable {
    /// The store's key; nil before it is first saved.
    public var id: Int64?
    /// The article's address on the site, its identity.
    public var slug: String
    public var headline: String
    public var dateline: String?
    public var byline: String?
    /// The body, in Markdown.
    public var body: String
    public var state: PublicationState
    /// When it becomes public (with `state` published); nil for a draft.
    public var publishAt: Date?
    /// The publication time as written, with its offset ("2020-09-21T08:00:00+07:00" or "2020-09-21").
    public var published: String?
    public var updatedAt: Date
    /// Increases with every save: the value a compare-and-set expects.
    public var version: Int

    /// Makes an article.
    public init(
        id: Int64? = nil, slug: String, headline: String, dateline: String? = nil, byline: String? = nil,
        body: String = "", state: PublicationState = .draft, publishAt: Date? = nil, published: String? = nil,
        updatedAt: Date = Date(), version: Int = 0
    ) {
        self.id = id
        self.slug = slug
        self.headline = headline
        self.dateline = dateline
        self.byline = byline
        self.body = body
        self.state = state
        self.publishAt = publishAt
        self.published = published
        self.updatedAt = updatedAt
        self.version = version
    }

    /// From when readers may see the article; nil while it is a draft.
    public var publicFrom: Date? {
        state == .published ? (publishAt ?? Date(timeIntervalSince1970: 0)) : nil
    }
}

/// A rectangle of a photo as displayed (after orientation), in pixels, with the aspect preset it
/// was chosen for ("hero"), or none for a free crop.
public struct Crop: Codable, Sendable, Equatable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    public var preset: String?

    /// Makes a crop.
    public init(x: Int, y: Int, width: Int, height: Int, preset: String? = nil) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.preset = preset
    }
}

/// A photo's place in an article, with the caption and crop as used there.
public struct ArticleUse: Codable, Sendable, Equatable {
    /// 1-based order in the article.
    public var position: Int
    /// The photo; nil when it was removed with `--force` (the article shows a gap).
    public var sha256: String?
    /// The caption for this use; nil means the photo's own caption.
    public var caption: String?
    public var crop: Crop?
    /// This use's part of the photo's search text (the article's headline, the caption as used),
    /// as the desk computes it.
    public var searchText: String

    /// Makes a use.
    public init(position: Int, sha256: String?, caption: String? = nil, crop: Crop? = nil, searchText: String = "") {
        self.position = position
        self.sha256 = sha256
        self.caption = caption
        self.crop = crop
        self.searchText = searchText
    }
}

/// An article with its uses in order, and a card for each photo they name.
public struct ArticleBundle: Sendable, Equatable {
    public var article: Article
    public var uses: [ArticleUse]
    /// By full hash.
    public var photos: [String: PhotoCard]

    /// Makes a bundle.
    public init(article: Article, uses: [ArticleUse], photos: [String: PhotoCard]) {
        self.article = article
        self.uses = uses
        self.photos = photos
    }
}

/// An article as lists show it.
public struct ArticleSummary: Codable, Sendable, Equatable {
    public var slug: String
    public var headline: String
    public var state: PublicationState
    public var publishAt: Date?
    public var published: String?
    public var updatedAt: Date
    /// Photos in it (gaps not counted).
    public var photos: Int
    /// The first photo's full hash, for a cover image.
    public var cover: String?

    /// Makes a summary.
    public init(
        slug: String, headline: String, state: PublicationState, publishAt: Date?, published: String?,
        updatedAt: Date, photos: Int, cover: String?
    ) {
        self.slug = slug
        self.headline = headline
        self.state = state
        self.publishAt = publishAt
        self.published = published
        self.updatedAt = updatedAt
        self.photos = photos
        self.cover = cover
    }
}

/// One use of a photo, as seen from the photo.
public struct PhotoUse: Codable, Sendable, Equatable {
    public var slug: String
    public var position: Int
    public var caption: String?
    public var crop: Crop?
    public var state: PublicationState
    public var publishAt: Date?

    /// Makes a use.
    public init(
        slug: String, position: Int, caption: String?, crop: Crop?, state: PublicationState, publishAt: Date?
    ) {
        self.slug = slug
        self.position = position
        self.caption = caption
        self.crop = crop
        self.state = state
        self.publishAt = publishAt
    }
}
