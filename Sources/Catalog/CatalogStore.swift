import Foundation
import PhotoModel

/// A catalog backend: storage primitives over plain values, and nothing of the desk's rules
/// (which live in `Desk`, written once over any store). Every method is one read or one
/// transaction; writes that must not overwrite a newer change take the version they expect
/// (compare-and-set) and fail with `CatalogError.conflict` otherwise. Every write transaction
/// increments the change counter.
///
/// Derived data the store keeps itself, inside the write's transaction:
/// - a photo's search document is its own search text followed by the search text of each of its
///   article uses, indexed for `searchHits`;
/// - a photo's `publicFrom` is the earliest of its own `publishedAt` and the `publishAt` (or the
///   beginning of time, when none) of each published article that uses it; nil when neither.
public protocol CatalogStore: Sendable {
    // MARK: Files and photos

    /// Every known location by path: read once per ingest, so unchanged files cost no query.
    func locationIndex() async throws -> [String: FileLocation]
    /// The location at a path.
    func location(path: String) async throws -> FileLocation?
    /// A photo by its full hash.
    func photo(sha256: String) async throws -> Photo?
    /// Photos whose hash starts with a lower-case hex prefix, at most `limit`, by hash.
    func photos(hashPrefix: String, limit: Int) async throws -> [Photo]
    /// Everything about one photo, in one read.
    func details(sha256: String) async throws -> PhotoDetails?
    /// The hashes of photos lacking a rendition of one of these presets (name to fingerprint),
    /// or holding one made with other settings.
    func photosNeedingRenditions(fingerprints: [String: String]) async throws -> Set<String>
    /// A photo's renditions, smallest first.
    func renditions(of sha256: String) async throws -> [Rendition]
    /// One rendition by short id and preset, with its photo's `publicFrom`.
    func rendition(shortId: String, preset: String) async throws -> RenditionLookup?
    /// Cards for several photos by full hash, in one read; hashes not found are absent.
    func cards(sha256s: [String]) async throws -> [String: PhotoCard]
    /// Every rendition, for `verify`.
    func allRenditions() async throws -> [Rendition]
    /// Every location, for `verify`.
    func allLocations() async throws -> [FileLocation]
    /// The newest photos first that match the filters and the audience sees, by keyset after a cursor.
    func photos(filters: SearchFilters, limit: Int, after cursor: PhotoCursor?, audience: Audience) async throws
        -> [PhotoCard]
    /// The photos just newer and just older than one, in the listing's order, that the audience sees.
    func neighbours(of sha256: String, audience: Audience) async throws -> (newer: PhotoCard?, older: PhotoCard?)
    /// How many photos match the filters and the audience sees.
    func photoCount(filters: SearchFilters, audience: Audience) async throws -> Int

    /// Records ingested files in one transaction: a new photo with its first caption, revisions
    /// and search text (nothing of these when the photo is already there), its location and its
    /// renditions.
    func record(_ records: [IngestRecord]) async throws
    /// Notes that a file was seen again unchanged.
    func touch(_ location: FileLocation) async throws
    /// Adds or replaces renditions of a photo (by preset).
    func saveRenditions(_ renditions: [Rendition], of sha256: String) async throws
    /// Removes a photo and returns its renditions. With `requireUnused`, refused with
    /// `CatalogError.inUse` when an article uses it; otherwise its uses become gaps.
    func deletePhoto(_ sha256: String, requireUnused: Bool) async throws -> [Rendition]
    /// Publishes a photo on its own from a time, or takes that back (nil).
    func setPhotoPublication(_ sha256: String, publishedAt: Date?) async throws

    // MARK: Captions

    /// A photo's caption fields and revision.
    func caption(of sha256: String) async throws -> Caption?
    /// Every change of a photo's caption fields, oldest first.
    func captionHistory(of sha256: String) async throws -> [CaptionRevision]
    /// Saves a caption as a compare-and-set on its revision (see `CaptionCommit`).
    func commitCaption(_ commit: CaptionCommit) async throws
    /// Caption changes made after a time, newest first, at most `limit` (the desk's "since your
    /// last visit").
    func captionRevisions(since date: Date, limit: Int) async throws -> [CaptionRevision]

    // MARK: Articles

    /// An article with its uses and their photos' cards.
    func article(slug: String) async throws -> ArticleBundle?
    /// The articles the audience sees, newest first (by publication time, then update).
    func articles(limit: Int, audience: Audience) async throws -> [ArticleSummary]
    /// Saves an article with its uses (replacing them), as a compare-and-set on its version:
    /// `expectingVersion` nil creates it (`CatalogError.exists` when the slug is taken), a number
    /// updates it only while its version is still that (`CatalogError.conflict` otherwise).
    /// Returns the article as saved, with its id and new version.
    func saveArticle(_ article: Article, uses: [ArticleUse], expectingVersion: Int?) async throws -> Article
    /// The uses of a photo in articles, by slug and position.
    func uses(of sha256: String) async throws -> [PhotoUse]
    /// The first time after `date` at which a scheduled article becomes public, if any.
    func nextPublication(after date: Date) async throws -> Date?

