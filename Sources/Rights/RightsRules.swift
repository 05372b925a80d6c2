import Foundation

/// The desk's rights rules: the first rule whose match fits a photo gives its category and its
/// cost; a photo no rule fits takes the default (unknown and conditional unless the file says
/// otherwise). Read from YAML with ``parse(_:source:)``; ``yaml()`` writes them back.
public struct RightsRules: Sendable, Equatable {
    /// The rules, in the order they are tried.
    public var rules: [RightsRule]
    /// The category of a photo no rule fits.
    public var defaultCategory: RightsCategory
    /// The cost of a photo no rule fits.
    public var defaultCost: RightsCost

    /// Makes rules; the default is unknown and conditional (never free: a photo nobody vouched
    /// for runs only within its restrictions).
    public init(
        rules: [RightsRule], defaultCategory: RightsCategory = .unknown, defaultCost: RightsCost = .conditional
    ) {
        self.rules = rules
        self.defaultCategory = defaultCategory
        self.defaultCost = defaultCost
    }

    /// The most bytes a rules file may have (256 KiB), checked before the YAML is read.
    public static let maxBytes = 256 * 1024
    /// The most rules a file may have.
    public static let maxRules = 1000
    /// The most values (plain, pattern or exact) a rules file may hold in all, counting each
    /// time an alias repeats a list.
    public static let maxValues = 20_000
    /// The most characters a value (a plain value, a pattern, an exact value) or a rule's name
    /// may have.
    public static let maxValueLength = 200

    /// The category and cost of a photo: the first rule that fits it, or the default.
    public func classify(_ subject: RightsSubject) -> RightsClassification {
        for rule in rules where rule.matches(subject) {
            return RightsClassification(category: rule.category, cost: rule.cost, rule: rule.name)
        }
        return RightsClassification(category: defaultCategory, cost: defaultCost, rule: nil)
    }
}

/// One rule: when every field of its match fits a photo, the photo takes its category and cost.
public struct RightsRule: Sendable, Equatable {
    /// The rule's name, unique in its file (an editor reads it: "pay photo (rule Reuters)").
    public var name: String
    /// The line of the file the rule starts on; 0 for a rule made in code. It is not compared:
    /// two rules that say the same are equal wherever they were read.
    public var line: Int
    /// What the photo's fields must be; all of them must fit (one per field, in the order
    /// credit, source, byline, copyright, keyword).
    public var matchers: [RightsMatcher]
    /// The category it gives.
    public var category: RightsCategory
    /// The cost it gives.
    public var cost: RightsCost

    /// Makes a rule.
    public init(name: String, line: Int = 0, matchers: [RightsMatcher], category: RightsCategory, cost: RightsCost) {
        self.name = name
        self.line = line
        self.matchers = matchers
        self.category = category
        self.cost = cost
    }

    /// Whether every matcher fits the photo (a rule without matchers fits nothing: the file
    /// refuses one).
    public func matches(_ subject: RightsSubject) -> Bool {
        !matchers.isEmpty && matchers.allSatisfy { $0.matches(subject) }
    }

    /// Two rules are equal when they say the same; the line they were read from is not compared.
    public static func == (lhs: RightsRule, rhs: RightsRule) -> Bool {
        lhs.name == rhs.name && lhs.matchers == rhs.matchers && lhs.category == rhs.category
            && lhs.cost == rhs.cost
    }
}

/// What one field of a photo must be for a rule to fit: any one of its values.
public struct RightsMatcher: Sendable, Equatable {
    /// A field of a photo a rule can look at.
    public enum Field: String, CaseIterable, Sendable {
        /// IPTC Credit Line.
        case credit
        /// IPTC Source.
        case source
        /// IPTC By-line: fits when any of the photo's bylines does.
        case byline
        /// The copyright notice.
        case copyright
        /// The keywords: fits when any of them does.
        case keyword
    }

