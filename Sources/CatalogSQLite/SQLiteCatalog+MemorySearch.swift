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
        /// Larger catalogs are left to FTS5: the copy takes about 400 bytes a document (39 MB for
        /// the 100,000 captions of `make bench`).
        var maximumDocuments = 500_000
        /// Searches answered from memory, and of them those that did not read the catalog.
        var answered = 0
        var withoutReading = 0
    }

    let state = Mutex(State())

    /// A search's page read from memory in `db`'s transaction, or nil when FTS5 must read it:
    /// memory search off, filters, words FTS5 could read otherwise, or no current copy.
    func page(_ db: Database, _ search: TieredSearch, pool: DatabasePool) throws -> TieredPage? {
        let mode = state.withLock { $0.mode }
        guard mode != .off, let now = Self.readable(search) else { return nil }
        let changes = try Int64.fetchOne(db, sql: "SELECT changes FROM catalogState WHERE id = 1") ?? 0
        guard let index = try current(db, changes: changes, mode: mode, pool: pool) else { return nil }
        return answer(search, index, now: now)
    }

    /// A search's page read from memory without reading the catalog, when the copy held was made
    /// at `changes`, the counter this request read (`ObservedChanges`): the answer is the catalog
    /// as that read found it. Nil otherwise.
    func page(_ search: TieredSearch, observed changes: Int64) -> TieredPage? {
        guard let index = state.withLock({ $0.mode == .off ? nil : $0.index }), index.changes == changes,
            let now = Self.readable(search)
        else { return nil }
        state.withLock { $0.withoutReading += 1 }
        return answer(search, index, now: now)
    }

    /// Whether the copy can read a search, and the time readers see photos public by (as a key;
    /// `.some(nil)` for editors): no filters, and words FTS5 and the copy read alike.
    private static func readable(_ search: TieredSearch) -> Int64?? {
        guard search.filters.isEmpty else { return nil }
        let matches = search.tiers + (search.counting.map { [$0] } ?? [])
        guard matches.allSatisfy({ $0.terms.allSatisfy(MemorySearchIndex.readsAlike) }) else { return nil }
        guard case .readers(let at) = search.audience else { return .some(nil) }
        // The time as the SQL search compares it: as GRDB writes a date.
        guard case .string(let text) = at.databaseValue.storage, let key = MemorySearchIndex.publicKey(text) else {
            return nil
        }
        return .some(key)
    }

    private func answer(_ search: TieredSearch, _ index: MemorySearchIndex, now: Int64?) -> TieredPage {
        state.withLock { $0.answered += 1 }
        let limit = search.boundedLimit
        var hits: [TieredHit] = []
        for read in search.reads where hits.count < limit {
            hits += index.matches(
                search.tiers[read.tier], publicBy: now, before: read.before, limit: limit - hits.count
            ).map { TieredHit(tier: read.tier, hit: index.hit($0)) }
        }
        let total = search.counting.map {
            index.matches($0, publicBy: now, before: nil, limit: TextMatch.countCap).count
        }
        return TieredPage(hits: hits, total: total)
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
                answered: state.answered, withoutReading: state.withoutReading)
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
    /// Searches it answered, and of them those answered at the counter their request had read,
    /// without reading the catalog (`ObservedChanges`).
    public var answered: Int
    public var withoutReading: Int
}
