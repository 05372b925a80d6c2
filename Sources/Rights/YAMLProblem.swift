import Yams

/// What is wrong with a YAML text, in the words the desk's files use for it (the rights rules, the
/// pipelines): the file, the line and the problem, `rights.yml line 3: not valid YAML (...)`.
public enum YAMLProblem {
    /// A YAML syntax error as `NAME line 3: not valid YAML (...)`.
    public static func describe(_ error: YamlError, source: String) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return "\(source) line \(mark.line): not valid YAML (\(problem))"
        case .reader(let problem, let offset, _, let yaml):
            let line = offset.map { offset in yaml.utf8.prefix(max(0, offset)).filter { $0 == 0x0A }.count + 1 }
            return "\(line.map { "\(source) line \($0)" } ?? source): not valid YAML (\(problem))"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "\(source) line \(context.mark.line): \(duplicates.sorted().joined(separator: ", ")) appears twice"
        default:
            return "\(source): not valid YAML (\(error))"
        }
    }
}

/// One step of a field's place in a YAML file: a key of a mapping or an index in a list.
public enum YAMLStep: Equatable, Sendable {
    case key(String)
    case index(Int)

    /// The steps as a field's name in errors, `renditions[1].quality`; `whole` for none (the file).
    public static func name(_ path: [YAMLStep], whole: String) -> String {
        guard !path.isEmpty else { return whole }
        var text = ""
        for step in path {
            switch step {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}
