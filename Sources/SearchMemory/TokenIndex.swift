import Catalog
import Foundation

/// Search documents held in memory: each token's documents (its posting list), and each
/// document's tokens. It answers a token query (`TokenQuery`) as the backends do, newest document
/// first, by walking the posting lists down together; and it takes a backend's changes one
/// document at a time (`apply`), never rebuilt.
struct TokenIndex: Sendable {
    /// One document.
    struct Document: Sendable {
        var sha256: String
        var caption: String?
        /// Seconds since 1970, to the millisecond as the catalog keeps it; nil while private.
        var publicFrom: Double?
        /// The same for the end of its visibility (excluded); nil for none.
        var publicUntil: Double?
        /// Its distinct tokens, by id.
        var tokens: [Int32]
    }

    /// The change counter the documents are as of.
    private(set) var counter: Int64
    private(set) var documents: [Int64: Document] = [:]
    /// Each token's id.
    private var ids: [String: Int32] = [:]
    /// Each token's documents by its id, lowest number first.
    private var postings: [[Int64]] = []
    /// Tokens given an id since the vocabulary was last sorted.
    private var unsorted: [(String, Int32)] = []
    /// Every token, sorted, and its id beside it: a prefix is a range of it.
    private var sortedTokens: [String] = []
    private var sortedIDs: [Int32] = []

    /// An index of a backend's whole document set.
    init(_ read: SearchDocumentChanges) {
        counter = read.counter
        for document in read.documents.sorted(by: { $0.number < $1.number }) {
            // Numbers arrive in order: each list is appended to, already sorted.
            let tokens = distinctTokens(document.tokens).map { id(for: $0) }
            for token in tokens { postings[Int(token)].append(document.number) }
            documents[document.number] = Self.document(document, tokens: tokens)
        }
        let order = ids.sorted { Self.precedes($0.key, $1.key) }
        sortedTokens = order.map(\.key)
        sortedIDs = order.map(\.value)
        unsorted = []
    }

    /// How many distinct tokens it holds.
    var tokenCount: Int { ids.count }

    /// Takes the documents made, changed or removed after its counter.
    mutating func apply(_ changes: SearchDocumentChanges) {
        for number in changes.removed { remove(number) }
        for document in changes.documents {
            remove(document.number)
            let tokens = distinctTokens(document.tokens).map { id(for: $0) }
            for token in tokens {
                let list = Int(token)
                if let last = postings[list].last, last > document.number {
                    postings[list].insert(document.number, at: Self.lowerBound(of: document.number, in: postings[list]))
                } else {
                    postings[list].append(document.number)
                }
            }
            documents[document.number] = Self.document(document, tokens: tokens)
        }
        if !unsorted.isEmpty {
            // The new tokens, merged into the sorted vocabulary at once.
            let added = unsorted.sorted { Self.precedes($0.0, $1.0) }
            unsorted = []
            if added.count <= 64 {
                // A few (a caption edited): each put in its place, one move of the arrays' tails.
                for (token, id) in added {
                    let at = Self.lowerBound(of: token, inTokens: sortedTokens)
                    sortedTokens.insert(token, at: at)
                    sortedIDs.insert(id, at: at)
                }
                counter = max(counter, changes.counter)
                return
            }
            var mergedTokens: [String] = []
            var mergedIDs: [Int32] = []
            mergedTokens.reserveCapacity(ids.count)
            mergedIDs.reserveCapacity(ids.count)
            var old = 0
            for (token, id) in added {
                while old < sortedTokens.count, Self.precedes(sortedTokens[old], token) {
                    mergedTokens.append(sortedTokens[old])
                    mergedIDs.append(sortedIDs[old])
                    old += 1
                }
                mergedTokens.append(token)
                mergedIDs.append(id)
            }
            mergedTokens += sortedTokens[old...]
            mergedIDs += sortedIDs[old...]
            sortedTokens = mergedTokens
            sortedIDs = mergedIDs
        }
        counter = max(counter, changes.counter)
    }

    private func distinctTokens(_ text: String) -> Set<Substring> {
        Set(text.split(separator: " "))
    }

    /// A token's id, a new one for a token not seen before.
    private mutating func id(for token: Substring) -> Int32 {
        let text = String(token)
        if let id = ids[text] { return id }
        let id = Int32(postings.count)
        ids[text] = id
        postings.append([])
        unsorted.append((text, id))
        return id
    }

    private static func document(_ document: SearchDocument, tokens: [Int32]) -> Document {
        Document(
            sha256: document.sha256, caption: document.caption,
            publicFrom: document.publicFrom.map { ($0.timeIntervalSince1970 * 1000).rounded(.down) / 1000 },
            publicUntil: document.publicUntil.map { ($0.timeIntervalSince1970 * 1000).rounded(.down) / 1000 },
            tokens: tokens)
    }

