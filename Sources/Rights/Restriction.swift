import Foundation

/// One restriction an agency put on a photo, in its IPTC Special Instructions or Rights Usage
/// Terms: `EDITORIAL USE ONLY`, `MANDATORY CREDIT: REUTERS/JANE DOE`, an embargo. What the
/// parser did not understand is kept too, as ``Kind/unparsed``, for an editor to read.
public struct Restriction: Sendable, Equatable, Codable {
    /// What a restriction says.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// News use only: no advertising, no promotion.
        case editorialOnly = "editorial-use-only"
        /// The photo may not be sold on.
        case noSales = "no-sales"
        /// The photo may not be kept in an archive past its news use.
        case noArchive = "no-archive"
        /// The photo runs only with a credit (``Restriction/credit`` when the words give it).
        case mandatoryCredit = "mandatory-credit"
        /// The photo may not run online.
        case noOnline = "no-online"
        /// The photo may not run before ``Restriction/until``.
        case embargo
        /// The photo may not be used in the places (or by the outlets) ``Restriction/out`` lists.
        case out
        /// Words the parser did not understand: an editor must read them.
        case unparsed
    }

    /// What it says.
    public var kind: Kind
    /// The words it came from, as written.
    public var text: String
    /// For an embargo, the instant from which the photo may run.
    public var until: Date?
    /// For a mandatory credit, the credit line it demands when the words give one
    /// ("MANDATORY CREDIT: REUTERS/JANE DOE" gives "REUTERS/JANE DOE").
    public var credit: String?
    /// For `out`, the items listed ("OUT: FRANCE, BELGIUM" gives ["FRANCE", "BELGIUM"]).
    public var out: [String]

    /// Makes a restriction.
    public init(kind: Kind, text: String, until: Date? = nil, credit: String? = nil, out: [String] = []) {
        self.kind = kind
        self.text = text
        self.until = until
        self.credit = credit
        self.out = out
    }
}

/// Reading restrictions from the words agencies write.
public enum Restrictions {
    /// The restrictions in a Special Instructions or Rights Usage Terms text, in the order they
    /// appear, each once (same kind and text).
    ///
    /// The text is cut into clauses at `;`, line breaks and the full stops that end a sentence
    /// (not those inside times, dates, web addresses, initials or abbreviations such as
    /// "U.S."). In each clause the known phrases are recognised without regard to case:
    /// EDITORIAL USE ONLY (with FOR, or without ONLY), NO SALES, NO ARCHIVE(S), MANDATORY CREDIT
    /// (with `: LINE`), NO ONLINE / ONLINE OUT / INTERNET OUT / NO INTERNET, `OUT: A, B` and the
    /// embargoes (EMBARGOED UNTIL, EMBARGO:, HOLD FOR RELEASE UNTIL, NOT FOR PUBLICATION BEFORE,
    /// and like phrases) followed by a time with a date, a year and a zone. What remains of a
    /// clause, when it is more than punctuation, becomes one ``Restriction/Kind/unparsed``
    /// restriction (its pieces joined by " … "): nothing is dropped silently. An embargo whose
    /// time lacks a zone or names an impossible date is not guessed: its words stay unparsed.
    public static func parse(_ text: String) -> [Restriction] {
        RestrictionScanner(text).restrictions()
    }
}

/// A word, a number or one other character of a clause, with where it is in the text.
struct Token {
    enum Kind: Equatable {
        case word, number, mark
    }

    let kind: Kind
    /// Its characters' offsets in the text, end excluded.
    let start: Int
    let end: Int
    /// The token upper-cased, for comparisons.
    let upper: String
}

/// The parser behind ``Restrictions/parse(_:)``.
struct RestrictionScanner {
    /// The text as characters.
    let chars: [Character]

    init(_ text: String) {
        chars = Array(text)
    }

