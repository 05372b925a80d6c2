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

    enum CodingKeys: String, CodingKey { case name, renditions, limits, metadata }

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
    }

    /// Each preset's fingerprint by name: a changed preset is re-made on the next ingest.
    public var fingerprints: [String: String] {
        Dictionary(renditions.map { ($0.name, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads and checks a pipeline file.
    public static func load(path: String) throws -> Pipeline {
        guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw IngestError(.usage, "cannot read the pipeline \(path)")
        }
        let pipeline: Pipeline
        do { pipeline = try YAMLDecoder().decode(Pipeline.self, from: text) } catch {
            throw IngestError(.usage, "the pipeline \(path) is not valid: \(error)")
        }
        try pipeline.validate(source: path)
        return pipeline
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

    func validate(source: String) throws {
        guard !renditions.isEmpty else { throw IngestError(.usage, "the pipeline \(source) declares no renditions") }
        var seen = Set<String>()
        for spec in renditions {
            guard spec.name.range(of: #"^[a-z0-9][a-z0-9-]*$"#, options: .regularExpression) != nil else {
                throw IngestError(
                    .usage, "rendition name \"\(spec.name)\" in \(source): use lower-case letters, digits and -")
            }
            guard seen.insert(spec.name).inserted else {
                throw IngestError(.usage, "rendition \(spec.name) is declared twice in \(source)")
            }
            guard spec.width > 0, spec.height > 0, spec.width <= 16384, spec.height <= 16384 else {
                throw IngestError(.usage, "rendition \(spec.name) in \(source): width and height must be 1 to 16384")
            }
            guard (1...100).contains(spec.quality) else {
                throw IngestError(.usage, "rendition \(spec.name) in \(source): quality must be 1 to 100")
            }
            guard [.jpeg, .webp, .avif].contains(spec.format) else {
                throw IngestError(.usage, "rendition \(spec.name) in \(source): format must be jpeg, webp or avif")
            }
        }
        guard limits.maxPixels > 0 else { throw IngestError(.usage, "limits.maxPixels in \(source) must be positive") }
    }
}