    // MARK: Search

    /// Search documents matching, newest (highest number) first, below a document number.
    func searchHits(
        _ match: TextMatch, filters: SearchFilters, audience: Audience, before document: Int64?, limit: Int
    ) async throws -> [SearchHit]
    /// How many photos match (all tiers together when `match` is all terms); a text match counts
    /// up to `TextMatch.countCap` (more are reported as the cap).
    func searchCount(_ match: TextMatch?, filters: SearchFilters, audience: Audience) async throws -> Int
    /// A page of a search in tiers and its count: the same hits as `searchHits` over each tier
    /// in turn from `startTier` (below `before` in that tier) until `limit`, and the same total
    /// as `searchCount(counting)`. The default runs those calls one after the other; a backend
    /// answers it in one read (one snapshot, one trip to the store) when it can.
    func searchTiers(_ search: TieredSearch) async throws -> TieredPage

    // MARK: Changes

    /// A number that grows with every committed write: caches made at one value are stale at another.
    func changeCounter() async throws -> Int64

    // MARK: Accounts

    /// Adds a user; `CatalogError.exists` when the name is taken.
    func addAccount(_ account: Account) async throws
    /// Changes a user's role or password hash; with `endSessions`, their sessions end in the
    /// same transaction.
    func updateAccount(_ account: Account, endSessions: Bool) async throws
    /// One user.
    func account(named name: String) async throws -> Account?
    /// Every user, by name.
    func accounts() async throws -> [Account]
    /// Removes a user with their sessions and tokens; false when there was none.
    func removeAccount(named name: String) async throws -> Bool
    /// Opens a session (and forgets expired ones).
    func saveSession(_ session: Session) async throws
    /// A live session and its user, by the hash of its secret.
    func session(tokenHash: String, now: Date) async throws -> (Session, Account)?
    /// Notes when a session's editor last looked at the desk.
    func markDeskVisit(tokenHash: String, at date: Date) async throws
    /// Ends a session.
    func deleteSession(tokenHash: String) async throws
    /// Keeps a token.
    func saveToken(_ token: APIToken) async throws
    /// A live token and its user, by the hash of its secret.
    func token(hash: String, now: Date) async throws -> (APIToken, Account)?
    /// A user's tokens, oldest first.
    func tokens(of name: String) async throws -> [APIToken]
    /// Revokes a token by its id; false when there was none.
    func revokeToken(id: String) async throws -> Bool
    /// Counts a sign-in attempt for every key, unless one of them must still wait: then nothing is
    /// counted and the wait is returned (seconds; 0 means counted and allowed). Atomic, so
    /// concurrent attempts cannot all pass the check.
    func chargeLoginAttempt(keys: [String], policy: ThrottlePolicy, now: Date) async throws -> TimeInterval
    /// Forgets the attempts of keys (after a successful sign-in).
    func clearLoginAttempts(keys: [String]) async throws

    /// Counts for monitoring, as the audience sees them.
    func statistics(audience: Audience) async throws -> CatalogStatistics
}

extension CatalogStore {
    public func searchTiers(_ search: TieredSearch) async throws -> TieredPage {
        try await searchTiersOneByOne(search)
    }

    /// `searchTiers` through `searchHits` and `searchCount`, one call after another (the
    /// default, and what the contract suite holds a backend's own answer to).
    public func searchTiersOneByOne(_ search: TieredSearch) async throws -> TieredPage {
        let limit = search.boundedLimit
        var hits: [TieredHit] = []
        for read in search.reads where hits.count < limit {
            let found = try await searchHits(
                search.tiers[read.tier], filters: search.filters, audience: search.audience, before: read.before,
                limit: limit - hits.count)
            hits += found.map { TieredHit(tier: read.tier, hit: $0) }
        }
        var total: Int?
        if let counting = search.counting {
            total = try await searchCount(counting, filters: search.filters, audience: search.audience)
        }
        return TieredPage(hits: hits, total: total)
    }
}

/// The catalog's change counter as the current task (a reader's request) has already read it.
/// A store may answer from a copy made at exactly that counter without reading the catalog again:
/// the answer is then the catalog as that read found it, which is still within the request. Set
/// only around work that does not write (the gallery's reader cache sets it around the pages it
/// caches, which are all reads).
public enum ObservedChanges {
    @TaskLocal public static var counter: Int64?
}