    /// Fixed phrases, by kind; at a place the longest that fits wins.
    static let phrases: [(Restriction.Kind, [[String]])] = [
        (
            .editorialOnly,
            [
                ["FOR", "EDITORIAL", "USE", "ONLY"], ["FOR", "EDITORIAL", "PURPOSES", "ONLY"],
                ["FOR", "EDITORIAL", "USE"],
                ["EDITORIAL", "USE", "ONLY"], ["EDITORIAL", "PURPOSES", "ONLY"], ["EDITORIAL", "USE"],
                ["EDITORIAL", "ONLY"],
            ]
        ),
        (.noSales, [["NO", "SALES"], ["NO", "SALE"], ["NOT", "FOR", "SALE"]]),
        (.noArchive, [["NO", "ARCHIVES"], ["NO", "ARCHIVE"], ["NO", "ARCHIVING"], ["NO", "ARCHIVAL"]]),
        (
            .noOnline,
            [
                ["NO", "ONLINE", "USE"], ["NO", "ONLINE"], ["NO", "INTERNET", "USE"], ["NO", "INTERNET"],
                ["ONLINE", "OUT"], ["INTERNET", "OUT"],
            ]
        ),
    ]

    /// The phrases a mandatory credit starts with.
    static let creditHeads = [["MANDATORY", "CREDIT"], ["CREDIT", "MANDATORY"]]
    /// The phrase an `OUT:` list starts with.
    static let outHead = ["OUT", ":"]
    /// The phrases an embargo starts with; a `:` may follow, then its time.
    static let embargoHeads = [
        ["UNDER", "EMBARGO", "UNTIL"], ["EMBARGOED", "UNTIL"], ["EMBARGOED", "TILL"], ["EMBARGO", "UNTIL"],
        ["EMBARGO", "TILL"], ["EMBARGOED", ":", "UNTIL"], ["EMBARGO", ":", "UNTIL"], ["EMBARGOED"], ["EMBARGO"],
        ["HOLD", "FOR", "RELEASE", "UNTIL"], ["HOLD", "UNTIL"], ["NOT", "FOR", "PUBLICATION", "BEFORE"],
        ["NOT", "FOR", "PUBLICATION", "UNTIL"], ["NOT", "FOR", "RELEASE", "BEFORE"],
        ["NOT", "FOR", "RELEASE", "UNTIL"],
        ["NOT", "TO", "BE", "PUBLISHED", "BEFORE"], ["NOT", "TO", "BE", "PUBLISHED", "UNTIL"],
    ]

    /// What a phrase starts.
    enum Head: Equatable {
        /// A whole restriction of that kind.
        case fixed(Restriction.Kind)
        /// A mandatory credit, perhaps with its line.
        case credit
        /// An `OUT:` list.
        case out
        /// An embargo and its time.
        case embargo
    }

    /// Every phrase, by its first word.
    static let heads: [String: [(head: Head, words: [String])]] = {
        var all: [(head: Head, words: [String])] = []
        for (kind, variants) in phrases { all += variants.map { (.fixed(kind), $0) } }
        all += creditHeads.map { (.credit, $0) } + [(.out, outHead)] + embargoHeads.map { (.embargo, $0) }
        return Dictionary(grouping: all) { $0.words[0] }
    }()

    /// Marks trimmed from the ends of a credit line, a list item or an unparsed piece.
    static let separators: Set<Character> = [
        ",", ":", ";", "-", "\u{2013}", "\u{2014}", "/", "|", "\u{2022}", "\u{B7}", "*",
    ]

    /// Every restriction, in order, each once.
    func restrictions() -> [Restriction] {
        var found: [(position: Int, restriction: Restriction)] = []
        for clause in clauses() {
            found += self.clause(tokens(in: clause))
        }
        found.sort { $0.position < $1.position }
        var seen = Set<String>()
        return found.map(\.restriction).filter { restriction in
            seen.insert(restriction.kind.rawValue + "\u{0}" + restriction.text).inserted
        }
    }

    // MARK: Clauses and tokens

