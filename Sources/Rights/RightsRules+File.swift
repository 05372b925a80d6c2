import Foundation
import Yams

extension RightsRules {
    /// Parses and checks the text of a rights file; `source` names the file in errors. One
    /// mistake refuses the whole file, with the file, the line and the field:
    /// `rights.yml line 7: rules[1].cost must be one of free, conditional, pay, deny`.
    public static func parse(_ text: String, source: String) throws -> RightsRules {
        let size = text.utf8.count
        guard size <= maxBytes else {
            throw RightsError("\(source) has \(size) bytes: a rights file may have at most \(maxBytes) (256 KiB)")
        }
        return try RulesFile(text: text, source: source).rules()
    }

    /// The rules as a canonical YAML file that parses back to equal rules: every value quoted,
    /// the fields of each match in a fixed order, and the default written out.
    public func yaml() -> String {
        var lines = [
            "# Photodesk rights rules: the first rule whose match fits a photo gives its category and cost.",
            "rules:",
        ]
        for rule in rules {
            lines.append("  - name: \(YAMLText.quoted(rule.name))")
            lines.append("    match:")
            for matcher in rule.matchers {
                let values = matcher.values.map(YAMLText.value)
                let written = values.count == 1 ? values[0] : "[" + values.joined(separator: ", ") + "]"
                lines.append("      \(matcher.field.rawValue): \(written)")
            }
            lines.append("    category: \(rule.category.rawValue)")
            lines.append("    cost: \(rule.cost.rawValue)")
        }
        lines.append("default:")
        lines.append("  category: \(defaultCategory.rawValue)")
        lines.append("  cost: \(defaultCost.rawValue)")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Writing values as YAML.
enum YAMLText {
    /// A value of a match as the file writes it: `"AP"`, `{ pattern: "*reuters*" }`.
    static func value(_ value: RightsMatcher.Value) -> String {
        switch value {
        case .equals(let text): quoted(text)
        case .pattern(let text): "{ pattern: \(quoted(text)) }"
        case .exact(let text): "{ exact: \(quoted(text)) }"
        }
    }

    /// A double-quoted YAML scalar: backslashes and quotes escaped, and every character YAML
    /// does not print (controls, line and paragraph separators, the byte-order mark) as an
    /// escape.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case 0x00...0x1F, 0x7F...0x9F:
                out += "\\x" + hex(scalar.value, digits: 2)
            case 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF:
                out += "\\u" + hex(scalar.value, digits: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

/// A rights file as YAML nodes, which know their lines, so that each error names the file, the
/// line and the field.
struct RulesFile {
    /// One step of a field's path: a key of a mapping or an index in a list.
    typealias Step = YAMLStep

    /// The file's name, as given.
    let source: String
    /// The document.
    let root: Node

    /// The fields at the top, in a rule, in a match, in a `{ pattern: }` value and in `default`.
    static let topFields = ["default", "rules"]
    static let ruleFields = ["category", "cost", "match", "name"]
    static let matchFields = RightsMatcher.Field.allCases.map(\.rawValue)
    static let valueFields = ["exact", "pattern"]
    static let defaultFields = ["category", "cost"]

    /// Parses the text into nodes; a text that is not YAML is refused with its line.
    init(text: String, source: String) throws {
        self.source = source
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw RightsError(YAMLProblem.describe(error, source: source))
        } catch {
            throw RightsError("\(source): not valid YAML (\(error))")
        }
        guard let node else {
            throw RightsError("\(source) is empty: a rights file lists its rules (see RightsRules.defaultText)")
        }
        root = node
    }

    /// The rules the file gives.
    func rules() throws -> RightsRules {
        let top = try fields(of: root, at: [], known: Self.topFields, kind: "rights-file")
        guard let list = top["rules"] else {
            throw error(root, [], "has no rules (a rights file lists its rules under rules:)")
        }
        guard case .sequence(let sequence) = list else {
            throw error(list, [.key("rules")], "must be a list of rules")
        }
        let items = Array(sequence)
        guard !items.isEmpty else { throw error(list, [.key("rules")], "must list at least one rule") }
        guard items.count <= RightsRules.maxRules else {
            throw error(
                list, [.key("rules")],
                "has \(items.count) rules: a rights file may have at most \(RightsRules.maxRules)"
            )
        }
        var rules: [RightsRule] = []
        var names: [String: Int] = [:]
        var budget = RightsRules.maxValues
        for (index, item) in items.enumerated() {
            let rule = try self.rule(item, at: [.key("rules"), .index(index)], budget: &budget)
            let folded = Folding.fold(rule.name)
            if let first = names[folded] {
                throw error(
                    item["name"] ?? item, [.key("rules"), .index(index), .key("name")],
                    "must differ from the others (\(rule.name) is also rules[\(first)])")
            }
            names[folded] = index
            rules.append(rule)
        }
        var result = RightsRules(rules: rules)
        if let node = top["default"], node.null == nil {
            let path: [Step] = [.key("default")]
            let given = try fields(of: node, at: path, known: Self.defaultFields, kind: "default")
            if let category = given["category"] {
                result.defaultCategory = try choice(category, at: path + [.key("category")])
            }
            if let cost = given["cost"] { result.defaultCost = try choice(cost, at: path + [.key("cost")]) }
        }
        return result
    }

    /// One rule of the list; `budget` is how many more values the file may hold.
    private func rule(_ node: Node, at path: [Step], budget: inout Int) throws -> RightsRule {
        let given = try fields(of: node, at: path, known: Self.ruleFields, kind: "rule")
        func required(_ name: String) throws -> Node {
            guard let field = given[name] else { throw error(node, path, "has no \(name)") }
            return field
        }
        let name = try text(required("name"), at: path + [.key("name")])
        let matchNode = try required("match")
        let matchPath = path + [.key("match")]
        let known = Self.matchFields.joined(separator: ", ")
        guard matchNode.null == nil, matchNode.mapping?.isEmpty != true else {
            throw error(matchNode, matchPath, "must name at least one field (\(known))")
        }
        let match = try fields(of: matchNode, at: matchPath, known: Self.matchFields, kind: "match")
        var matchers: [RightsMatcher] = []
        for field in RightsMatcher.Field.allCases {
            guard let valueNode = match[field.rawValue] else { continue }
            // The key's line: an aliased list keeps the line of its anchor.
            let key = matchNode.mapping?.first { $0.key.string == field.rawValue }?.key ?? valueNode
            let values = try values(valueNode, at: matchPath + [.key(field.rawValue)], key: key, budget: &budget)
            matchers.append(RightsMatcher(field: field, values: values))
        }
        return RightsRule(
            name: name, line: node.mark?.line ?? 0, matchers: matchers,
            category: try choice(required("category"), at: path + [.key("category")]),
            cost: try choice(required("cost"), at: path + [.key("cost")]))
    }

    /// The values of a match field (whose name is `key`): one value, or a list of them. They
    /// count against `budget`, which bounds the work a file can ask for (aliases can repeat a
    /// long list many times).
    private func values(_ node: Node, at path: [Step], key: Node, budget: inout Int) throws -> [RightsMatcher.Value] {
        let items = node.sequence.map(Array.init) ?? [node]
        guard !items.isEmpty else { throw error(node, path, "must list at least one value") }
        budget -= items.count
        guard budget >= 0 else {
            throw error(key, path, "makes more than \(RightsRules.maxValues) values in the rights file")
        }
        guard node.sequence != nil else { return [try value(node, at: path)] }
        return try items.enumerated().map { index, item in try value(item, at: path + [.index(index)]) }
    }

    /// One value: `Reuters`, `{ pattern: "*reuters*" }` or `{ exact: "REUTERS" }`.
    private func value(_ node: Node, at path: [Step]) throws -> RightsMatcher.Value {
        switch node {
        case .scalar:
            return .equals(try text(node, at: path))
        case .mapping(let mapping):
            let given = try fields(of: node, at: path, known: Self.valueFields, kind: "value")
            guard mapping.count == 1, let (key, inner) = given.first.map({ ($0.key, $0.value) }) else {
                throw error(node, path, "must have exactly one of pattern or exact")
            }
            let text = try self.text(inner, at: path + [.key(key)], trimmed: key == "pattern")
            return key == "pattern" ? .pattern(text) : .exact(text)
        default:
            throw error(node, path, "must be text, { pattern: TEXT } or { exact: TEXT }")
        }
    }

    /// A name or a value: text, not empty, at most `maxValueLength` characters. A plain value
    /// or a pattern is kept trimmed (it is compared trimmed); an exact value as written.
    private func text(_ node: Node, at path: [Step], trimmed: Bool = true) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw error(node, path, "must be text")
        }
        let raw = node.null != nil ? "" : scalar.string
        let value = trimmed ? raw.trimmingCharacters(in: .whitespacesAndNewlines) : raw
        guard !value.isEmpty else { throw error(node, path, "must not be empty") }
        guard value.count <= RightsRules.maxValueLength else {
            throw error(
                node, path, "must have at most \(RightsRules.maxValueLength) characters (this one has \(value.count))")
        }
        return value
    }

    /// A category or a cost, by its name.
    private func choice<Choice: RawRepresentable & CaseIterable>(_ node: Node, at path: [Step]) throws -> Choice
    where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .scalar(let scalar) = node, node.null == nil,
            let choice = Choice(rawValue: scalar.string.trimmingCharacters(in: .whitespaces))
        else {
            throw error(node, path, "must be one of \(names)")
        }
        return choice
    }

    /// The fields of a mapping by name, refusing a name it does not have (a typo such as
    /// `costs` would otherwise be ignored, and the cost with it).
    private func fields(of node: Node, at path: [Step], known: [String], kind: String) throws -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw error(node, path, "must be a mapping of field: value")
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw error(key, path, "has a field name that is not text")
            }
            guard known.contains(scalar.string) else {
                throw error(
                    key, path + [.key(scalar.string)],
                    "is not a \(kind) field (known: \(known.joined(separator: ", ")))")
            }
            fields[scalar.string] = value
        }
        return fields
    }

    /// The error for a node: `rights.yml line 7: rules[1].cost must be ...`.
    func error(_ node: Node, _ path: [Step], _ problem: String) -> RightsError {
        let place = node.mark.map { "\(source) line \($0.line)" } ?? source
        return RightsError("\(place): \(Self.name(path)) \(problem)")
    }

    /// "rules[1].cost"; "the rights file" for the document itself.
    static func name(_ path: [Step]) -> String { YAMLStep.name(path, whole: "the rights file") }

}
