import Catalog
import Foundation
import Logging
import Synchronization

/// A copy of a backend's search index held in memory, answering searches without filters at
/// the catalog's current version (read without a query through its change signal) and leaving
/// every other search to the backend. It loads the documents once, then follows the change
/// signal: after each commit it reads only the documents changed since its counter and applies
/// them one by one (`SearchDocumentFeed`), never copying the whole index again. While it is
/// behind, searches go to the backend.
///
/// It answers exactly as the backends do: the same tokens (`SearchTokens`), the same tiers
/// (`TextMatch.tokens`), the same keyset and count cap; `MemorySearchTests` holds it to FTS5.
public final class MemorySearch: SearchStore, @unchecked Sendable {
    // @unchecked: `index` is only read with `lock` held for reading and written with it held
    // for writing; the counts with `countLock`; `heldCounter` and `givenUp` are atomics.

    /// When the copy is brought up to date.
    public enum Mode: Sendable, Equatable {
        /// In the background, after each change the signal tells of (a server).
        case following
        /// Before each search, in the search's own call (tests: every search is answered from
        /// memory).
        case catchingUpFirst
    }

    let feed: any SearchDocumentFeed
    let fallback: any SearchStore
    let signal: any ChangeSignal
    let mode: Mode
    /// Larger catalogs are left to the backend: the copy holds about 400 bytes a document.
    let maximumDocuments: Int
    let logger: Logger

    private let lock = ReadWriteLock()
    private var index: TokenIndex?
    /// The copy's counter (-1: no copy), read without the lock: a search checks it against the
    /// catalog's version first and takes the lock only when the copy can answer, so searches
    /// arriving after a change never hold off the catch-up that writes it.
    private let heldCounter = Atomic<Int64>(-1)
    /// Set once the catalog outgrew `maximumDocuments`: the copy is dropped and not read again.
    private let givenUp = Atomic<Bool>(false)
    /// The merged lists of the prefixes searched at the copy's counter.
    private let prefixes = PrefixLists()
    /// One catch-up at a time.
    private let catchingUp = CatchUpGate()
    private let countLock = NSLock()
    private var counts = MemorySearchStatus()

    /// A copy over a backend: its documents (`feed`), the store that answers what the copy does
    /// not (`fallback`, the same backend's search) and its change signal.
    public init(
        feed: any SearchDocumentFeed, fallback: any SearchStore, signal: any ChangeSignal, mode: Mode = .following,
        maximumDocuments: Int = 500_000, logger: Logger = Logger(label: "photodesk.search-memory")
    ) {
        self.feed = feed
        self.fallback = fallback
        self.signal = signal
        self.mode = mode
        self.maximumDocuments = maximumDocuments
        self.logger = logger
    }

    /// Loads the copy and follows the catalog's changes until the task is cancelled. A read that
    /// fails is logged with its cause (searches go to the backend meanwhile) and tried again at
    /// the next change.
    public func follow() async {
        await catchUpLogging()
        for await _ in signal.changes() {
            if Task.isCancelled || givenUp.load(ordering: .relaxed) { return }
            await catchUpLogging()
        }
    }

    private func catchUpLogging() async {
        do {
            try await catchUp()
        } catch {
            countLock.withLock { counts.failedCatchUps += 1 }
            logger.warning(
                "the search copy in memory could not read the catalog's changes; searches go to the catalog until it can",
                metadata: ["error": "\(error)"])
        }
    }

    /// Brings the copy up to the catalog: the whole index the first time, then what changed
    /// after its counter. A catalog over `maximumDocuments` is not copied, then or later. With
    /// `version`, a copy already at it (brought there by a catch-up this one waited for) is left
    /// as it is: many searches waiting for one change read it once.
    public func catchUp(to version: CatalogVersion? = nil) async throws {
        try await catchingUp.run {
            if givenUp.load(ordering: .relaxed) { return }
            if let version, heldCounter.load(ordering: .acquiring) >= version.value { return }
            let held = lock.reading { index?.counter }
            let read = try await feed.searchDocuments(changedAfter: held)
            let tooLarge = lock.writing { () -> Bool in
                if held == nil || index == nil {
                    index = read.documents.count <= maximumDocuments ? TokenIndex(read) : nil
                } else if let previous = index?.counter {
                    index?.apply(read)
                    if let count = index?.documents.count, count > maximumDocuments { index = nil }
                    if let index { prefixes.advance(from: previous, to: index, by: read) }
                }
                heldCounter.store(index?.counter ?? -1, ordering: .releasing)
                return index == nil
            }
            if tooLarge {
                givenUp.store(true, ordering: .relaxed)
                logger.notice(
                    "the catalog has more than \(maximumDocuments) search documents: searches go to the catalog, none from memory"
                )
            }
            countLock.withLock { counts.catchUps += 1 }
        }
    }

    /// What the copy holds and how often it answered.
    public var status: MemorySearchStatus {
        var status = countLock.withLock { counts }
        lock.reading {
            status.counter = index?.counter
            status.documents = index?.documents.count ?? 0
            status.tokens = index?.tokenCount ?? 0
        }
        return status
    }

    // MARK: SearchStore

    public func searchTiers(_ search: TieredSearch) async throws -> TieredPage {
        if search.filters.isEmpty {
            switch mode {
            case .catchingUpFirst: try await catchUp()
            case .following:
                // A copy one change behind catches up in this call (with every search that came
                // meanwhile, in one read of what changed) rather than sending the search, and the
                // ones after it, to the backend: the read and its application take a few
                // milliseconds, a burst of searches on the backend far longer. A copy not yet
                // loaded, given up, or failing to read leaves the search to the backend.
                if case .current(let version) = signal.currentVersion(),
                    case let held = heldCounter.load(ordering: .acquiring), held >= 0, held < version.value
                {
                    do { try await catchUp(to: version) } catch { countLock.withLock { counts.failedCatchUps += 1 } }
                }
            }
        }
        if let page = answer(search) {
            countLock.withLock { counts.answered += 1 }
            return page
        }
        countLock.withLock { counts.passedOn += 1 }
        return try await fallback.searchTiers(search)
    }

