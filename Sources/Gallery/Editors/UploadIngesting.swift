/// What the gallery needs to take uploads: the size cap of one file, and an ingest, by the same
/// code as `photodesk ingest`, of files already saved in the library. The gallery does not
/// ingest by itself (it does not depend on the ingest module): `photodesk serve` hands it one.
public protocol UploadIngesting: Sendable {
    /// The largest file accepted, in bytes: the pipeline's `limits.maxBytes`.
    var maxBytes: Int { get }

    /// Ingests files saved under the library, their captions attributed to `uploader`; answers
    /// one outcome per path, in the order given (a path given twice has two). Never throws: a
    /// file that cannot be ingested, for whatever reason, is a `failed` outcome with the reason.
    func ingest(paths: [String], uploader: String) async -> [UploadIngestOutcome]
}

/// What an ingest made of one uploaded file, as `photodesk ingest --json` reports it.
public struct UploadIngestOutcome: Sendable, Equatable {
    /// The outcomes of the CLI's ingest.
    public enum Status: String, Sendable, Codable, CaseIterable {
        case ingested, unchanged, duplicate, failed
    }

    /// What happened.
    public var status: Status
    /// The asset's short id (16 hex digits); nil when the file failed.
    public var id: String?
    /// Why the file was refused, without its name; nil unless it failed.
    public var error: String?

    /// Makes an outcome.
    public init(status: Status, id: String? = nil, error: String? = nil) {
        self.status = status
        self.id = id
        self.error = error
    }
}
