import Catalog
import Foundation
import GRDB

/// The catalog's search index copied into memory at one value of the change counter: every
/// document's words in order, each word's documents, each pair of neighbouring words'
/// documents, when each document became public, and its photo's hash and caption.
/// A search reads it instead of FTS5 while the counter still has that value, with the same
/// answers: the words are FTS5's own (ASCII text split as FTS5's `unicode61` splits it, any
/// other text handed to FTS5 itself in a scratch table), and a query whose words are not plain
/// ASCII letters and digits, or that has filters, is left to FTS5.
///
/// Each search of the gallery read its tiers and counted up to 500 matches through FTS5, about
/// 1.5 ms of CPU under load; here a search walks posting lists from the newest document (a
/// phrase, those of its rarest pair of neighbours) and checks each candidate in the lists of
/// its other words or in its own words.
final class MemorySearchIndex: Sendable {
    /// The change counter the index was read at.
    let changes: Int64
    /// Document numbers, ascending; a document's index into them is its place in every list below.
    let documents: [Int64]
    /// When each document became public, as a key that orders as the stored text does
    /// (`Int64.max`: never).
    let publicFrom: [Int64]
    /// Document `d`'s words are `tokens[tokenStart[d]..<tokenStart[d + 1]]`, in order.
    let tokenStart: [Int32]
    let tokens: [Int32]
    /// The words, in byte order: word `w` is `wordBytes[wordStart[w]..<wordStart[w + 1]]`.
    let wordStart: [Int32]
    let wordBytes: [UInt8]
    /// The documents holding word `w`, ascending: `postings[postingStart[w]..<postingStart[w + 1]]`.
    let postingStart: [Int32]
    let postings: [Int32]
    /// Each pair of neighbouring words (`first << 20 | second`), in order, and the documents
    /// holding it, ascending: `pairPostings[pairStart[p]..<pairStart[p + 1]]`.
    let pairKeys: [UInt64]
    let pairStart: [Int32]
    let pairPostings: [Int32]
    /// Each document's photo and caption, as a hit shows them: `text[textStart[2d]..<textStart[2d + 1]]`
    /// is the hash, `text[textStart[2d + 1]..<textStart[2d + 2]]` the caption (nil when `noCaption[d]`).
    let textStart: [Int32]
    let text: [UInt8]
    let noCaption: [Bool]

    /// The tokenizer the catalog's FTS5 table must have for the words read here to be its words.
    static let tokenizer = "unicode61 remove_diacritics 2"

    init(
        changes: Int64, documents: [Int64], publicFrom: [Int64], tokenStart: [Int32], tokens: [Int32],
        wordStart: [Int32], wordBytes: [UInt8], postingStart: [Int32], postings: [Int32], pairKeys: [UInt64],
        pairStart: [Int32], pairPostings: [Int32], textStart: [Int32], text: [UInt8], noCaption: [Bool]
    ) {
        self.changes = changes
        self.documents = documents
        self.publicFrom = publicFrom
        self.tokenStart = tokenStart
        self.tokens = tokens
        self.wordStart = wordStart
        self.wordBytes = wordBytes
        self.postingStart = postingStart
        self.postings = postings
        self.pairKeys = pairKeys
        self.pairStart = pairStart
        self.pairPostings = pairPostings
        self.textStart = textStart
        self.text = text
        self.noCaption = noCaption
    }

    /// Document `document` as a search hit.
    func hit(_ document: Int) -> SearchHit {
        let hash = text[Int(textStart[2 * document])..<Int(textStart[2 * document + 1])]
        let caption = text[Int(textStart[2 * document + 1])..<Int(textStart[2 * document + 2])]
        return SearchHit(
            document: documents[document], sha256: String(decoding: hash, as: UTF8.self),
            caption: noCaption[document] ? nil : String(decoding: caption, as: UTF8.self))
    }

