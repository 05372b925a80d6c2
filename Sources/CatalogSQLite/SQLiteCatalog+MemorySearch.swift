import Catalog
import Foundation
import GRDB
import Synchronization

/// When a SQLite catalog answers searches from its index copied into memory (`MemorySearchIndex`).
public enum MemorySearch: Sendable, Equatable {
    /// Never: every search reads FTS5 (a command that searches once).
    case off
    /// While the copy is current. After a change, searches read FTS5 until a new copy, made in
    /// the background, is ready; copies are made at most a fifth of the time (a server).
    case background
    /// Always, bringing the copy up to date first in the search's own read when the catalog
    /// changed (tests, so that every search they make reads memory).
    case current
}

/// The memory copy of a catalog's search index, who may use it and whether one is being made.
final class SearchMemory: Sendable {
    struct State {
        var mode = MemorySearch.off
        var index: MemorySearchIndex?
        /// The change counter at which the catalog could not be copied (too large, or a time
        /// in another shape): no copy is tried again until it changes.
        var refusedAt: Int64?
        /// The copy being made in the background.
        var building: Task<Void, Never>?
        /// No background copy starts before this: the last one's end, plus its time `pause` times.
        var notBefore: ContinuousClock.Instant?
        var pause = 4
        /// Larger catalogs are left to FTS5: the copy takes about 170 bytes a document.
        var maximumDocuments = 500_000
        /// Searches answered from memory.
        var answered = 0
    }

    let state = Mutex(State())

    /// A search's page read from memory in `db`'s transaction, or nil when FTS5 must read it:
    /// memory search off, filters, words FTS5 could read otherwise, or no current copy.
    func page(_ db: Database, _ search: TieredSearch, pool: DatabasePool) throws -> TieredPage? {
        let mode = state.withLock { $0.mode }
        guard mode != .off, search.filters.isEmpty else { return nil }
        let matches = search.tiers + (search.counting.map { [$0] } ?? [])
        guard matches.allSatisfy({ $0.terms.allSatisfy(MemorySearchIndex.readsAlike) }) else { return nil }
        var now: Int64?
        if case .readers(let at) = search.audience {
            // The time as the SQL search compares it: as GRDB writes a date.
            guard case .string(let text) = at.databaseValue.storage, let key = MemorySearchIndex.publicKey(text)
            else { return nil }
            now = key
        }
        let changes = try Int64.fetchOne(db, sql: "SELECT changes FROM catalogState WHERE id = 1") ?? 0
        guard let index = try current(db, changes: changes, mode: mode, pool: pool) else { return nil }
        state.withLock { $0.answered += 1 }
        let limit = search.boundedLimit
        var found: [(tier: Int, document: Int64)] = []
        for read in search.reads where found.count < limit {
            found += index.matches(
                search.tiers[read.tier], publicBy: now, before: read.before, limit: limit - found.count
            ).map { (read.tier, index.documents[$0]) }
        }
        let total = search.counting.map {
            index.matches($0, publicBy: now, before: nil, limit: TextMatch.countCap).count
        }
        var photos: [Int64: (sha256: String, caption: String?)] = [:]
        if !found.isEmpty {
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT searchDoc.id, searchDoc.sha256,
                               (SELECT json_extract(fields, '$.caption') FROM caption WHERE caption.sha256 = searchDoc.sha256)
                        FROM searchDoc WHERE searchDoc.id IN (SELECT value FROM json_each(?))
                        """),
                arguments: ["[" + found.map { String($0.document) }.joined(separator: ",") + "]"])
            while let row = try rows.next() { photos[row[0]] = (row[1], row[2]) }
        }
        return TieredPage(
            hits: found.compactMap { tier, document in
                photos[document].map {
                    TieredHit(tier: tier, hit: SearchHit(document: document, sha256: $0.sha256, caption: $0.caption))
                }
            }, total: total)
    }

    /// The copy at `changes`: the one held, one made now (`current`), or none while one is made
    /// in the background.
    private func current(_ db: Database, changes: Int64, mode: MemorySearch, pool: DatabasePool) throws
        -> MemorySearchIndex?
    {
        let (held, refused) = state.withLock { ($0.index, $0.refusedAt == changes) }
        if let held, held.changes == changes { return held }
        guard !refused else { return nil }
        switch mode {
        case .off: return nil
        case .background:
            build(pool)
            return nil
        case .current:
            // The same transaction, so the copy is of exactly this counter's catalog.
            let fresh = try MemorySearchIndex.read(db, maximumDocuments: state.withLock { $0.maximumDocuments })
            state.withLock {
                $0.index = fresh
                $0.refusedAt = fresh == nil ? changes : nil
            }
            return fresh
        }
    }

    /// Starts a copy in the background unless one is being made or the last ended too recently.
    func build(_ pool: DatabasePool) {
        state.withLock { state in
            guard state.building == nil, state.mode == .background else { return }
            if let notBefore = state.notBefore, ContinuousClock.now < notBefore { return }
            state.building = copy(pool, maximumDocuments: state.maximumDocuments)
        }
    }

    /// Makes a copy in the background (called with the state's lock held).
    private func copy(_ pool: DatabasePool, maximumDocuments: Int) -> Task<Void, Never> {
        Task.detached(priority: .utility) { [self] in
            let began = ContinuousClock.now
            let made = try? await pool.read { db -> (changes: Int64, index: MemorySearchIndex?) in
                (
                    try Int64.fetchOne(db, sql: "SELECT changes FROM catalogState WHERE id = 1") ?? 0,
                    try MemorySearchIndex.read(db, maximumDocuments: maximumDocuments)
                )
            }
            let ended = ContinuousClock.now
            state.withLock { state in
                state.building = nil
                // Copying takes at most a fifth of the time while the catalog keeps changing.
                state.notBefore = ended + (ended - began) * state.pause
                guard let made else { return }
                if let index = made.index, index.changes >= (state.index?.changes ?? .min) {
                    state.index = index
                    state.refusedAt = nil
                } else if made.index == nil {
                    state.index = nil
                    state.refusedAt = made.changes
                }
            }
        }
    }
}

extension SQLiteCatalog {
    /// Whether searches are answered from the search index copied into memory (see
    /// `MemorySearch`); `background` starts the first copy now.
    public func readSearchesFromMemory(_ mode: MemorySearch) {
        searchMemory.state.withLock { $0.mode = mode }
        if mode == .background { searchMemory.build(pool) }
    }

    /// The copy held and how many searches it answered.
    public var searchMemoryStatus: MemorySearchStatus {
        searchMemory.state.withLock { state in
            MemorySearchStatus(
                changes: state.index?.changes, documents: state.index?.documents.count ?? 0,
                words: state.index.map { $0.wordStart.count - 1 } ?? 0, bytes: state.index?.footprint ?? 0,
                answered: state.answered)
        }
    }

    /// Waits for the copy being made in the background, if any.
    func searchMemoryCopied() async {
        await searchMemory.state.withLock { $0.building }?.value
    }
}

/// The search index copy a SQLite catalog holds in memory.
public struct MemorySearchStatus: Sendable, Equatable {
    /// The change counter it was made at (nil: no copy).
    public var changes: Int64?
    public var documents: Int
    public var words: Int
    /// Bytes it holds, roughly.
    public var bytes: Int
    /// Searches it answered.
    public var answered: Int
}
