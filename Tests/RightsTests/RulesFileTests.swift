import Foundation
import Rights
import Testing

@Suite("Rights rules files")
struct RulesFileTests {
    static let good = """
        # comments allowed
        rules:
          - name: Our staff
            match:
              credit: Photodesk News
            category: staff
            cost: free
          - name: Reuters
            match:
              credit: { pattern: "*reuters*" }
              source: [Reuters, { exact: "REUTERS" }]
            category: agency
            cost: pay
        default:
          category: unknown
          cost: conditional
        """

    /// The message a rules text is refused with; nil when it reads.
    static func refusal(_ text: String) -> String? {
        do {
            _ = try RightsRules.parse(text, source: "rights.yml")
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The good file with one piece of text replaced (which must be there).
    static func changing(_ piece: String, to replacement: String) -> String {
        precondition(good.contains(piece), piece)
        return good.replacingOccurrences(of: piece, with: replacement)
    }

    @Test("a good file reads, with each rule's line")
    func good() throws {
        let rules = try RightsRules.parse(Self.good, source: "rights.yml")
        #expect(rules.rules.map(\.name) == ["Our staff", "Reuters"])
        #expect(rules.rules.map(\.line) == [3, 8])
        #expect(rules.rules[1].matchers.map(\.field) == [.credit, .source])
        #expect(rules.rules[1].matchers[1].values == [.equals("Reuters"), .exact("REUTERS")])
        #expect(rules.rules[1].cost == .pay)
        #expect(rules.defaultCategory == .unknown)
        #expect(rules.defaultCost == .conditional)
    }

    @Test("without a default, a photo no rule fits is unknown and conditional")
    func defaultWhenAbsent() throws {
        let text = Self.good.components(separatedBy: "default:")[0]
        let rules = try RightsRules.parse(text, source: "rights.yml")
        let result = rules.classify(RightsSubject(credit: "Someone"))
        #expect(result == RightsClassification(category: .unknown, cost: .conditional, rule: nil))
    }

    @Test(
        "a mistake is refused with the file, its line and the field",
        arguments: [
            (
                "    cost: pay", "    cost: cheap",
                "rights.yml line 13: rules[1].cost must be one of free, conditional, pay, deny"
            ),
            (
                "    category: staff", "    category: wire",
                "rights.yml line 6: rules[0].category must be one of staff, commissioned, agency, pool, handout, social-media, screenshot, unknown"
            ),
            (
                "    cost: free", "    costs: free",
                "rights.yml line 7: rules[0].costs is not a rule field (known: category, cost, match, name)"
            ),
            (
                "      credit: Photodesk News", "      credt: Photodesk News",
                "rights.yml line 5: rules[0].match.credt is not a match field (known: credit, source, byline, copyright, keyword)"
            ),
            (
                "{ pattern: \"*reuters*\" }", "{ patern: \"*reuters*\" }",
                "rights.yml line 10: rules[1].match.credit.patern is not a value field (known: exact, pattern)"
            ),
            (
                "{ pattern: \"*reuters*\" }", "{ pattern: \"\" }",
                "rights.yml line 10: rules[1].match.credit.pattern must not be empty"
            ),
            (
                "{ pattern: \"*reuters*\" }", "{ pattern: \"*reuters*\", exact: x }",
                "rights.yml line 10: rules[1].match.credit must have exactly one of pattern or exact"
            ),
            (
                "{ exact: \"REUTERS\" }", "[x]",
                "rights.yml line 11: rules[1].match.source[1] must be text, { pattern: TEXT } or { exact: TEXT }"
            ),
            ("  - name: Reuters", "  - name: \"  \"", "rights.yml line 8: rules[1].name must not be empty"),
            (
                "  - name: Reuters", "  - name: our STAFF",
                "rights.yml line 8: rules[1].name must differ from the others (our STAFF is also rules[0])"
            ),
            (
                "  - name: Reuters", "  - title: Reuters",
                "rights.yml line 8: rules[1].title is not a rule field (known: category, cost, match, name)"
            ),
            ("    cost: pay\n", "\n", "rights.yml line 8: rules[1] has no cost"),
            (
                "    match:\n      credit: Photodesk News\n", "    match: {}\n",
                "rights.yml line 4: rules[0].match must name at least one field (credit, source, byline, copyright, keyword)"
            ),
            (
                "    match:\n      credit: Photodesk News\n", "    match:\n",
                "rights.yml line 4: rules[0].match must name at least one field (credit, source, byline, copyright, keyword)"
            ),
            ("    match:\n      credit: Photodesk News\n", "", "rights.yml line 3: rules[0] has no match"),
            (
                "      credit: Photodesk News", "      credit: [a, [b]]",
                "rights.yml line 5: rules[0].match.credit[1] must be text, { pattern: TEXT } or { exact: TEXT }"
            ),
            (
                "      credit: Photodesk News", "      credit: []",
                "rights.yml line 5: rules[0].match.credit must list at least one value"
            ),
            (
                "  cost: conditional", "  cost: maybe",
                "rights.yml line 16: default.cost must be one of free, conditional, pay, deny"
            ),
            (
                "  cost: conditional", "  price: free",
                "rights.yml line 16: default.price is not a default field (known: category, cost)"
            ),
            (
                "default:", "defaults:",
                "rights.yml line 14: defaults is not a rights-file field (known: default, rules)"
            ),
            (
                "    cost: free", "    cost: [free]",
                "rights.yml line 7: rules[0].cost must be one of free, conditional, pay, deny"
            ),
            (
                "    category: staff", "    category:",
                "rights.yml line 6: rules[0].category must be one of staff, commissioned, agency, pool, handout, social-media, screenshot, unknown"
            ),
            ("  - name: Our staff", "  - name: [Our staff]", "rights.yml line 3: rules[0].name must be text"),
            (
                "      credit: Photodesk News", "      credit: Photodesk News\n      credit: x",
                "rights.yml line 5: credit appears twice"
            ),
            (
                "    cost: pay", "    cost: pay\n  bad: [",
                "rights.yml line 14: not valid YAML (did not find expected '-' indicator)"
            ),
        ])
    func refused(piece: String, replacement: String, message: String) {
        #expect(Self.refusal(Self.changing(piece, to: replacement)) == message)
    }

    @Test("whole-file mistakes are refused")
    func wholeFile() {
        #expect(
            Self.refusal("") == "rights.yml is empty: a rights file lists its rules (see RightsRules.defaultText)")
        #expect(
            Self.refusal("# only a comment\n")
                == "rights.yml is empty: a rights file lists its rules (see RightsRules.defaultText)")
        #expect(Self.refusal("- a\n- b\n") == "rights.yml line 1: the rights file must be a mapping of field: value")
        #expect(Self.refusal("rules: 3\n") == "rights.yml line 1: rules must be a list of rules")
        #expect(Self.refusal("rules: []\n") == "rights.yml line 1: rules must list at least one rule")
        #expect(
            Self.refusal("default:\n  cost: pay\n")
                == "rights.yml line 1: the rights file has no rules (a rights file lists its rules under rules:)")
        #expect(
            Self.refusal("rules:\n  - name: [\n")
                == "rights.yml line 3: not valid YAML (did not find expected node content)")
        #expect(Self.refusal("rules:\n\t- x\n")?.hasPrefix("rights.yml line 2: not valid YAML (") == true)
    }

    @Test("limits: a pattern of 200 characters, 1000 rules, 256 KiB")
    func limits() {
        let long = String(repeating: "a", count: 201)
        #expect(
            Self.refusal(Self.changing("\"*reuters*\"", to: long))
                == "rights.yml line 10: rules[1].match.credit.pattern must have at most 200 characters (this one has 201)"
        )
        #expect(Self.refusal(Self.changing("\"*reuters*\"", to: String(long.dropFirst()))) == nil)

        func rules(_ count: Int) -> String {
            "rules:\n"
                + (0..<count).map { "  - { name: r\($0), match: { credit: c\($0) }, category: agency, cost: pay }\n" }
                .joined()
        }
        #expect(Self.refusal(rules(1000)) == nil)
        #expect(
            Self.refusal(rules(1001)) == "rights.yml line 2: rules has 1001 rules: a rights file may have at most 1000")

        let padding = "#" + String(repeating: " ", count: 256 * 1024) + "\n"
        #expect(
            Self.refusal(padding + Self.good)
                == "rights.yml has \(padding.utf8.count + Self.good.utf8.count) bytes: a rights file may have at most 262144 (256 KiB)"
        )
    }

    @Test("aliases read, but a list repeated by aliases counts each time")
    func aliases() throws {
        let values = (0..<30).map { "v\($0)" }.joined(separator: ", ")
        func file(_ count: Int) -> String {
            "rules:\n  - { name: r0, match: { credit: &list [\(values)] }, category: agency, cost: pay }\n"
                + (1..<count).map { "  - { name: r\($0), match: { credit: *list }, category: agency, cost: pay }\n" }
                .joined()
        }
        let rules = try RightsRules.parse(file(3), source: "rights.yml")
        #expect(rules.rules[2].matchers[0].values.count == 30)
        #expect(
            Self.refusal(file(1000))
                == "rights.yml line 668: rules[666].match.credit makes more than 20000 values in the rights file")
    }

    @Test("the canonical YAML parses back to equal rules")
    func roundTrip() throws {
        let rules = try RightsRules.parse(Self.good, source: "rights.yml")
        let again = try RightsRules.parse(rules.yaml(), source: "printed")
        #expect(again == rules)
        #expect(again.yaml() == rules.yaml())

        let odd = RightsRules(
            rules: [
                RightsRule(
                    name: "Quotes \" and \\ and # and: colons",
                    matchers: [
                        RightsMatcher(field: .credit, values: [.equals("Thông tấn xã"), .pattern("*'x'*")]),
                        RightsMatcher(field: .byline, values: [.exact("  Tab\tand\nnewline \u{2028} ")]),
                        RightsMatcher(field: .keyword, values: [.pattern("- [not a list]"), .equals("yes")]),
                    ], category: .socialMedia, cost: .deny)
            ], defaultCategory: .pool, defaultCost: .free)
        #expect(try RightsRules.parse(odd.yaml(), source: "printed") == odd)

        let defaults = try RightsRules.parse(RightsRules.defaultText, source: "default")
        #expect(try RightsRules.parse(defaults.yaml(), source: "printed") == defaults)
    }

    @Test("the first rule that fits wins; all fields of a match must fit")
    func classify() throws {
        let rules = try RightsRules.parse(Self.good, source: "rights.yml")
        #expect(rules.classify(RightsSubject(credit: "  photodesk NEWS ")).rule == "Our staff")
        #expect(rules.classify(RightsSubject(credit: "REUTERS/Jane Doe")).rule == nil)
        #expect(rules.classify(RightsSubject(credit: "REUTERS/Jane Doe", source: "reuters")).rule == "Reuters")
        #expect(rules.classify(RightsSubject(credit: "REUTERS/Jane Doe", source: "REUTERS")).cost == .pay)
        #expect(rules.classify(RightsSubject(credit: "Reuters", source: "Reuters Ltd")).rule == nil)
    }

    @Test("bylines and keywords fit when any does; blank fields fit nothing")
    func manyValued() {
        let rules = RightsRules(rules: [
            RightsRule(
                name: "Freelance", matchers: [RightsMatcher(field: .byline, values: [.equals("Lê Văn A")])],
                category: .commissioned, cost: .free),
            RightsRule(
                name: "Grabs", matchers: [RightsMatcher(field: .keyword, values: [.pattern("screen*")])],
                category: .screenshot, cost: .conditional),
            RightsRule(
                name: "Anything", matchers: [RightsMatcher(field: .copyright, values: [.pattern("*")])],
                category: .agency, cost: .pay),
        ])
        #expect(rules.classify(RightsSubject(bylines: ["Nguyễn B", "LÊ VĂN A"])).rule == "Freelance")
        #expect(rules.classify(RightsSubject(bylines: ["Le Van A"])).rule == nil)
        #expect(rules.classify(RightsSubject(keywords: ["war", "Screenshot"])).rule == "Grabs")
        #expect(rules.classify(RightsSubject(copyright: "  ")).rule == nil)
        #expect(rules.classify(RightsSubject(copyright: "©")).rule == "Anything")
    }

    @Test("plain values fold case but keep diacritics; exact values keep case")
    func folding() {
        let equals = RightsMatcher.Value.equals("Thông tấn xã")
        #expect(equals.matches("THÔNG TẤN XÃ"))
        #expect(!equals.matches("Thong tan xa"))
        #expect(equals.matches("Tho\u{302}ng ta\u{302}\u{301}n xa\u{303}"))
        #expect(RightsMatcher.Value.equals("STRASSE").matches("straße"))
        #expect(RightsMatcher.Value.exact("REUTERS").matches("REUTERS"))
        #expect(!RightsMatcher.Value.exact("REUTERS").matches("Reuters"))
    }

    @Test(
        "globs: * any run, ? one character, whole value",
        arguments: [
            ("*reuters*", "Photo: REUTERS/Jane", true), ("reuters", "reuters", true), ("reuters", "reuters tv", false),
            ("?p", "AP", true), ("?p", "p", false), ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYYcZ", false),
            ("*", "", true), ("**", "x", true), ("*?", "", false), ("*.com", "x.com", true), ("ả*", "Ảnh", true),
            ("*a*a*b", "aab", true), ("*a*a*b", "ab", false),
        ])
    func glob(pattern: String, value: String, fits: Bool) {
        #expect(RightsMatcher.Value.pattern(pattern).matches(value) == fits)
    }

    @Test("a hostile glob does not backtrack exponentially")
    func hostileGlob() {
        let value = String(repeating: "a", count: 10_000)
        #expect(!RightsMatcher.Value.pattern("a*a*a*a*a*b").matches(value))
        #expect(RightsMatcher.Value.pattern("a*a*a*a*a*a").matches(value))
    }

    @Test("the default rules read and classify the usual credits")
    func defaults() throws {
        let rules = try RightsRules.parse(RightsRules.defaultText, source: "default")
        func check(_ subject: RightsSubject) -> String {
            let result = rules.classify(subject)
            return "\(result.category.rawValue)/\(result.cost.rawValue)"
        }
        #expect(check(RightsSubject(credit: "Photodesk")) == "staff/free")
        #expect(check(RightsSubject(credit: "REUTERS/Jane Doe")) == "agency/pay")
        #expect(check(RightsSubject(credit: "AP Photo/Jane Doe")) == "agency/pay")
        #expect(check(RightsSubject(credit: "Jane Doe/AP")) == "agency/pay")
        #expect(check(RightsSubject(credit: "Japan Times")) == "unknown/conditional")
        #expect(check(RightsSubject(credit: "AFP via Getty Images")) == "agency/pay")
        #expect(check(RightsSubject(credit: "EPA-EFE/JANE DOE")) == "agency/pay")
        #expect(check(RightsSubject(credit: "Xinhua")) == "agency/pay")
        #expect(check(RightsSubject(credit: "TTXVN")) == "agency/conditional")
        #expect(check(RightsSubject(credit: "Ảnh: TTXVN")) == "agency/conditional")
        #expect(check(RightsSubject(credit: "VNA/Nguyễn Văn A")) == "agency/conditional")
        #expect(check(RightsSubject(credit: "POOL/REUTERS")) == "pool/conditional")
        #expect(check(RightsSubject(credit: "Liverpool FC")) == "unknown/conditional")
        #expect(check(RightsSubject(credit: "Handout via REUTERS")) == "handout/conditional")
        #expect(check(RightsSubject(credit: "Ministry", source: "HANDOUT")) == "handout/conditional")
        #expect(check(RightsSubject(credit: "Handout via Facebook")) == "social-media/deny")
        #expect(check(RightsSubject(credit: "Jane Doe", source: "TikTok")) == "social-media/deny")
        #expect(check(RightsSubject(credit: "Screenshot from VTV1")) == "screenshot/conditional")
        #expect(check(RightsSubject()) == "unknown/conditional")
    }
}

@Suite("The rules file that ships")
struct ShippedRulesTests {
    @Test("Assets/rights/rules.yml is the built-in default set, and it parses")
    func shippedFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("Assets/rights/rules.yml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.trimmingCharacters(in: .newlines) == RightsRules.defaultText.trimmingCharacters(in: .newlines))
        let rules = try RightsRules.parse(text, source: "Assets/rights/rules.yml")
        #expect(rules.defaultCost == .conditional && rules.defaultCategory == .unknown)
        #expect(rules.classify(RightsSubject(credit: "REUTERS/Jane Doe")).cost == .pay)
        #expect(rules.classify(RightsSubject(credit: "TTXVN")).cost == .conditional)
        #expect(rules.classify(RightsSubject(credit: "Photodesk")).cost == .free)
        #expect(rules.classify(RightsSubject(credit: "Ảnh: Facebook nhân vật", source: "Facebook")).cost == .deny)
        #expect(rules.classify(RightsSubject(credit: "Cổng Thông tin Demo")).category == .unknown)
    }
}