    private mutating func remove(_ number: Int64) {
        guard let entry = documents.removeValue(forKey: number) else { return }
        for token in entry.tokens {
            let list = Int(token)
            let index = Self.lowerBound(of: number, in: postings[list])
            // A token left with no documents stays known, matching nothing.
            if index < postings[list].count, postings[list][index] == number { postings[list].remove(at: index) }
        }
    }

    // MARK: Reading

    /// A term's documents, lowest first: its token's list, or for a prefix the lists of every token
    /// it starts merged (`PrefixLists` keeps those).
    func list(_ term: SearchTerm) -> [Int64] {
        guard term.prefix else { return ids[term.text].map { postings[Int($0)] } ?? [] }
        var lists: [[Int64]] = []
        var index = Self.lowerBound(of: term.text, inTokens: sortedTokens)
        while index < sortedTokens.count, sortedTokens[index].utf8.starts(with: term.text.utf8) {
            let list = postings[Int(sortedIDs[index])]
            if !list.isEmpty { lists.append(list) }
            index += 1
        }
        if lists.count <= 1 { return lists.first ?? [] }
        var merged = Array(lists.joined())
        merged.sort()
        var unique: [Int64] = []
        unique.reserveCapacity(merged.count)
        for number in merged where number != unique.last { unique.append(number) }
        return unique
    }

    /// The numbers of the documents holding every list's number (`all`) and not every one of
    /// `none`, newest first, below `before`, at most `limit`; with `publicBy`, only those public
    /// by then (seconds since 1970). The lists are walked down together from the shortest.
    func matches(all: [[Int64]], none: [[Int64]]?, publicBy: Double?, before: Int64?, limit: Int) -> [Int64] {
        guard limit > 0, let shortest = all.indices.min(by: { all[$0].count < all[$1].count }),
            !all[shortest].isEmpty
        else { return [] }
        let readersAt = publicBy.map { ($0 * 1000).rounded(.down) / 1000 }
        var others = all.indices.filter { $0 != shortest }.map { Cursor(all[$0]) }
        var excluded = (none ?? []).map { Cursor($0) }
        let driving = all[shortest]
        var index = (before.map { Self.lowerBound(of: $0, in: driving) } ?? driving.count) - 1
        var found: [Int64] = []
        while index >= 0, found.count < limit {
            let number = driving[index]
            index -= 1
            guard others.indices.allSatisfy({ others[$0].holds(number) }) else { continue }
            if !excluded.isEmpty, excluded.indices.allSatisfy({ excluded[$0].holds(number) }) { continue }
            if let readersAt {
                guard let document = documents[number], let from = document.publicFrom, from <= readersAt,
                    document.publicUntil.map({ readersAt < $0 }) ?? true
                else { continue }
            }
            found.append(number)
        }
        return found
    }

    /// A hit for a document number.
    func hit(_ number: Int64) -> SearchHit? {
        documents[number].map { SearchHit(document: number, sha256: $0.sha256, caption: $0.caption) }
    }

    /// Token order: by their UTF-8 bytes, as FTS5 and PostgreSQL compare them, so that a prefix
    /// is a prefix of bytes (Swift's own comparison and `hasPrefix` go by whole characters, and
    /// a folded Hangul syllable's jamo, for one, are a prefix of bytes but not of characters).
    static func precedes(_ left: String, _ right: String) -> Bool {
        left.utf8.lexicographicallyPrecedes(right.utf8)
    }

    /// The first index whose token is not below `token` in the vocabulary's order.
    static func lowerBound(of token: String, inTokens sorted: [String]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if precedes(sorted[middle], token) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The first index whose element is not below `value` in a sorted array.
    static func lowerBound<T: Comparable>(of value: T, in sorted: [T]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// A position in an ascending list that only moves down, as the numbers asked about do:
    /// each question costs a step or two, the whole walk one pass of the list at most.
    struct Cursor {
        let list: [Int64]
        /// The next element not yet passed (from the top).
        var position: Int

        init(_ list: [Int64]) {
            self.list = list
            position = list.count - 1
        }

        /// Whether the list holds `number`, asked with numbers that only decrease.
        mutating func holds(_ number: Int64) -> Bool {
            // Gallop down to the first element not above the number, then search that stretch.
            var step = 1
            var low = position
            while low >= 0, list[low] > number {
                position = low
                low -= step
                step *= 2
            }
            if low < 0 { low = -1 }
            if low >= 0, list[low] == number {
                position = low
                return true
            }
            // The answer lies in (low, position]: a binary search there.
            var lowBound = low + 1
            var highBound = position
            while lowBound < highBound {
                let middle = (lowBound + highBound) / 2
                if list[middle] > number { highBound = middle } else { lowBound = middle + 1 }
            }
            // lowBound is the first element above the number in the stretch.
            position = lowBound - 1
            if position >= 0, list[position] == number { return true }
            return false
        }
    }
}
