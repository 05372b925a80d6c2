/// What kind of failure an error is. The command line's exit status and the gallery's HTTP status
/// are both decided from it, each by one table (`exitStatus`, `httpStatus`), so an error type
/// says what went wrong once and every surface answers it the same way.
public enum ErrorKind: String, Sendable, CaseIterable, Codable {
    /// What was given cannot be used as it is: an argument, a form field, a header, a template.
    case invalid
    /// Nothing matches what was named.
    case notFound
    /// What was named matches several things.
    case ambiguous
    /// The name is taken, or the thing is in use: the request conflicts with what is stored.
    case conflict
    /// An edit was based on an older revision than the stored one; nothing was saved.
    case stale
    /// A write must say which revision it is based on, and this one did not.
    case preconditionRequired
    /// No one is signed in, or the credentials are not valid.
    case unauthenticated
    /// Signed in, but not allowed to do this.
    case forbidden
    /// Too many attempts: wait before trying again.
    case throttled
    /// Too large: a body, a file, a picture's pixels.
    case tooLarge
    /// A kind of file or request the desk does not take.
    case unsupported
    /// This is not done here: a request method an address does not take.
    case notAllowed
    /// A byte range or a position outside what exists.
    case outOfRange
    /// A file that cannot be read as what it claims to be (truncated, corrupt, hostile).
    case unreadable
    /// Other writers kept changing the same thing, or too many requests wait: try again.
    case busy
    /// The disk or the bucket has no room for what was to be written.
    case noSpace
    /// A service the desk needs (the catalog's server, a file system) did not answer.
    case unavailable
    /// Something failed that should not have: the details are logged.
    case `internal`

    /// The command line's exit status: 2 when the command was given something it cannot use
    /// (as the argument parser's own usage errors), 1 for every other failure, an ambiguous id
    /// among them (the id is well formed; the catalog holds several matches).
    public var exitStatus: Int32 {
        switch self {
        case .invalid: 2
        default: 1
        }
    }

    /// The HTTP status the gallery answers with.
    public var httpStatus: Int {
        switch self {
        case .invalid, .ambiguous: 400
        case .unauthenticated: 401
        case .forbidden: 403
        case .notFound: 404
        case .notAllowed: 405
        case .conflict: 409
        case .stale: 412
        case .tooLarge: 413
        case .unsupported: 415
        case .outOfRange: 416
        case .unreadable: 422
        case .preconditionRequired: 428
        case .throttled: 429
        case .internal: 500
        case .busy, .unavailable: 503
        case .noSpace: 507
        }
    }
}

/// An error of Photodesk's: a kind, a message that names what failed and why in words a person
/// can act on, and the error underneath it when there is one (for logs). Every error type of the
/// project conforms, so the command line and the gallery map all of them through `ErrorKind`.
public protocol PhotodeskError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    var kind: ErrorKind { get }
    /// What failed, on what, and why.
    var message: String { get }
    /// The error this one reports, if any.
    var underlying: (any Error)? { get }
    /// For a `noSpace` error, what is full ("the bucket"); nil: the library's disk.
    var fullPlace: String? { get }
}

extension PhotodeskError {
    /// None by default.
    public var underlying: (any Error)? { nil }
    /// The library's disk by default.
    public var fullPlace: String? { nil }

    /// The message, then the underlying error's own words in brackets when they add something.
    public var description: String {
        guard let underlying else { return message }
        let cause = String(describing: underlying)
        return cause.isEmpty || message.contains(cause) ? message : "\(message) (\(cause))"
    }
}

/// An underlying error that is only a text: a database's or a library's own words.
public struct ErrorText: Error, CustomStringConvertible, Sendable, Equatable {
    /// The words.
    public var description: String

    /// Wraps a text.
    public init(_ description: String) {
        self.description = description
    }
}
