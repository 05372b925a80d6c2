import PhotoModel

/// An error that stops an ingest before it starts (a bad pipeline, a missing folder).
public struct IngestError: PhotodeskError {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable {
        let name: String
        /// The command was given something it cannot use; exit status 2.
        public static let usage = Code(name: "usage")
        /// Another ingest holds the library.
        public static let busy = Code(name: "busy")
    }

    public var code: Code
    public var message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A usage error is `invalid` (exit status 2, HTTP 400); another ingest holding the library is `busy`.
    public var kind: ErrorKind { code == .usage ? .invalid : .busy }
}
