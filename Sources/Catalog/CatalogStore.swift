import Foundation

/// Everything Photodesk keeps about photos, behind one protocol so that a second backend
/// (PostgreSQL) can follow the embedded SQLite one.
public protocol CatalogStore: AccountStore {
    /// Every known location by path: read once per ingest, so unchanged files cost no query.
    func locationIndex() throws -> [String: LocationRecord]
    /// The locations of one asset.
    func locations(of sha256: String) throws -> [LocationRecord]
    /// An asset by its full hash.
    func asset(sha256: String) throws -> AssetRecord?
    /// An asset by short id, a longer prefix of its hash, or the path of one of its files.
    func resolve(_ reference: String) throws -> AssetRecord?
    /// The hashes of assets lacking a rendition of a preset, or holding one made with other settings.
    func assetsNeedingRenditions(presets: [String: String]) throws -> Set<String>
    /// The renditions of an asset.
    func renditions(of sha256: String) throws -> [RenditionRecord]
    /// The renditions and copyright of several photos by short id, in one read (an article
    /// page's photos); ids not found are absent.
    func photoRenditions(shortIds: [String]) throws -> [String: PhotoRenditions]
    /// One rendition, by short id and preset.
    func rendition(shortId: String, preset: String) throws -> RenditionRecord?
    /// Every rendition, for `verify`.
    func allRenditions() throws -> [RenditionRecord]
    /// Every location, for `verify`.
    func allLocations() throws -> [LocationRecord]
    /// Records one ingested file in one transaction.
    func save(_ entry: IngestEntry) throws
    /// Records many files in one transaction (imports, benchmarks).
    func save(contentsOf entries: [IngestEntry]) throws
    /// Notes that a location was seen again unchanged.
    func touch(_ location: LocationRecord) throws
    /// Replaces an asset's renditions (after `verify --repair` or a preset change).
    func replaceRenditions(_ renditions: [RenditionRecord], of sha256: String) throws
    /// The newest assets first, by keyset after a cursor.
    func assets(limit: Int, after cursor: AssetCursor?) throws -> [AssetSummary]
    /// The asset before and after one, in the listing's order.
    func neighbours(of sha256: String) throws -> (previous: AssetSummary?, next: AssetSummary?)
    /// Number of assets.
    func assetCount() throws -> Int
    /// The master caption fields of an asset.
    func caption(of sha256: String) throws -> CaptionRecord?
    /// The full description of an asset, in the CLI's JSON shape.
    func document(sha256: String) throws -> AssetDocument?

    /// Changes caption fields as one new revision. With `basedOn`, an edit made from an older
    /// revision is refused with `StaleEdit` and nothing is saved.
    func setCaption(_ sha256: String, changes: CaptionChanges, basedOn revision: Int?, author: String, source: String)
        throws
        -> CaptionRecord
    /// Every change of an asset's caption fields, oldest first.
    func captionHistory(of sha256: String) throws -> [CaptionRevision]
    /// Restores the values as of a revision, as a new revision.
    func revertCaption(_ sha256: String, to revision: Int, author: String) throws -> CaptionRecord

    /// Creates or updates (by slug) an article and its photos in order.
    func saveArticle(_ article: ArticleRecord, photos: [ArticlePhotoInput]) throws -> (
        article: ArticleRecord, created: Bool
    )
    /// An article with its photos.
    func article(slug: String) throws -> ArticleDocument?
    /// The newest articles first.
    func articles(limit: Int) throws -> [ArticleSummary]
    /// Places photos in an article at a position (the end by default), with a caption for this use.
    func link(slug: String, photos: [String], position: Int?, caption: String?) throws
    /// Takes a photo out of an article.
    func unlink(slug: String, sha256: String) throws
    /// The articles that use a photo.
    func usages(of sha256: String) throws -> [AssetDocument.ArticleUse]
    /// Removes an asset and returns its renditions' paths; refused while articles use it unless forced.
    func removeAsset(_ sha256: String, force: Bool) throws -> [String]

    /// Full-text search with filters, ranked, paged by keyset.
    func search(_ query: SearchQuery, limit: Int, after token: String?) throws -> SearchPage
}

/// What an ingest job hands the catalog for one file.
public struct IngestEntry: Sendable {
    public var asset: AssetRecord
    public var location: LocationRecord
    /// Caption fields read from the file, used only when the asset is new.
    public var captions: CaptionFields
    /// Where the caption fields came from ("embedded", "sidecar").
    public var captionSource: String
    /// Renditions made for the asset (empty when none had to be made).
    public var renditions: [RenditionRecord]
    /// The asset this path held before, when the file changed: its captions carry over.
    public var previousSha256: String?
    /// Who ran the ingest.
    public var author: String

    /// Makes an entry.
    public init(
        asset: AssetRecord, location: LocationRecord, captions: CaptionFields, captionSource: String,
        renditions: [RenditionRecord], previousSha256: String? = nil, author: String
    ) {
        self.asset = asset
        self.location = location
        self.captions = captions
        self.captionSource = captionSource
        self.renditions = renditions
        self.previousSha256 = previousSha256
        self.author = author
    }
}

/// A position in the newest-first listing of assets.
public struct AssetCursor: Sendable, Equatable, Codable {
    public var createdAt: Date
    public var sha256: String

    /// Makes a cursor.
    public init(createdAt: Date, sha256: String) {
        self.createdAt = createdAt
        self.sha256 = sha256
    }

    /// A cursor as one URL-safe token.
    public var token: String { "\(createdAt.timeIntervalSince1970)_\(sha256)" }

    /// Reads a token; nil when it is not one.
    public init?(token: String) {
        let parts = token.split(separator: "_")
        guard parts.count == 2, let seconds = Double(parts[0]), parts[1].count == 64,
            parts[1].allSatisfy(\.isHexDigit)
        else { return nil }
        self.init(createdAt: Date(timeIntervalSince1970: seconds), sha256: String(parts[1]))
    }
}

/// An asset as lists show it.
public struct AssetSummary: Sendable, Equatable, Codable {
    public var id: String
    public var sha256: String
    public var width: Int
    public var height: Int
    public var takenAt: String?
    public var caption: String?
    public var byline: String?
    public var createdAt: Date

    /// Where the next page starts.
    public var cursor: AssetCursor { AssetCursor(createdAt: createdAt, sha256: sha256) }
}
