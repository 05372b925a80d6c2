import Catalog
import Foundation

/// Search documents held in memory: each document's tokens, and each token's documents. It
/// answers a token query (`TokenQuery`) as the backends do, newest document first, and takes a
/// backend's changes one document at a time (`apply`), never rebuilt.
struct TokenIndex: Sendable {
    /// One document.
    struct Document: Sendable {
        var sha256: String
        var caption: String?
        /// Seconds since 1970, to the millisecond as the catalog keeps it; nil while private.
        var publicFrom: Double?
        /// Its distinct tokens, sorted (found by binary search, whole or by prefix).
        var tokens: [String]
    }

    /// The change counter the documents are as of.
    private(set) var counter: Int64
    private(set) var documents: [Int64: Document] = [:]
    /// Each token's documents, lowest number first.
    private var postings: [String: [Int64]] = [:]
    /// Every token that has had documents, sorted: a prefix is a range of it.
    private var vocabulary: [String] = []

    /// An index of a backend's whole document set.
    init(_ read: SearchDocumentChanges) {
        counter = read.counter
        for document in read.documents.sorted(by: { $0.number < $1.number }) {
            let entry = Self.document(document)
            documents[document.number] = entry
            // Numbers arrive in order: each list is appended to, already sorted.
            for token in entry.tokens { postings[token, default: []].append(document.number) }
        }
        vocabulary = postings.keys.sorted()
    }

    /// How many distinct tokens it holds.
    var tokenCount: Int { vocabulary.count }

    /// Takes the documents made, changed or removed after its counter.
    mutating func apply(_ changes: SearchDocumentChanges) {
        for number in changes.removed { remove(number) }
        for document in changes.documents {
            remove(document.number)
            insert(document)
        }
        counter = max(counter, changes.counter)
    }

    private static func document(_ document: SearchDocument) -> Document {
        Document(
            sha256: document.sha256, caption: document.caption,
            publicFrom: document.publicFrom.map { ($0.timeIntervalSince1970 * 1000).rounded(.down) / 1000 },
            tokens: Array(Set(document.tokens.split(separator: " ").map(String.init))).sorted())
    }

    private mutating func insert(_ document: SearchDocument) {
        let entry = Self.document(document)
        documents[document.number] = entry
        for token in entry.tokens {
            if postings[token] == nil {
                vocabulary.insert(token, at: Self.lowerBound(of: token, in: vocabulary))
            }
            var list = postings[token] ?? []
            if let last = list.last, last > document.number {
                list.insert(document.number, at: Self.lowerBound(of: document.number, in: list))
            } else {
                list.append(document.number)
            }
            postings[token] = list
        }
    }

    private mutating func remove(_ number: Int64) {
        guard let entry = documents.removeValue(forKey: number) else { return }
        for token in entry.tokens {
            guard var list = postings[token] else { continue }
            let index = Self.lowerBound(of: number, in: list)
            if index < list.count, list[index] == number { list.remove(at: index) }
            // An emptied token stays in the vocabulary with no documents: it matches nothing.
            postings[token] = list
        }
    }

    // MARK: Reading

    /// The numbers of the documents matching a query, newest first, below `before`, at most
    /// `limit`; with `publicBy`, only those public by then (seconds since 1970).
    func matches(_ query: TokenQuery, publicBy: Double?, before: Int64?, limit: Int) -> [Int64] {
        guard limit > 0, !query.all.isEmpty else { return [] }
        // The driving term: the one with the fewest documents; the others are checked in each
        // candidate's own tokens.
        let costs = query.all.map { cost($0) }
        guard let driving = costs.indices.min(by: { costs[$0] < costs[$1] }), costs[driving] > 0 else { return [] }
        let others = query.all.indices.filter { $0 != driving }.map { query.all[$0] }
        let readersAt = publicBy.map { ($0 * 1000).rounded(.down) / 1000 }
        var found: [Int64] = []
        var candidates = Candidates(lists: lists(query.all[driving]), before: before)
        while found.count < limit, let number = candidates.next() {
            guard let document = documents[number] else { continue }
            if let readersAt {
                guard let from = document.publicFrom, from <= readersAt else { continue }
            }
            guard others.allSatisfy({ Self.holds(document, $0) }) else { continue }
            if let none = query.none, none.allSatisfy({ Self.holds(document, $0) }) { continue }
            found.append(number)
        }
        return found
    }

    /// A hit for a document number.
    func hit(_ number: Int64) -> SearchHit? {
        documents[number].map { SearchHit(document: number, sha256: $0.sha256, caption: $0.caption) }
    }

    /// How many documents a term's lists hold (for a prefix, counted up to a bound).
    private func cost(_ term: SearchTerm) -> Int {
        guard term.prefix else { return postings[term.text]?.count ?? 0 }
        var total = 0
        var index = Self.lowerBound(of: term.text, in: vocabulary)
        while index < vocabulary.count, vocabulary[index].hasPrefix(term.text), total < 1 << 30 {
            total += postings[vocabulary[index]]?.count ?? 0
            index += 1
        }
        return total
    }

    /// The lists of the tokens a term matches: its own, or every token its prefix starts.
    private func lists(_ term: SearchTerm) -> [[Int64]] {
        guard term.prefix else { return postings[term.text].map { [$0] } ?? [] }
        var found: [[Int64]] = []
        var index = Self.lowerBound(of: term.text, in: vocabulary)
        while index < vocabulary.count, vocabulary[index].hasPrefix(term.text) {
            if let list = postings[vocabulary[index]], !list.isEmpty { found.append(list) }
            index += 1
        }
        return found
    }

    /// Whether a document holds a term: the token, or a token starting with the prefix.
    private static func holds(_ document: Document, _ term: SearchTerm) -> Bool {
        let index = lowerBound(of: term.text, in: document.tokens)
        guard index < document.tokens.count else { return false }
        return term.prefix ? document.tokens[index].hasPrefix(term.text) : document.tokens[index] == term.text
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

    /// Several ascending lists walked together from their ends: the numbers below `before` in
    /// descending order, each once (a heap of the lists' next numbers, for a prefix that starts
    /// many tokens).
    struct Candidates {
        private let lists: [[Int64]]
        /// The heap: per entry, a list's next number and the list with its index in it.
        private var heap: [(number: Int64, list: Int, index: Int)] = []
        private var last: Int64?

        init(lists: [[Int64]], before: Int64?) {
            self.lists = lists
            for (list, numbers) in lists.enumerated() {
                let index = before.map { TokenIndex.lowerBound(of: $0, in: numbers) - 1 } ?? numbers.count - 1
                if index >= 0 { push((numbers[index], list, index)) }
            }
        }

        mutating func next() -> Int64? {
            while let top = heap.first {
                pop()
                if top.index > 0 { push((lists[top.list][top.index - 1], top.list, top.index - 1)) }
                if top.number != last {
                    last = top.number
                    return top.number
                }
            }
            return nil
        }

        private mutating func push(_ entry: (number: Int64, list: Int, index: Int)) {
            heap.append(entry)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child].number > heap[parent].number else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        private mutating func pop() {
            heap.swapAt(0, heap.count - 1)
            heap.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var largest = parent
                if left < heap.count, heap[left].number > heap[largest].number { largest = left }
                if right < heap.count, heap[right].number > heap[largest].number { largest = right }
                guard largest != parent else { return }
                heap.swapAt(parent, largest)
                parent = largest
            }
        }
    }
}
