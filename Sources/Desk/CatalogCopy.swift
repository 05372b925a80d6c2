import Catalog
import Crypto
import Foundation
import PhotoModel

/// Copies a whole catalog into an empty one (moving a desk from SQLite to PostgreSQL): photos,
/// their locations and renditions, captions with every revision, articles with their uses and
/// crops, the rights rules and each photo's rights (leases, kills and their history), users and
/// API tokens. It refuses a target that holds anything, and checks afterwards
/// that the counts agree and that the revisions hash the same on both sides.
public struct CatalogCopy: Sendable {
    let source: any CatalogStore
    let target: any CatalogStore

    /// What was copied, and the checks.
    public struct Report: Sendable, Equatable, Encodable {
        public var photos = 0
        public var locations = 0
        public var renditions = 0
        public var revisions = 0
        public var articles = 0
        public var uses = 0
        public var users = 0
        public var tokens = 0
        /// Photos whose rights (leases, kills, history, derived state) were copied; their leases; kills.
        public var rights = 0
        public var leases = 0
        public var kills = 0
        /// The SHA-256 of every caption revision, in order, on each side.
        public var sourceChecksum = ""
        public var targetChecksum = ""
    }

    /// Makes a copy from one store to another.
    public init(from source: any CatalogStore, to target: any CatalogStore) {
        self.source = source
        self.target = target
    }

    /// Makes a copy of a desk's catalog into another (a new, empty) store.
    public init(from desk: Desk, to target: any CatalogStore) {
        self.init(from: desk.store, to: target)
    }

    /// Copies, reporting progress (photos done so far) as it goes.
    public func run(progress: @Sendable (Int) -> Void = { _ in }) async throws -> Report {
        guard try await target.photoCount(filters: SearchFilters(), audience: .editors) == 0,
            try await target.articles(limit: 1, audience: .editors).isEmpty, try await target.accounts().isEmpty
        else {
            throw DeskError(.exists, "the target catalog is not empty: copy only into a new, empty database")
        }
        var report = Report()
        // Oldest first, so the target numbers its search documents in the same order.
        var hashes: [String] = []
        var cursor: PhotoCursor?
        repeat {
            let page = try await source.photos(filters: SearchFilters(), limit: 500, after: cursor, audience: .editors)
            hashes += page.map(\.sha256)
            cursor = page.count == 500 ? page.last?.cursor : nil
        } while cursor != nil
        hashes.reverse()
        var batch: [IngestRecord] = []
        var extraLocations: [FileLocation] = []
        for sha in hashes {
            guard let details = try await source.details(sha256: sha), let first = details.locations.first else {
                continue
            }
            let history = try await source.captionHistory(of: sha)
            let caption = details.caption ?? Caption(sha256: sha, fields: CaptionFields(), revision: 0)
            batch.append(
                IngestRecord(
                    photo: details.photo, location: first, caption: caption, revisions: history,
                    searchText: SearchText.photoText(caption.fields), renditions: details.renditions))
            extraLocations += details.locations.dropFirst()
            report.photos += 1
            report.locations += details.locations.count
            report.renditions += details.renditions.count
            report.revisions += history.count
            if batch.count == 200 {
                try await target.record(batch)
                batch.removeAll(keepingCapacity: true)
                progress(report.photos)
            }
        }
        try await target.record(batch)
        for location in extraLocations { try await target.touch(location) }
        // The looks for twins (the nearly uniform ones, which have no hash, are made again by
        // `photodesk twins` from their originals).
        try await target.saveLooks(
            try await source.twinSignatures().map { PhotoLook(sha256: $0.sha256, hash: $0.hash) })
        progress(report.photos)
        for sha in hashes {
            if let photo = try await source.photo(sha256: sha), let published = photo.publishedAt {
                try await target.setPhotoPublication(sha, publishedAt: published)
            }
        }
        for summary in try await source.articles(limit: 1000, audience: .editors).reversed() {
            guard let bundle = try await source.article(slug: summary.slug) else { continue }
            var article = bundle.article
            article.id = nil
            _ = try await target.saveArticle(article, uses: bundle.uses, expectingVersion: nil)
            report.articles += 1
            report.uses += bundle.uses.count
        }
        // The rules first, then each photo's rights as the source holds them (a kill stays a kill).
        if let rules = try await source.setting(Desk.rulesSetting) {
            try await target.saveSetting(Desk.rulesSetting, value: rules.value, by: rules.by, at: rules.at)
        }
        for sha in hashes {
            guard let rights = try await source.rights(of: sha),
                !rights.leases.isEmpty || !rights.events.isEmpty || !rights.state.sameDecision(as: .initial)
            else { continue }
            try await target.importRights(sha, rights)
            report.rights += 1
            report.leases += rights.leases.count
            if rights.state.killed { report.kills += 1 }
        }
        for account in try await source.accounts() {
            try await target.addAccount(account)
            report.users += 1
            for token in try await source.tokens(of: account.name) {
                try await target.saveToken(token)
                report.tokens += 1
            }
        }
        report.sourceChecksum = try await Self.checksum(source, hashes)
        let copied = try await CatalogCensus.take(target)
        report.targetChecksum = copied.captionChecksum
        try Self.verify(report, copied)
        return report
    }

    /// The target's census must be what was copied: the same counts, and the revisions must hash
    /// the same.
    static func verify(_ report: Report, _ copied: CatalogCensus) throws {
        var expected = CatalogCensus()
        expected.photos = report.photos
        expected.locations = report.locations
        expected.renditions = report.renditions
        expected.revisions = report.revisions
        expected.articles = report.articles
        expected.uses = report.uses
        expected.leases = report.leases
        expected.kills = report.kills
        expected.users = report.users
        expected.captionChecksum = report.sourceChecksum
        let problems = expected.differences(from: copied)
        guard problems.isEmpty else {
            throw DeskError(.storage, "the copy does not match its source: " + problems.joined(separator: "; "))
        }
    }

    /// SHA-256 over every revision of every photo: hash, number, field, values, author, time (ms), source.
    static func checksum(_ store: any CatalogStore, _ hashes: [String]) async throws -> String {
        var hasher = SHA256()
        for sha in hashes.sorted() {
            for revision in try await store.captionHistory(of: sha) {
                let milliseconds = Int64((revision.at.timeIntervalSince1970 * 1000).rounded())
                let line =
                    [
                        revision.sha256, String(revision.revision), revision.field, revision.oldValue ?? "\u{0}",
                        revision.newValue ?? "\u{0}", revision.author, String(milliseconds), revision.source,
                    ].joined(separator: "\u{1F}") + "\n"
                hasher.update(data: Data(line.utf8))
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
