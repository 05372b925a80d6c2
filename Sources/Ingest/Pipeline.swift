import Desk
import Foundation
import Imaging
import Yams

/// What an ingest does to each photo: the rendition presets, the limits and the metadata
/// sources, read from `Pipelines/NAME.yml`.
public struct Pipeline: Codable, Sendable, Equatable {
    /// Limits that protect the machine from hostile or huge files.
    public struct Limits: Codable, Sendable, Equatable {
        /// Largest stored pixel count accepted (default 100 megapixels).
        public var maxPixels: Int = 100_000_000
        /// Largest file accepted, in bytes (default 2 GiB).
        public var maxBytes: Int = 2 << 30

        /// Default limits.
        public init() {}

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            maxPixels = try container.decodeIfPresent(Int.self, forKey: .maxPixels) ?? 100_000_000
            maxBytes = try container.decodeIfPresent(Int.self, forKey: .maxBytes) ?? (2 << 30)
        }
    }

    /// Which metadata sources are read.
    public enum MetadataSource: String, Codable, Sendable, CaseIterable {
        case exif, iptc, xmp, sidecar
    }

    /// The pipeline's name.
    public var name: String
    /// The rendition presets, made from one decode.
    public var renditions: [RenditionSpec]
    public var limits = Limits()
    /// Metadata sources, all by default.
    public var metadata: [MetadataSource] = MetadataSource.allCases
    /// The aspects an editor may crop a photo to for a use in an article (`hero 16:9`); a free
    /// crop is always possible too.
    public var crops: [CropAspect] = []

    /// A crop preset as the file writes it: `- name: hero` / `aspect: "16:9"`.
    struct CropEntry: Codable {
        var name: String
        var aspect: String
    }

    enum CodingKeys: String, CodingKey { case name, renditions, limits, metadata, crops }

    /// Makes a pipeline.
    public init(
        name: String, renditions: [RenditionSpec], limits: Limits = Limits(),
        metadata: [MetadataSource] = MetadataSource.allCases
    ) {
        self.name = name
        self.renditions = renditions
        self.limits = limits
        self.metadata = metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? "unnamed"
        renditions = try container.decode([RenditionSpec].self, forKey: .renditions)
        limits = try container.decodeIfPresent(Limits.self, forKey: .limits) ?? Limits()
        metadata = try container.decodeIfPresent([MetadataSource].self, forKey: .metadata) ?? MetadataSource.allCases
        let entries = try container.decodeIfPresent([CropEntry].self, forKey: .crops) ?? []
        crops = entries.map { entry in
            let ratio = CropAspect.ratio(entry.aspect) ?? (0, 0)
            return CropAspect(name: entry.name, width: ratio.0, height: ratio.1)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(renditions, forKey: .renditions)
        try container.encode(limits, forKey: .limits)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(crops.map { CropEntry(name: $0.name, aspect: "\($0.width):\($0.height)") }, forKey: .crops)
    }

    /// Each preset's fingerprint by name: a changed preset is re-made on the next ingest.
    public var fingerprints: [String: String] {
        Dictionary(renditions.map { ($0.name, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
    }

    /// The most bytes a pipeline file may have.
    static let fileLimit = 1 << 20

    /// Reads and checks a pipeline file. A bad file is refused with its name, the line and the
    /// field: `Pipelines/x.yml line 7: renditions[1].quality must be 1 to 100`.
    public static func load(path: String) throws -> Pipeline {
        let data: Data
        do throws(SafeFile.Refusal) { data = try SafeFile.read(path: path, maxBytes: fileLimit) } catch {
            throw IngestError(.usage, "cannot read the pipeline \(error)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw IngestError(.usage, "\(path): a pipeline must be UTF-8 text")
        }
        return try parse(text, source: path)
    }

    /// Finds a pipeline by name in a folder of pipelines, or takes a path to a file.
    public static func load(nameOrPath: String, folder: String) throws -> Pipeline {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yml") || nameOrPath.hasSuffix(".yaml") {
            return try load(path: nameOrPath)
        }
        let path = (folder as NSString).appendingPathComponent("\(nameOrPath).yml")
        guard FileManager.default.fileExists(atPath: path) else {
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { $0.hasSuffix(".yml") }.map { String($0.dropLast(4)) }.sorted()
            throw IngestError(
                .usage, "no pipeline named \(nameOrPath) in \(folder) (known: \(known.joined(separator: ", ")))")
        }
        return try load(path: path)
    }

    /// Each whole-number field's range, by its name in a rendition or in `limits`.
    static let ranges: [String: ClosedRange<Int>] = [
        "width": 1...16384, "height": 1...16384, "quality": 1...100, "maxPixels": 1...10_000_000_000,
        "maxBytes": 1...(1 << 40),
    ]

    /// Checks the values the decoder cannot: names, ranges, formats. `file` finds their lines.
    func validate(_ file: PipelineFile) throws {
        guard !renditions.isEmpty else {
            throw file.error(at: [.key("renditions")], "must list at least one rendition")
        }
        var seen = Set<String>()
        for (index, spec) in renditions.enumerated() {
            let at: [PipelineFile.Step] = [.key("renditions"), .index(index)]
            guard spec.name.range(of: #"^[a-z0-9][a-z0-9-]*$"#, options: .regularExpression) != nil else {
                throw file.error(
                    at: at + [.key("name")], "must be lower-case letters, digits and - (\"\(spec.name)\" is not)")
            }
            guard seen.insert(spec.name).inserted else {
                throw file.error(
                    at: at + [.key("name")], "must differ from the others (\(spec.name) is declared twice)")
            }
            for (field, value) in [("width", spec.width), ("height", spec.height), ("quality", spec.quality)] {
                try file.check(value, at: at + [.key(field)])
            }
            guard [.jpeg, .webp, .avif].contains(spec.format) else {
                throw file.error(at: at + [.key("format")], "must be jpeg, webp or avif")
            }
        }
        try file.check(limits.maxPixels, at: [.key("limits"), .key("maxPixels")])
        try file.check(limits.maxBytes, at: [.key("limits"), .key("maxBytes")])
        var cropNames = Set<String>()
        for (index, crop) in crops.enumerated() {
            let at: [PipelineFile.Step] = [.key("crops"), .index(index)]
            guard crop.name.range(of: #"^[a-z0-9][a-z0-9-]*$"#, options: .regularExpression) != nil else {
                throw file.error(
                    at: at + [.key("name")], "must be lower-case letters, digits and - (\"\(crop.name)\" is not)")
            }
            guard cropNames.insert(crop.name).inserted else {
                throw file.error(
                    at: at + [.key("name")], "must differ from the others (\(crop.name) is declared twice)")
            }
            guard crop.width > 0, crop.height > 0 else {
                throw file.error(at: at + [.key("aspect")], "must be two whole numbers from 1 to 100, such as \"16:9\"")
            }
        }
    }
}
