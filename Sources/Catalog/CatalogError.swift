/// An error from the catalog: what went wrong, with the underlying cause.
public struct CatalogError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable {
        let name: String
        /// The catalog file cannot be opened or migrated.
        public static let open = Code(name: "open")
        /// A reference matches no asset.
        public static let notFound = Code(name: "not-found")
        /// A reference matches several assets.
        public static let ambiguous = Code(name: "ambiguous")
        /// An edit was based on an older revision than the stored one.
        public static let stale = Code(name: "stale")
        /// The photo is used by articles and may not be removed without force.
        public static let inUse = Code(name: "in-use")
        /// A name is already taken.
        public static let exists = Code(name: "exists")
        /// A query or write failed.
        public static let database = Code(name: "database")
    }

    public var code: Code
    public var message: String
    public var cause: String?

    /// Makes an error.
    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message) (\(cause))"
    }
}
