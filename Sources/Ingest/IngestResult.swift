/// What happened to one file: the JSON Lines record of `ingest --json`.
public struct FileResult: Codable, Sendable, Equatable {
    /// The four outcomes every file has exactly one of.
    public enum Status: String, Codable, Sendable {
        case ingested, unchanged, duplicate, failed
    }

    public var path: String
    public var status: Status
    /// The asset's short id; absent when the file failed.
    public var id: String?
    /// Why the file was refused, without repeating `path`; present only when it failed.
    public var error: String?
    /// What was skipped on the way (a sidecar that was not read, a malformed XMP packet), each
    /// naming what it concerns; absent when nothing was.
    public var warnings: [String]?

    /// Makes a result.
    public init(path: String, status: Status, id: String? = nil, error: String? = nil, warnings: [String]? = nil) {
        self.path = path
        self.status = status
        self.id = id
        self.error = error
        self.warnings = warnings
    }
}

/// The totals of one ingest run: the final JSON Lines record.
public struct IngestSummary: Codable, Sendable, Equatable {
    public var ingested = 0
    public var unchanged = 0
    public var duplicate = 0
    public var failed = 0
    public var seconds = 0.0
    /// Renditions written in this run.
    public var renditionsMade = 0
    /// Files not started because the library's disk was full (counted in `failed` too).
    public var notTried = 0

    /// An empty summary.
    public init() {}

    /// Counts one file.
    public mutating func count(_ result: FileResult) {
        switch result.status {
        case .ingested: ingested += 1
        case .unchanged: unchanged += 1
        case .duplicate: duplicate += 1
        case .failed: failed += 1
        }
    }

    /// Files seen.
    public var total: Int { ingested + unchanged + duplicate + failed }
}

/// What an ingest reports while it runs.
public enum IngestEvent: Sendable {
    /// The scan found this many files.
    case scanned(total: Int)
    /// A job started on a file.
    case started(path: String)
    /// A file is done; `done` files of `total` so far.
    case finished(FileResult, done: Int, total: Int)
    /// Something the run says once for all its files ("provenance was not checked: ...").
    case notice(String)
}