    /// One value a field may have.
    public enum Value: Sendable, Equatable {
        /// The whole value, trimmed and compared without regard to case (Unicode case folding;
        /// diacritics count: "Thông tấn xã" is not "Thong tan xa"). A plain string in the file.
        case equals(String)
        /// A glob over the whole trimmed value, without regard to case: `*` any run of
        /// characters, `?` one character; there is no escape. `{ pattern: X }` in the file.
        case pattern(String)
        /// The value exactly as written, case and spaces included. `{ exact: X }` in the file.
        case exact(String)

        /// The text of the value, whatever its kind.
        public var text: String {
            switch self {
            case .equals(let text), .pattern(let text), .exact(let text): text
            }
        }

        /// Whether one value of a photo's field fits.
        public func matches(_ value: String) -> Bool {
            switch self {
            case .equals(let text): Folding.fold(value) == Folding.fold(text)
            case .pattern(let pattern): Glob.matches(Folding.fold(value), pattern: Folding.fold(pattern))
            case .exact(let text): value == text
            }
        }
    }

    /// The field looked at.
    public var field: Field
    /// The values it may have; one is enough.
    public var values: [Value]

    /// Makes a matcher.
    public init(field: Field, values: [Value]) {
        self.field = field
        self.values = values
    }

    /// Whether the photo's field fits: for bylines and keywords, any of them. A field the photo
    /// lacks, or that is blank, fits nothing.
    public func matches(_ subject: RightsSubject) -> Bool {
        subject.values(of: field).contains { value in values.contains { $0.matches(value) } }
    }
}

/// The fields of a photo the rules look at, as its metadata gives them.
public struct RightsSubject: Sendable, Equatable {
    /// The credit line (IPTC Credit Line).
    public var credit: String?
    /// The source (IPTC Source).
    public var source: String?
    /// The bylines (IPTC By-line; a photo may have several).
    public var bylines: [String]
    /// The copyright notice.
    public var copyright: String?
    /// The keywords.
    public var keywords: [String]

    /// Makes a subject.
    public init(
        credit: String? = nil, source: String? = nil, bylines: [String] = [], copyright: String? = nil,
        keywords: [String] = []
    ) {
        self.credit = credit
        self.source = source
        self.bylines = bylines
        self.copyright = copyright
        self.keywords = keywords
    }

    /// The non-blank values of a field.
    func values(of field: RightsMatcher.Field) -> [String] {
        let values: [String]
        switch field {
        case .credit: values = credit.map { [$0] } ?? []
        case .source: values = source.map { [$0] } ?? []
        case .byline: values = bylines
        case .copyright: values = copyright.map { [$0] } ?? []
        case .keyword: values = keywords
        }
        return values.filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    }
}

/// What the rules say about a photo.
public struct RightsClassification: Sendable, Equatable {
    /// Where it comes from.
    public var category: RightsCategory
    /// What running it costs.
    public var cost: RightsCost
    /// The name of the rule that fitted; nil when none did and the default applied.
    public var rule: String?

    /// Makes a classification.
    public init(category: RightsCategory, cost: RightsCost, rule: String?) {
        self.category = category
        self.cost = cost
        self.rule = rule
    }
}

/// Case folding for comparisons.
enum Folding {
    /// The value trimmed and case-folded: upper-cased then lower-cased, so that "ß" and "SS",
    /// "ς" and "Σ" meet, while diacritics stay (Swift compares the results canonically, so
    /// composed and decomposed letters are equal).
    static func fold(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespacesAndNewlines).uppercased().lowercased()
    }
}

/// Glob matching without backtracking blow-up.
enum Glob {
    /// Whether the whole value fits the pattern (`*` any run of characters, `?` one character,
    /// anything else itself). Two pointers, going back only to the last `*` seen: at most
    /// value × pattern steps, whatever the pattern.
    static func matches(_ value: String, pattern: String) -> Bool {
        let text = Array(value)
        let glob = Array(pattern)
        var t = 0
        var g = 0
        var star: Int? = nil
        var resume = 0
        while t < text.count {
            if g < glob.count, glob[g] == "*" {
                star = g
                resume = t
                g += 1
            } else if g < glob.count, glob[g] == "?" || glob[g] == text[t] {
                g += 1
                t += 1
            } else if let star {
                g = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while g < glob.count, glob[g] == "*" { g += 1 }
        return g == glob.count
    }
}