    /// Bytes held, roughly.
    var footprint: Int {
        documents.count * 16 + tokenStart.count * 4 + tokens.count * 4 + wordStart.count * 4 + wordBytes.count
            + postingStart.count * 4 + postings.count * 4 + pairKeys.count * 8 + pairStart.count * 4
            + pairPostings.count * 4 + textStart.count * 4 + text.count + noCaption.count
    }

    // MARK: Reading the catalog

    /// Reads the index in `db`'s transaction, or nil when it cannot stand for FTS5: more than
    /// `maximumDocuments` documents (or 2^24), more than 2^20 words, another tokenizer, or a
    /// publication time not in the shape the keys are made from.
    static func read(_ db: Database, maximumDocuments: Int) throws -> MemorySearchIndex? {
        let changes = try Int64.fetchOne(db, sql: "SELECT changes FROM catalogState WHERE id = 1") ?? 0
        let definition =
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'searchIndex'")
            ?? ""
        guard definition.contains("tokenize = '\(tokenizer)'") else { return nil }
        guard try (Int.fetchOne(db, sql: "SELECT COUNT(*) FROM searchDoc") ?? 0) <= min(maximumDocuments, 1 << 24 - 1)
        else {
            return nil
        }
        var documents: [Int64] = []
        var publicFrom: [Int64] = []
        var wordIDs: [String: Int32] = [:]
        var words: [String] = []
        var perDocument: [[Int32]] = []
        var foreign: [(document: Int, body: String)] = []
        var textStart: [Int32] = [0]
        var text: [UInt8] = []
        var noCaption: [Bool] = []
        func word(_ text: String) -> Int32 {
            if let id = wordIDs[text] { return id }
            let id = Int32(words.count)
            words.append(text)
            wordIDs[text] = id
            return id
        }
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT searchDoc.id, searchDoc.publicFrom, searchIndex.body, searchDoc.sha256,
                       (SELECT json_extract(fields, '$.caption') FROM caption WHERE caption.sha256 = searchDoc.sha256)
                FROM searchDoc JOIN searchIndex ON searchIndex.rowid = searchDoc.id ORDER BY searchDoc.id
                """)
        while let row = try rows.next() {
            let key: Int64
            if let stored = row[1] as String? {
                guard let parsed = publicKey(stored) else { return nil }
                key = parsed
            } else {
                key = .max
            }
            documents.append(row[0])
            publicFrom.append(key)
            text += (row[3] as String? ?? "").utf8
            let hashEnd = text.count
            let caption = row[4] as String?
            text += (caption ?? "").utf8
            guard text.count < Int32.max else { return nil }
            textStart += [Int32(hashEnd), Int32(text.count)]
            noCaption.append(caption == nil)
            let body: String = row[2] ?? ""
            if let asciiWords = asciiTokens(body) {
                perDocument.append(asciiWords.map(word))
            } else {
                foreign.append((perDocument.count, body))
                perDocument.append([])
            }
        }
        if !foreign.isEmpty {
            for (document, found) in try tokenizedByFTS5(foreign) { perDocument[document] = found.map(word) }
        }
        return assemble(
            changes: changes, documents: documents, publicFrom: publicFrom, words: words, perDocument,
            photos: (textStart, text, noCaption))
    }

    /// FTS5's `unicode61` words of an ASCII text (letters and digits; upper case folded), or nil
    /// when the text is not ASCII.
    static func asciiTokens(_ text: String) -> [String]? {
        var found: [String] = []
        var current: [UInt8] = []
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): current.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): current.append(byte + 32)
            default:
                if !current.isEmpty {
                    found.append(String(decoding: current, as: UTF8.self))
                    current.removeAll(keepingCapacity: true)
                }
            }
        }
        if !current.isEmpty { found.append(String(decoding: current, as: UTF8.self)) }
        return found
    }

    /// The words FTS5 makes of texts that are not ASCII, read back from a scratch table in memory
    /// with the catalog's tokenizer.
    static func tokenizedByFTS5(_ texts: [(document: Int, body: String)]) throws -> [Int: [String]] {
        let scratch = try DatabaseQueue()
        return try scratch.write { db in
            try db.execute(sql: "CREATE VIRTUAL TABLE scratch USING fts5(body, tokenize = '\(tokenizer)')")
            let insert = try db.makeStatement(sql: "INSERT INTO scratch (rowid, body) VALUES (?, ?)")
            for (document, body) in texts { try insert.execute(arguments: [document, body]) }
            try db.execute(sql: "CREATE VIRTUAL TABLE temp.bodyWords USING fts5vocab(main, scratch, instance)")
            var found: [Int: [(offset: Int, word: String)]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT term, doc, offset FROM temp.bodyWords")
            while let row = try rows.next() {
                found[row[1], default: []].append((row[2], row[0]))
            }
            return found.mapValues { $0.sorted { $0.offset < $1.offset }.map(\.word) }
        }
    }

    /// A stored publication time (`YYYY-MM-DD HH:MM:SS.SSS`, as GRDB writes a date) as a number
    /// that orders as the text does; nil for any other shape.
    static func publicKey(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 23 else { return nil }
        var key: Int64 = 0
        for (offset, byte) in bytes.enumerated() {
            switch offset {
            case 4, 7: guard byte == UInt8(ascii: "-") else { return nil }
            case 10: guard byte == UInt8(ascii: " ") else { return nil }
            case 13, 16: guard byte == UInt8(ascii: ":") else { return nil }
            case 19: guard byte == UInt8(ascii: ".") else { return nil }
            default:
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                key = key * 10 + Int64(byte - UInt8(ascii: "0"))
            }
        }
        return key
    }

    /// The lists, with the words put in byte order (nil past 2^20 words or 2^31 words in all).
    static func assemble(
        changes: Int64, documents: [Int64], publicFrom: [Int64], words: [String], _ perDocument: [[Int32]],
        photos: (textStart: [Int32], text: [UInt8], noCaption: [Bool])
    ) -> MemorySearchIndex? {
        guard words.count < 1 << 20, documents.count < 1 << 24,
            perDocument.reduce(0, { $0 + $1.count }) < Int32.max
        else { return nil }
        let order = words.indices.sorted { words[$0].utf8.lexicographicallyPrecedes(words[$1].utf8) }
        var renumbered = [Int32](repeating: 0, count: words.count)
        var wordStart: [Int32] = [0]
        var wordBytes: [UInt8] = []
        for (new, old) in order.enumerated() {
            renumbered[old] = Int32(new)
            wordBytes += words[old].utf8
            wordStart.append(Int32(wordBytes.count))
        }
        var tokenStart: [Int32] = [0]
        tokenStart.reserveCapacity(documents.count + 1)
        var tokens: [Int32] = []
        var counts = [Int32](repeating: 0, count: words.count + 1)
        var lastDocument = [Int32](repeating: -1, count: words.count)
        for (document, found) in perDocument.enumerated() {
            for old in found {
                let id = renumbered[Int(old)]
                tokens.append(id)
                if lastDocument[Int(id)] != Int32(document) {
                    lastDocument[Int(id)] = Int32(document)
                    counts[Int(id) + 1] += 1
                }
            }
            tokenStart.append(Int32(tokens.count))
        }
        var postingStart = counts
        for index in 1..<postingStart.count { postingStart[index] += postingStart[index - 1] }
        var fill = postingStart
        var postings = [Int32](repeating: 0, count: Int(postingStart.last ?? 0))
        lastDocument = [Int32](repeating: -1, count: words.count)
        for document in documents.indices {
            for position in Int(tokenStart[document])..<Int(tokenStart[document + 1]) {
                let id = Int(tokens[position])
                guard lastDocument[id] != Int32(document) else { continue }
                lastDocument[id] = Int32(document)
                postings[Int(fill[id])] = Int32(document)
                fill[id] += 1
            }
        }
        // Neighbours: each (first, second, document) as one number, sorted, once per document.
        var neighbours: [UInt64] = []
        neighbours.reserveCapacity(tokens.count)
        for document in documents.indices {
            let start = Int(tokenStart[document])
            let end = Int(tokenStart[document + 1])
            guard end - start >= 2 else { continue }
            for position in start..<(end - 1) {
                neighbours.append(
                    UInt64(tokens[position]) << 44 | UInt64(tokens[position + 1]) << 24 | UInt64(document))
            }
        }
        neighbours.sort()
        var pairKeys: [UInt64] = []
        var pairStart: [Int32] = []
        var pairPostings: [Int32] = []
        pairPostings.reserveCapacity(neighbours.count)
        var previous = UInt64.max
        for entry in neighbours where entry != previous {
            previous = entry
            if pairKeys.last != entry >> 24 {
                pairKeys.append(entry >> 24)
                pairStart.append(Int32(pairPostings.count))
            }
            pairPostings.append(Int32(entry & 0xFF_FFFF))
        }
        pairStart.append(Int32(pairPostings.count))
        return MemorySearchIndex(
            changes: changes, documents: documents, publicFrom: publicFrom, tokenStart: tokenStart, tokens: tokens,
            wordStart: wordStart, wordBytes: wordBytes, postingStart: postingStart, postings: postings,
            pairKeys: pairKeys, pairStart: pairStart, pairPostings: pairPostings, textStart: photos.textStart,
            text: photos.text, noCaption: photos.noCaption)
    }

    // MARK: Searching

    /// Whether FTS5 and this index read a term the same way: plain ASCII letters and digits
    /// (anything else is tokenized by FTS5 and left to it).
    static func readsAlike(_ term: SearchTerm) -> Bool {
        !term.text.isEmpty
            && term.text.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                    || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
            }
    }

    /// The words a term matches: itself, or every word it begins when it is a prefix.
    func words(_ text: String, prefix: Bool) -> Range<Int> {
        let term = Array(text.utf8)
        let count = wordStart.count - 1
        // The first word not below the term.
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if compare(middle, term) < 0 { low = middle + 1 } else { high = middle }
        }
        let first = low
        if !prefix { return first < count && compare(first, term) == 0 ? first..<first + 1 : first..<first }
        // The words that begin with the term follow it, together.
        high = count
        while low < high {
            let middle = (low + high) / 2
            if begins(middle, term) { low = middle + 1 } else { high = middle }
        }
        return first..<low
    }

    private func compare(_ word: Int, _ term: [UInt8]) -> Int {
        let start = Int(wordStart[word])
        let end = Int(wordStart[word + 1])
        var index = 0
        while index < term.count, start + index < end {
            let a = wordBytes[start + index]
            let b = term[index]
            if a != b { return a < b ? -1 : 1 }
            index += 1
        }
        let length = end - start
        return length == term.count ? 0 : (length < term.count ? -1 : 1)
    }

    private func begins(_ word: Int, _ term: [UInt8]) -> Bool {
        let start = Int(wordStart[word])
        guard Int(wordStart[word + 1]) - start >= term.count else { return false }
        for index in term.indices where wordBytes[start + index] != term[index] { return false }
        return true
    }

    /// What a match reads: each term's words, as FTS5 reads the expression the SQL search makes
    /// (in a phrase only the last word is a prefix); nil when it matches nothing.
    func ranges(_ match: TextMatch) -> [Range<Int>]? {
        guard !match.terms.isEmpty else { return nil }
        if match.mode == .allTermsNotPhrase && match.terms.count < 2 { return nil }
        let ranges = match.terms.enumerated().map { index, term in
            words(
                term.text, prefix: match.mode == .phrase ? (index == match.terms.count - 1 && term.prefix) : term.prefix
            )
        }
        return ranges.contains(where: \.isEmpty) ? nil : ranges
    }

    /// The documents of a match that the audience sees, newest first, below `before`, at most `limit`.
    func matches(_ match: TextMatch, publicBy now: Int64?, before: Int64?, limit: Int) -> [Int] {
        guard limit > 0, let ranges = ranges(match) else { return [] }
        // The second tier leaves out the documents holding the terms as the phrase.
        let phrase = match.mode == .allTermsNotPhrase ? self.ranges(TextMatch(terms: match.terms, mode: .phrase)) : nil
        var upper = documents.count
        if let before {
            var low = 0
            while low < upper {
                let middle = (low + upper) / 2
                if documents[middle] < before { low = middle + 1 } else { upper = middle }
            }
        }
        // Candidates: a phrase's documents holding its rarest pair of neighbours; otherwise
        // those holding the term with the fewest documents (which then need not be checked).
        var candidates: DescendingUnion
        var checked = ranges
        if match.mode == .phrase && ranges.count > 1 {
            guard let pairs = rarestPair(ranges) else { return [] }
            candidates = DescendingUnion(postings: pairPostings, lists: pairs, below: upper)
        } else {
            let fewest = ranges.indices.min { size(ranges[$0]) < size(ranges[$1]) } ?? 0
            candidates = DescendingUnion(
                postings: postings,
                lists: ranges[fewest].map { (Int(postingStart[$0]), Int(postingStart[$0 + 1])) }, below: upper)
            checked.remove(at: fewest)
        }
        // A term of a few words is checked in its words' lists, walked down with the candidates;
        // a term of many words, in the candidate's own words.
        var walks: [ListWalk] = []
        var scanned: [Range<Int>] = []
        for range in checked where match.mode != .phrase {
            guard range.count <= 16 else {
                scanned.append(range)
                continue
            }
            walks.append(
                ListWalk(postings: postings, lists: range.map { (Int(postingStart[$0]), Int(postingStart[$0 + 1])) }))
        }
        var found: [Int] = []
        while found.count < limit, let document = candidates.next() {
            if let now, publicFrom[document] > now { continue }
            if match.mode != .phrase {
                var held = true
                for index in walks.indices where !walks[index].holds(Int32(document)) {
                    held = false
                    break
                }
                guard held else { continue }
            }
            let held = tokens.withUnsafeBufferPointer { all in
                let words = UnsafeBufferPointer(
                    rebasing: all[Int(tokenStart[document])..<Int(tokenStart[document + 1])])
                switch match.mode {
                case .phrase: return Self.holdsPhrase(words, ranges)
                case .allTerms: return Self.holdsAll(words, scanned)
                case .allTermsNotPhrase:
                    guard Self.holdsAll(words, scanned) else { return false }
                    return phrase.map { !Self.holdsPhrase(words, $0) } ?? true
                }
            }
            if held { found.append(document) }
        }
        return found
    }

    /// How many documents hold words of a range (a document holding two of them counted twice).
    private func size(_ words: Range<Int>) -> Int32 { postingStart[words.upperBound] - postingStart[words.lowerBound] }

    /// The posting lists of a phrase's pair of neighbours found in the fewest documents, or nil
    /// when some pair is in none. Every word of a phrase but the last is one word.
    private func rarestPair(_ ranges: [Range<Int>]) -> [(start: Int, end: Int)]? {
        var best: [(start: Int, end: Int)]?
        var bestSize = Int.max
        for index in 0..<(ranges.count - 1) {
            let first = UInt64(ranges[index].lowerBound) << 20
            let low = lowerBound(pairKeys, first | UInt64(ranges[index + 1].lowerBound))
            let high = lowerBound(pairKeys, first | UInt64(ranges[index + 1].upperBound))
            let lists = (low..<high).map { (Int(pairStart[$0]), Int(pairStart[$0 + 1])) }
            let size = lists.reduce(0) { $0 + $1.1 - $1.0 }
            if size == 0 { return nil }
            if size < bestSize {
                best = lists
                bestSize = size
            }
        }
        return best
    }

    private func lowerBound(_ keys: [UInt64], _ key: UInt64) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func holdsAll(_ words: UnsafeBufferPointer<Int32>, _ ranges: [Range<Int>]) -> Bool {
        for range in ranges {
            let low = Int32(range.lowerBound)
            let high = Int32(range.upperBound)
            guard words.contains(where: { $0 >= low && $0 < high }) else { return false }
        }
        return true
    }

    private static func holdsPhrase(_ words: UnsafeBufferPointer<Int32>, _ ranges: [Range<Int>]) -> Bool {
        guard words.count >= ranges.count else { return false }
        let firstLow = Int32(ranges[0].lowerBound)
        let firstHigh = Int32(ranges[0].upperBound)
        outer: for first in 0...(words.count - ranges.count) where words[first] >= firstLow && words[first] < firstHigh
        {
            for offset in 1..<ranges.count {
                let word = Int(words[first + offset])
                if !ranges[offset].contains(word) { continue outer }
            }
            return true
        }
        return false
    }
}

/// Whether documents, asked newest first, are in any of some posting lists: each list walked
/// down once, by galloping, over all the questions.
struct ListWalk {
    private let postings: [Int32]
    /// Per list: the position at or below which the next answer lies, and the start of the list.
    private var cursors: [(position: Int, start: Int)]

    init(postings: [Int32], lists: [(start: Int, end: Int)]) {
        self.postings = postings
        cursors = lists.filter { $0.end > $0.start }.map { ($0.end - 1, $0.start) }
    }

    /// Whether a document below every one asked before is in a list.
    mutating func holds(_ document: Int32) -> Bool {
        var held = false
        for index in cursors.indices {
            let (position, start) = cursors[index]
            guard position >= start else { continue }
            guard postings[position] > document else {
                if postings[position] == document { held = true }
                continue
            }
            // The lowest position above `document` is found by doubling steps, then halving.
            var high = position
            var step = 1
            var low = position - step
            while low >= start && postings[low] > document {
                high = low
                step *= 2
                low = high - step
            }
            low = max(low, start - 1)
            // postings[high] > document; postings[low] <= document, or low is before the list.
            while high - low > 1 {
                let middle = (low + high) / 2
                if postings[middle] > document { high = middle } else { low = middle }
            }
            cursors[index].position = low
            if low >= start && postings[low] == document { held = true }
        }
        return held
    }
}

/// The documents of some posting lists, each once, newest first: a heap of the lists' current ends.
struct DescendingUnion {
    private let postings: [Int32]
    /// Per list: the position of its next document and the start of the list.
    private var heap: [(position: Int, start: Int)] = []

    init(postings: [Int32], lists: [(start: Int, end: Int)], below upper: Int) {
        self.postings = postings
        heap.reserveCapacity(lists.count)
        for (start, listEnd) in lists {
            // The first document of the list at or above `upper` ends it.
            var low = start
            var end = listEnd
            while low < end {
                let middle = (low + end) / 2
                if Int(postings[middle]) < upper { low = middle + 1 } else { end = middle }
            }
            if low > start { push((low - 1, start)) }
        }
    }

    mutating func next() -> Int? {
        guard let top = heap.first else { return nil }
        let document = postings[top.position]
        if heap.count == 1 {
            if top.position > top.start { heap[0].position -= 1 } else { heap.removeAll() }
            return Int(document)
        }
        while let head = heap.first, postings[head.position] == document {
            if head.position > head.start {
                heap[0].position -= 1
                siftDown(0)
            } else {
                let last = heap.removeLast()
                if !heap.isEmpty {
                    heap[0] = last
                    siftDown(0)
                }
            }
        }
        return Int(document)
    }

    private mutating func push(_ entry: (position: Int, start: Int)) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard postings[heap[parent].position] < postings[heap[child].position] else { break }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var largest = left
            let right = left + 1
            if right < heap.count, postings[heap[right].position] > postings[heap[left].position] { largest = right }
            guard postings[heap[largest].position] > postings[heap[parent].position] else { return }
            heap.swapAt(parent, largest)
            parent = largest
        }
    }
}
