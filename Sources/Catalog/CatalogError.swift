import PhotoModel

/// An error from a catalog store: what went wrong, with the underlying cause.
public struct CatalogError: PhotodeskError {
    /// What kind of failure this is; new codes never break callers that match on others.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The catalog cannot be opened, reached or migrated.
        public static let open = Code(name: "open")
        /// A row the write names is not there (an article, a photo, a user).
        public static let notFound = Code(name: "not-found")
        /// A compare-and-set failed: the row changed since it was read. Read again and retry.
        public static let conflict = Code(name: "conflict")
        /// The photo is used by articles and the write asked for an unused one.
        public static let inUse = Code(name: "in-use")
        /// A unique name is already taken.
        public static let exists = Code(name: "exists")
        /// A query or write failed in the database.
        public static let database = Code(name: "database")
        /// The database's disk has no room for the write (nothing of it was saved).
        public static let noSpace = Code(name: "no-space")
        /// This backend does not offer the operation (the job queue on SQLite).
        public static let unsupported = Code(name: "unsupported")

        public var description: String { name }
    }

    public var code: Code
    public var message: String
    /// The database's own words, for logs.
    public var cause: String?

    /// Makes an error.
    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The kind of failure each code is.
    public var kind: ErrorKind {
        switch code {
        case .notFound: .notFound
        case .conflict: .busy
        case .inUse, .exists: .conflict
        case .open: .unavailable
        case .unsupported: .unsupported
        case .noSpace: .noSpace
        default: .internal
        }
    }

    /// The database's own words.
    public var underlying: (any Error)? { cause.map(ErrorText.init) }
}
