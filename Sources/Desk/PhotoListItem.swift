import Catalog
import Foundation
import PhotoModel

/// A photo as a listing shows it: the same value in `photodesk list --json` and in the API's
/// `GET /api/v1/assets`.
public struct PhotoListItem: Codable, Sendable, Equatable {
    public var id: String
    public var sha256: String
    /// Width as displayed (after orientation).
    public var width: Int
    public var height: Int
    public var takenAt: String?
    public var caption: String?
    public var byline: String?
    /// When the photo was first catalogued.
    public var createdAt: Date
    /// Whether readers see it now.
    public var published: Bool

    /// The item of a card, `published` judged by readers at `now`.
    public init(_ card: PhotoCard, readersAt now: Date) {
        id = card.shortId
        sha256 = card.sha256
        width = card.width
        height = card.height
        takenAt = card.takenAt
        caption = card.caption.caption
        byline = card.caption.byline
        createdAt = card.createdAt
        published = Audience.readers(at: now).sees(card.visibility)
    }
}

/// A count of photos shown on a page: exact up to `shown`, then "10,000+". Counting every photo a
/// reader may see reads every one of them; a count that stops keeps a page's cost flat as the
/// archive grows (bench/results.md, the growth rows).
public struct PhotoCount: Sendable, Equatable, CustomStringConvertible {
    /// The largest count told exactly.
    public static let shown = 10_000
    /// What was counted, at most `shown + 1`.
    public var counted: Int

    public init(counted: Int) { self.counted = counted }

    /// Whether the count is the whole number.
    public var isExact: Bool { counted <= Self.shown }

    public var description: String { isExact ? "\(counted)" : "10,000+" }
}
