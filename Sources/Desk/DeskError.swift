import Catalog
import PhotoModel

/// An error from the desk's rules: what was refused and why, in words an editor can act on.
public struct DeskError: PhotodeskError {
    /// What kind of refusal this is; new codes never break callers that match on others.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// No photo, article, revision or user matches what was named.
        public static let notFound = Code(name: "not-found")
        /// A prefix matches several photos.
        public static let ambiguous = Code(name: "ambiguous")
        /// An edit was based on an older revision than the stored one; nothing was saved.
        public static let stale = Code(name: "stale")
        /// The photo is used by articles.
        public static let inUse = Code(name: "in-use")
        /// A name (a slug) is already taken.
        public static let exists = Code(name: "exists")
        /// What was given cannot be used (a template, a codes file, a crop, a time).
        public static let invalid = Code(name: "invalid")
        /// Other writers kept changing the same thing; nothing was saved.
        public static let busy = Code(name: "busy")
        /// The catalog failed (unreachable, a query error).
        public static let storage = Code(name: "storage")
        /// The photo's rights forbid it: a kill, a denial, a pay photo without a lease, an
        /// embargo (the publish guard lists each photo in `refusals`).
        public static let refused = Code(name: "refused")

        public var description: String { name }
    }

    public var code: Code
    public var message: String
    /// For a stale edit: both versions, so nothing is lost.
    public var stale: StaleEdit?
    /// The underlying error, for logs.
    public var cause: String?
    /// For the publish guard: each photo that may not run, with why.
    public var refusals: [PhotoRefusal] = []
    /// For a store's failure, the store's kind of it (an unreachable server is `unavailable`).
    var storageKind: ErrorKind?

    /// Makes an error.
    public init(_ code: Code, _ message: String, stale: StaleEdit? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.stale = stale
        self.cause = cause
    }

    /// A store's error, in the desk's terms.
    init(_ error: CatalogError) {
        let code: Code =
            switch error.code {
            case .notFound: .notFound
            case .exists: .exists
            case .inUse: .inUse
            case .conflict: .busy
            default: .storage
            }
        self.init(code, error.message, cause: error.cause)
        if code == .storage { storageKind = error.kind }
    }

    /// The kind of refusal each code is.
    public var kind: ErrorKind {
        switch code {
        case .notFound: .notFound
        case .ambiguous: .ambiguous
        case .stale: .stale
        case .inUse, .exists, .refused: .conflict
        case .invalid: .invalid
        case .busy: .busy
        default: storageKind ?? .internal
        }
    }

    /// The store's own words, for logs.
    public var underlying: (any Error)? { cause.map(ErrorText.init) }

    /// A stale edit shows both versions; any other refusal its message.
    public var description: String { stale?.description ?? message }
}

/// An edit refused because it was based on an older revision: both versions, so nothing is lost.
public struct StaleEdit: Sendable, Equatable, CustomStringConvertible {
    /// The revision the edit was based on.
    public var basedOn: Int
    /// The stored caption now.
    public var current: Caption
    /// Who made the newest change.
    public var lastAuthor: String?
    /// The values the refused edit would have set.
    public var attempted: CaptionChanges

    public var description: String {
        var lines = [
            "refused: the caption was changed since revision \(basedOn) (now revision \(current.revision)\(lastAuthor.map { " by \($0)" } ?? "")); nothing was saved."
        ]
        for field in CaptionField.allCases {
            guard let yours = attempted.values[field] else { continue }
            lines.append("  \(field.rawValue): stored \(quoted(current.fields[field])), yours \(quoted(yours))")
        }
        lines.append("Edit again from revision \(current.revision) to apply your change.")
        return lines.joined(separator: "\n")
    }

    private func quoted(_ text: String?) -> String { text.map { "\"\($0)\"" } ?? "(empty)" }
}

/// Runs a store call, turning its errors into the desk's.
func stored<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as CatalogError { throw DeskError(error) }
}