    public func searchHits(
        _ match: TextMatch, filters: SearchFilters, audience: Audience, before document: Int64?, limit: Int
    ) async throws -> [SearchHit] {
        try await fallback.searchHits(match, filters: filters, audience: audience, before: document, limit: limit)
    }

    public func searchCount(_ match: TextMatch?, filters: SearchFilters, audience: Audience) async throws -> Int {
        try await fallback.searchCount(match, filters: filters, audience: audience)
    }

    /// The page from memory, when the copy can read the search (no filters) and is at the
    /// catalog's version now; nil otherwise.
    func answer(_ search: TieredSearch) -> TieredPage? {
        guard search.filters.isEmpty, case .current(let version) = signal.currentVersion(),
            heldCounter.load(ordering: .acquiring) == version.value
        else { return nil }
        let publicBy: Double?
        switch search.audience {
        case .editors: publicBy = nil
        case .readers(let at): publicBy = at.timeIntervalSince1970
        }
        return lock.reading { () -> TieredPage? in
            guard let index, index.counter == version.value else { return nil }
            let lists = { (term: SearchTerm) in self.prefixes.list(term, of: index) }
            func matches(_ tokens: TokenQuery, before: Int64?, limit: Int) -> [Int64] {
                index.matches(
                    all: tokens.all.map(lists), none: tokens.none?.map(lists), publicBy: publicBy, before: before,
                    limit: limit)
            }
            let limit = search.boundedLimit
            var hits: [TieredHit] = []
            for read in search.reads where hits.count < limit {
                guard let tokens = search.tiers[read.tier].tokens else { continue }
                hits += matches(tokens, before: read.before, limit: limit - hits.count)
                    .compactMap { index.hit($0) }.map { TieredHit(tier: read.tier, hit: $0) }
            }
            let total = search.counting.map { counting in
                counting.tokens.map { matches($0, before: nil, limit: TextMatch.countCap).count } ?? 0
            }
            return TieredPage(hits: hits, total: total)
        }
    }
}

/// What a memory copy of the search index holds, and what it did.
public struct MemorySearchStatus: Sendable, Equatable {
    /// The change counter it is as of (nil: no copy).
    public var counter: Int64?
    public var documents = 0
    public var tokens = 0
    /// Searches answered from memory, and those passed on to the backend.
    public var answered = 0
    public var passedOn = 0
    /// Times it read the backend's changes, and times that read failed.
    public var catchUps = 0
    public var failedCatchUps = 0

    /// Nothing yet.
    public init() {}
}

/// The documents of the prefixes searched at one counter of the copy, merged from the lists of
/// every token each starts and kept until the copy moves on: a prefix a reader types is asked
/// again and again (as the reader pages, as others search the same place).
final class PrefixLists: @unchecked Sendable {
    // @unchecked: `counter`, `lists` and `elements` are only touched with `lock` held.
    private let lock = NSLock()
    private var counter: Int64?
    private var lists: [String: [Int64]] = [:]
    private var elements = 0
    /// The most numbers kept in all (8 bytes each).
    let maxElements: Int

    init(maxElements: Int = 4_000_000) {
        self.maxElements = maxElements
    }

    /// A term's documents at the index's counter: its token's own list, or a prefix's merged one.
    func list(_ term: SearchTerm, of index: TokenIndex) -> [Int64] {
        guard term.prefix else { return index.list(term) }
        if let kept = lock.withLock({ counter == index.counter ? lists[term.text] : nil }) { return kept }
        let made = index.list(term)
        lock.withLock {
            if counter != index.counter || elements + made.count > maxElements {
                lists.removeAll(keepingCapacity: true)
                elements = 0
                counter = index.counter
            }
            lists[term.text] = made
            elements += made.count
        }
        return made
    }

    /// Moves the kept lists on to the index's new counter after it took `changes` (made at
    /// `previous`): each list loses the documents changed or removed and gains those changed
    /// that now hold a token the prefix starts, so a caption edited does not cost every prefix
    /// searched its merge again. Many changes at once, or lists kept at another counter, are
    /// dropped instead.
    func advance(from previous: Int64, to index: TokenIndex, by changes: SearchDocumentChanges) {
        lock.withLock {
            guard counter == previous, changes.documents.count + changes.removed.count <= 256 else {
                lists.removeAll(keepingCapacity: true)
                elements = 0
                counter = index.counter
                return
            }
            let touched = Set(changes.removed).union(changes.documents.map(\.number))
            let tokens = changes.documents.map { ($0.number, $0.tokens.split(separator: " ")) }
            for (prefix, list) in lists {
                var updated = list.filter { !touched.contains($0) }
                for (number, documentTokens) in tokens
                where documentTokens.contains(where: { $0.utf8.starts(with: prefix.utf8) }) {
                    updated.insert(number, at: TokenIndex.lowerBound(of: number, in: updated))
                }
                elements += updated.count - list.count
                lists[prefix] = updated
            }
            counter = index.counter
        }
    }
}

/// Runs one catch-up at a time: a call while one runs waits for it, then runs its own (which
/// finds little or nothing new).
actor CatchUpGate {
    private var running = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run(_ body: @Sendable () async throws -> Void) async throws {
        if running {
            await withCheckedContinuation { waiting.append($0) }
        }
        running = true
        defer {
            if waiting.isEmpty { running = false } else { waiting.removeFirst().resume() }
        }
        try await body()
    }
}
