import Catalog
import Foundation
import PhotoModel

/// The newsroom's rules, written once over any catalog store: which photo a reference names,
/// caption revisions and stale edits, history and revert, caption carry-over, articles and
/// their uses (caption and crop as used), publication, usages and the remove guard, batch
/// captions, and what search finds in which order.
///
/// The only door to the catalog: the gallery, the exports and the command line reach it through
/// the desk and the services beside it (`accounts`, `jobQueue`, `changes`), never through the
/// store, which only the desk holds.
public struct Desk: Sendable {
    /// The catalog.
    let store: any CatalogStore
    /// The library folder, for the files the desk's changes remove (renditions).
    public let library: Library
    /// The time now: readers' visibility and embargoes are judged by it (tests set it).
    public let clock: @Sendable () -> Date
    /// What answers searches: the store, or a copy of its index held in memory in front of it.
    let search: any SearchStore

    /// How many times a write is tried again when other writers keep changing the same row.
    static let attempts = 32
    /// The same for one caption, which many editors and a batch may write at once.
    static let captionAttempts = 64

    /// Makes a desk over a store; `search`, when given, answers searches in front of the store
    /// (a copy of its index in memory).
    public init(
        store: any CatalogStore, library: Library, clock: @escaping @Sendable () -> Date = { Date() },
        search: (any SearchStore)? = nil
    ) {
        self.store = store
        self.library = library
        self.clock = clock
        self.search = search ?? store
    }

    /// Readers now.
    public var readers: Audience { .readers(at: clock()) }

    // MARK: The services beside the desk

    /// The people who may sign in: accounts, sessions, API tokens and the sign-in throttle.
    public var accounts: Accounts { Accounts(store: store, clock: clock) }

    /// The catalog's job queue, when its backend has one (PostgreSQL's).
    public var jobQueue: (any JobQueue)? { store as? any JobQueue }

    /// The catalog's change signal: its version, read cheaply, and a stream of versions as
    /// writes commit anywhere. Caches of what the catalog holds key on it.
    public var changes: any ChangeSignal { store }

    /// The catalog's backend ("sqlite", "postgresql"), for health checks and logs.
    public var backend: String { store.backend }

    /// Counts for monitoring, as the audience sees them.
    public func statistics(audience: Audience) async throws -> CatalogStatistics {
        try await stored { try await store.statistics(audience: audience) }
    }

    // MARK: Photos

    /// The photo a reference names: its short id, a longer or shorter (4 digits at least) prefix
    /// of its hash, or the path of one of its files; nil when none does.
    public func findPhoto(_ reference: String) async throws -> Photo? {
        let lowered = reference.lowercased()
        if (4...64).contains(lowered.utf8.count),
            lowered.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        {
            let matches = try await stored { try await store.photos(hashPrefix: lowered, limit: 2) }
            if matches.count > 1 {
                throw DeskError(.ambiguous, "\(reference) matches several photos: give more digits")
            }
            if let match = matches.first { return match }
        }
        guard reference.utf8.count <= 4096, !reference.contains("\0") else { return nil }
        let path = URL(fileURLWithPath: reference).standardizedFileURL.path
        guard let location = try await stored({ try await store.location(path: path) }) else { return nil }
        return try await stored { try await store.photo(sha256: location.sha256) }
    }

    /// The photo a reference names, or `DeskError.notFound` naming the reference.
    public func photo(_ reference: String) async throws -> Photo {
        guard let photo = try await findPhoto(reference) else {
            throw DeskError(.notFound, "no photo matches \(reference)")
        }
        return photo
    }

    /// A photo by its exact short id (16 hex digits, as URLs carry it), as the viewpoint sees it:
    /// nil when there is none or readers may not see it.
    public func photo(shortId: String, for viewpoint: Viewpoint) async throws -> Photo? {
        let id = shortId.lowercased()
        guard id.utf8.count == 16, id.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        guard let photo = try await stored({ try await store.photos(hashPrefix: id, limit: 1) }).first,
            viewpoint.audience.sees(photo.visibility)
        else { return nil }
        return photo
    }

    /// Everything about a photo in the CLI's JSON shape, as the viewpoint may see it; nil when
    /// readers may not see the photo.
    public func document(sha256: String, for viewpoint: Viewpoint) async throws -> PhotoDocument? {
        guard let details = try await stored({ try await store.details(sha256: sha256) }),
            viewpoint.audience.sees(details.photo.visibility)
        else { return nil }
        let photo = details.photo
        let editor = viewpoint.isEditor
        let fields = details.caption?.fields ?? CaptionFields()
        let rights = editor ? try await self.rights(of: photo.sha256) : nil
        let uses = details.uses.filter { use in
            editor
                || viewpoint.audience.sees(publicFrom: use.state == .published ? (use.publishAt ?? .distantPast) : nil)
        }
        return PhotoDocument(
            id: photo.shortId, sha256: photo.sha256, paths: editor ? details.locations.map(\.path) : nil,
            format: photo.format, bytes: photo.bytes, width: photo.width, height: photo.height,
            orientation: photo.orientation, takenAt: photo.takenAt, camera: photo.camera, exposure: photo.exposure,
            gps: editor ? photo.gps : viewpoint.location.apply(photo.gps),
            fields: editor ? fields : fields.publicOnly,
            renditions: details.renditions.filter { !$0.preset.hasPrefix(Crops.prefix) }.map {
                .init(
                    preset: $0.preset, format: $0.format, width: $0.width, height: $0.height,
                    path: editor ? $0.path : nil)
            },
            articles: uses.map {
                .init(
                    slug: $0.slug, position: $0.position, caption: $0.caption, crop: $0.crop, state: $0.state,
                    publishAt: $0.publishAt)
            },
            captionRevision: details.caption?.revision ?? 0, publicFrom: photo.publicFrom,
            publishedAt: photo.publishedAt, publicUntil: photo.publicUntil, rights: rights,
            mandatoryCredit: Self.mandatoryCredit(fields),
            provenance: try await provenance(of: photo.sha256).map { found in
                var shown = found
                if !editor { shown.report = nil }
                return shown
            }, sources: editor ? photo.sources : nil)
    }