    /// The clauses' ranges of characters: cut at `;`, line breaks and full stops that end a
    /// sentence.
    func clauses() -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for index in chars.indices {
            let char = chars[index]
            if char == ";" || char.isNewline || (char == "." && endsSentence(at: index)) {
                if start < index { ranges.append(start..<index) }
                start = index + 1
            }
        }
        if start < chars.count { ranges.append(start..<chars.count) }
        return ranges
    }

    /// Whether the full stop at `index` ends a sentence: not when a letter or digit follows it
    /// directly (`x.com`, `05.00`, the inside of `U.S.`), not after initials or an abbreviation
    /// of single letters (`J. DOE`, `U.S.`, `A.M.`), and not after a month's abbreviation
    /// followed by a day (`DEC. 8`).
    func endsSentence(at index: Int) -> Bool {
        if index + 1 < chars.count, chars[index + 1].isLetter || chars[index + 1].isNumber { return false }
        // The word before, letters and full stops, looking back a few characters only.
        var start = index
        while start > 0, index - start < 12, chars[start - 1].isLetter || chars[start - 1] == "." {
            start -= 1
        }
        guard start < index, start == 0 || !(chars[start - 1].isLetter || chars[start - 1] == ".") else {
            return true
        }
        let word = String(chars[start..<index])
        let parts = word.split(separator: ".", omittingEmptySubsequences: false)
        if parts.allSatisfy({ $0.count == 1 }) { return false }
        if EmbargoTime.months[word.uppercased()] != nil {
            var next = index + 1
            while next < chars.count, chars[next] == " " { next += 1 }
            if next < chars.count, chars[next].isNumber { return false }
        }
        return true
    }

    /// The tokens of a clause: runs of letters, runs of ASCII digits, and each other character
    /// that is not a space.
    func tokens(in range: Range<Int>) -> [Token] {
        var tokens: [Token] = []
        var index = range.lowerBound
        while index < range.upperBound {
            let char = chars[index]
            if char.isWhitespace {
                index += 1
                continue
            }
            let kind: Token.Kind
            let start = index
            if char.isLetter {
                kind = .word
                while index < range.upperBound, chars[index].isLetter { index += 1 }
            } else if char.isASCII, char.isNumber {
                kind = .number
                while index < range.upperBound, chars[index].isASCII, chars[index].isNumber { index += 1 }
            } else {
                kind = .mark
                index += 1
            }
            tokens.append(Token(kind: kind, start: start, end: index, upper: String(chars[start..<index]).uppercased()))
        }
        return tokens
    }

    /// The text of tokens `range`, as written.
    func text(_ tokens: [Token], _ range: Range<Int>) -> String {
        guard let first = range.first, range.upperBound > first else { return "" }
        return String(chars[tokens[first].start..<tokens[range.upperBound - 1].end])
    }

    // MARK: One clause

    /// The restrictions of one clause with their positions, and what remains as unparsed.
    func clause(_ tokens: [Token]) -> [(position: Int, restriction: Restriction)] {
        guard !tokens.isEmpty else { return [] }
        let starts = tokens.indices.map { head(tokens, at: $0) }
        // Where the next phrase starts after each token: a credit line, a list or an embargo's
        // time runs up to it.
        var nextStart = [Int](repeating: tokens.count, count: tokens.count + 1)
        for index in tokens.indices.reversed() {
            nextStart[index] = starts[index] ? index : nextStart[index + 1]
        }
        var found: [(position: Int, restriction: Restriction)] = []
        var used = [Bool](repeating: false, count: tokens.count)
        var index = 0
        while index < tokens.count {
            guard starts[index],
                let (restriction, end) = recognise(tokens, at: index, nextStart: nextStart, used: &used)
            else {
                index += 1
                continue
            }
            found.append((tokens[index].start, restriction))
            index = max(end, index + 1)
        }
        if let rest = remainder(tokens, used: used) { found.append(rest) }
        return found
    }

    /// Whether a phrase starts at a token.
    func head(_ tokens: [Token], at index: Int) -> Bool {
        Self.heads[tokens[index].upper]?.contains { fits($0.words, tokens, at: index) } ?? false
    }

    /// The longest phrase starting a given thing that fits at `index`: its length.
    func longest(_ tokens: [Token], at index: Int, where wanted: (Head) -> Bool) -> (Head, Int)? {
        var best: (Head, Int)? = nil
        for (head, words) in Self.heads[tokens[index].upper] ?? []
        where wanted(head) && words.count > (best?.1 ?? 0) && fits(words, tokens, at: index) {
            best = (head, words.count)
        }
        return best
    }

    /// Whether the tokens from `index` are the words of a phrase.
    func fits(_ phrase: [String], _ tokens: [Token], at index: Int) -> Bool {
        guard index + phrase.count <= tokens.count else { return false }
        return phrase.indices.allSatisfy { tokens[index + $0].upper == phrase[$0] }
    }

    /// The restriction that starts at `index`, and the token after it; the tokens it takes are
    /// marked in `used`. A phrase's tail (a credit line, a list, a time) stops where the next
    /// phrase starts (`nextStart` gives, for each token, the first phrase at or after it).
    func recognise(_ tokens: [Token], at index: Int, nextStart: [Int], used: inout [Bool]) -> (Restriction, Int)? {
        func take(_ range: Range<Int>) {
            for token in range { used[token] = true }
        }
        func limit(after head: Int) -> Int { nextStart[min(head, tokens.count)] }
        // Fixed phrases.
        if case (.fixed(let kind), let count)? = longest(
            tokens, at: index, where: { if case .fixed = $0 { true } else { false } })
        {
            take(index..<index + count)
            return (Restriction(kind: kind, text: text(tokens, index..<index + count)), index + count)
        }
        // MANDATORY CREDIT, and its line after a colon.
        if let (_, count) = longest(tokens, at: index, where: { $0 == .credit }) {
            var end = index + count
            var credit: String? = nil
            if end < tokens.count, tokens[end].upper == ":" {
                let line = trimmed(tokens, end + 1..<max(end + 1, limit(after: end + 1)))
                end = line.isEmpty ? end + 1 : line.upperBound
                if !line.isEmpty { credit = text(tokens, line) }
            }
            take(index..<end)
            return (Restriction(kind: .mandatoryCredit, text: text(tokens, index..<end), credit: credit), end)
        }
        // OUT: A, B — the list runs to the end of its sentence (or the next phrase).
        if fits(Self.outHead, tokens, at: index) {
            let list = trimmed(tokens, index + 2..<max(index + 2, limit(after: index + 2)))
            var items: [String] = []
            var itemStart = list.lowerBound
            for position in list.lowerBound...list.upperBound
            where position == list.upperBound || tokens[position].upper == "," {
                let item = trimmed(tokens, itemStart..<position)
                if !item.isEmpty { items.append(text(tokens, item)) }
                itemStart = position + 1
            }
            guard !items.isEmpty else { return nil }
            take(index..<list.upperBound)
            return (Restriction(kind: .out, text: text(tokens, index..<list.upperBound), out: items), list.upperBound)
        }
        // An embargo, when its time reads.
        if let (_, count) = longest(tokens, at: index, where: { $0 == .embargo }) {
            var start = index + count
            let end = limit(after: start)
            while start < end, tokens[start].upper == ":" { start += 1 }
            guard let (until, end) = EmbargoTime(tokens: tokens, limit: end).parse(from: start) else { return nil }
            take(index..<end)
            return (Restriction(kind: .embargo, text: text(tokens, index..<end), until: until), end)
        }
        return nil
    }

    /// The range without the separator marks at either end.
    func trimmed(_ tokens: [Token], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isSeparator(tokens[lower]) { lower += 1 }
        while upper > lower, isSeparator(tokens[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    func isSeparator(_ token: Token) -> Bool {
        token.kind == .mark && token.upper.count == 1 && token.upper.first.map(Self.separators.contains) == true
    }

    /// What no phrase took, as one unparsed restriction at its first piece; nil when it is only
    /// punctuation.
    func remainder(_ tokens: [Token], used: [Bool]) -> (position: Int, restriction: Restriction)? {
        var pieces: [String] = []
        var position: Int? = nil
        var index = 0
        while index < tokens.count {
            guard !used[index] else {
                index += 1
                continue
            }
            var end = index
            while end < tokens.count, !used[end] { end += 1 }
            let piece = trimmed(tokens, index..<end)
            if tokens[piece].contains(where: meaningful) {
                position = position ?? tokens[piece.lowerBound].start
                pieces.append(text(tokens, piece))
            }
            index = end
        }
        guard let position else { return nil }
        return (position, Restriction(kind: .unparsed, text: pieces.joined(separator: " \u{2026} ")))
    }

    /// Whether a token says something: a word, a number, or a mark that is not punctuation (a
    /// symbol, an emoji).
    func meaningful(_ token: Token) -> Bool {
        guard token.kind == .mark, let char = token.upper.first else { return true }
        return !char.isPunctuation
    }
}
