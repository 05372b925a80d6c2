import Foundation
import Rights
import Yams

extension Pipeline {
    /// Parses and checks the text of a pipeline file; `source` names the file in errors, which
    /// give the line and the field: `Pipelines/x.yml line 7: renditions[1].quality must be 1 to 100`.
    public static func parse(_ text: String, source: String) throws -> Pipeline {
        let file = try PipelineFile(text: text, source: source)
        // Unknown names first: a misspelt field is the likeliest reason another seems missing.
        try file.checkFieldNames()
        let pipeline: Pipeline
        do { pipeline = try YAMLDecoder().decode(Pipeline.self, from: file.root) } catch let error as DecodingError {
            throw file.error(error)
        }
        try pipeline.validate(file)
        return pipeline
    }
}

/// A pipeline file as YAML nodes, which know their lines, so that each error names the file, the
/// line and the field.
struct PipelineFile {
    /// One step of a field's path: a key of a mapping or an index in a list.
    typealias Step = YAMLStep

    /// The file's name, as given.
    let source: String
    /// The document.
    let root: Node

    /// The fields a pipeline has, at the top, in each rendition and in `limits`.
    static let topFields = ["crops", "limits", "metadata", "name", "renditions"]
    static let cropFields = ["aspect", "name"]
    static let renditionFields = ["format", "height", "name", "quality", "width"]
    static let limitFields = ["maxBytes", "maxPixels"]

    /// Parses the text into nodes; a text that is not YAML is refused with its line.
    init(text: String, source: String) throws {
        self.source = source
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw IngestError(.usage, YAMLProblem.describe(error, source: source))
        }
        guard let node else {
            throw IngestError(.usage, "\(source) is empty: a pipeline lists its renditions (see Pipelines/default.yml)")
        }
        root = node
    }

    /// The error for a field: `x.yml line 7: renditions[1].quality must be 1 to 100`.
    func error(at path: [Step], _ problem: String) -> IngestError {
        IngestError(.usage, "\(place(path)): \(Self.name(path)) \(problem)")
    }

    /// Refuses a whole number outside its field's range.
    func check(_ value: Int, at path: [Step]) throws {
        guard case .key(let field)? = path.last, let range = Pipeline.ranges[field], !range.contains(value) else {
            return
        }
        throw error(at: path, "must be \(range.lowerBound) to \(range.upperBound)")
    }

    /// Refuses a field a pipeline does not have (a typo such as `maxbytes` would otherwise be
    /// ignored, and its limit with it).
    func checkFieldNames() throws {
        try checkKeys(of: root, at: [], known: Self.topFields)
        for (index, rendition) in (root["renditions"]?.array() ?? []).enumerated() {
            try checkKeys(of: rendition, at: [.key("renditions"), .index(index)], known: Self.renditionFields)
        }
        if let limits = root["limits"] { try checkKeys(of: limits, at: [.key("limits")], known: Self.limitFields) }
        for (index, crop) in (root["crops"]?.array() ?? []).enumerated() {
            try checkKeys(of: crop, at: [.key("crops"), .index(index)], known: Self.cropFields)
        }
    }

    private func checkKeys(of node: Node, at path: [Step], known: [String]) throws {
        guard let mapping = node.mapping else { return }
        for (key, _) in mapping {
            guard let name = key.string, !known.contains(name) else { continue }
            throw IngestError(
                .usage,
                "\(key.mark.map { "\(source) line \($0.line)" } ?? source): \(Self.name(path + [.key(name)])) is not a pipeline field (known: \(known.joined(separator: ", ")))"
            )
        }
    }

    /// The error for what the decoder refused.
    func error(_ decoding: DecodingError) -> IngestError {
        switch decoding {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let path = Self.steps(context.codingPath)
            return error(at: path, "must be \(Self.expectation(type, at: path))")
        case .keyNotFound(let key, let context):
            return error(at: Self.steps(context.codingPath), "has no \(key.stringValue)")
        case .dataCorrupted(let context):
            let path = Self.steps(context.codingPath)
            return error(at: path, "must be \(Self.choices(at: path) ?? "a valid value")")
        @unknown default:
            return IngestError(.usage, "\(source): \(decoding)")
        }
    }

    /// "x.yml line 7", or the file's name alone when no line is known.
    private func place(_ path: [Step]) -> String {
        line(at: path).map { "\(source) line \($0)" } ?? source
    }

    /// The line of the deepest node the path reaches in the file.
    func line(at path: [Step]) -> Int? {
        var node = root
        var line = root.mark?.line
        for step in path {
            let next: Node?
            switch step {
            case .key(let key): next = node[key]
            case .index(let index):
                let items = node.array()
                next = items.indices.contains(index) ? items[index] : nil
            }
            guard let next else { break }
            node = next
            line = next.mark?.line ?? line
        }
        return line
    }

    /// "renditions[1].quality"; "the pipeline" for the document itself.
    static func name(_ path: [Step]) -> String { YAMLStep.name(path, whole: "the pipeline") }

    static func steps(_ codingPath: [any CodingKey]) -> [Step] {
        codingPath.map { key in key.intValue.map(Step.index) ?? .key(key.stringValue) }
    }

    /// What a field must be, in words.
    static func expectation(_ type: Any.Type, at path: [Step]) -> String {
        if case .key(let field)? = path.last, let range = Pipeline.ranges[field] {
            return "a whole number from \(range.lowerBound) to \(range.upperBound)"
        }
        if let choices = choices(at: path) { return choices }
        switch type {
        case is Int.Type: return "a whole number"
        case is String.Type: return "text"
        case is Node.Sequence.Type: return "a list"
        case is Node.Mapping.Type: return "a mapping of field: value"
        default: return "a single value"
        }
    }

    /// The values a field may take, when they are a few names.
    static func choices(at path: [Step]) -> String? {
        switch path.last {
        case .key("format")?: "jpeg, webp or avif"
        case .index? where path.first == .key("metadata"): "exif, iptc, xmp or sidecar"
        default: nil
        }
    }

}