    /// The newest photos first that match filters, as the audience sees them, after a cursor token
    /// (one this list gave out, else `invalid`); with the token of the next page.
    public func photos(
        filters: SearchFilters = SearchFilters(), limit: Int, after token: String?, audience: Audience
    ) async throws -> (photos: [PhotoCard], next: String?) {
        let bounded = max(1, min(limit, 500))
        let cursor = try PageToken.read(token, as: PhotoCursor.init(token:))
        let cards = try await stored {
            try await store.photos(filters: filters, limit: bounded + 1, after: cursor, audience: audience)
        }
        let shown = Array(cards.prefix(bounded))
        return (shown, cards.count > bounded ? shown.last?.cursor.token : nil)
    }

    /// How many photos match filters, as the audience sees them; with `limit`, counting stops
    /// there (see `PhotoCount`).
    public func photoCount(filters: SearchFilters = SearchFilters(), audience: Audience, upTo limit: Int? = nil)
        async throws -> Int
    {
        try await stored { try await store.photoCount(filters: filters, audience: audience, upTo: limit) }
    }

    /// A page's count of photos: exact up to `PhotoCount.shown`, "10,000+" beyond, so that the
    /// count costs the same in a catalog of ten thousand photos as in one of a million.
    public func pageCount(filters: SearchFilters = SearchFilters(), audience: Audience) async throws -> PhotoCount {
        PhotoCount(counted: try await photoCount(filters: filters, audience: audience, upTo: PhotoCount.shown + 1))
    }

    /// The photos just newer and older than one, as the audience sees them.
    public func neighbours(of sha256: String, audience: Audience) async throws -> (
        newer: PhotoCard?, older: PhotoCard?
    ) {
        try await stored { try await store.neighbours(of: sha256, audience: audience) }
    }

    /// Cards for photos by full hash.
    public func cards(_ sha256s: [String]) async throws -> [String: PhotoCard] {
        try await stored { try await store.cards(sha256s: sha256s) }
    }

    /// The articles that use a photo.
    public func usages(of sha256: String) async throws -> [PhotoUse] {
        try await stored { try await store.uses(of: sha256) }
    }

    /// Removes a photo from the catalog, then its rendition files (never an original). Refused
    /// while articles use it, unless forced: the articles then keep a visible gap.
    @discardableResult
    public func remove(_ sha256: String, force: Bool) async throws -> [Rendition] {
        let uses = try await usages(of: sha256)
        if !uses.isEmpty && !force {
            throw DeskError(
                .inUse,
                "photo \(sha256.prefix(16)) is used by \(uses.count) article photo(s) (\(Set(uses.map(\.slug)).sorted().joined(separator: ", "))): unlink it first, or remove with --force (the articles keep a visible gap)"
            )
        }
        let renditions: [Rendition]
        do {
            renditions = try await store.deletePhoto(sha256, requireUnused: !force)
        } catch let error as CatalogError where error.code == .inUse {
            throw DeskError(
                .inUse,
                "photo \(sha256.prefix(16)) was just added to an article: unlink it first, or remove with --force")
        } catch let error as CatalogError {
            throw DeskError(error)
        }
        // After the commit: a failed removal leaves the catalog complete and the files stray
        // (verify --repair removes them), never a catalog naming files that are gone.
        for rendition in renditions { try? FileManager.default.removeItem(atPath: library.absolute(rendition.path)) }
        return renditions
    }

    /// Publishes a photo on its own (readers see it from `at`, now by default), or takes it back.
    /// A photo whose rights forbid it at that time is refused (`DeskError.refused`).
    public func setPublished(_ sha256: String, _ published: Bool, at date: Date? = nil) async throws {
        if published {
            let time = date ?? clock()
            if let refusal = try await refusal(of: sha256, at: time, article: nil) {
                throw DeskError(
                    .refused,
                    "photo \(sha256.prefix(16)) may not run at \(PublicationTime.text(time)): \(refusal.reason)")
            }
        }
        try await stored {
            try await store.setPhotoPublication(sha256, publishedAt: published ? (date ?? clock()) : nil)
        }
    }
}
