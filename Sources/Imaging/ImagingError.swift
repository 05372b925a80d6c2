import PhotoModel

/// An error from reading or writing an image, naming the file and the cause.
///
/// Matched by `code`, so that new cases never break callers.
public struct ImagingError: PhotodeskError, Equatable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The file has no bytes.
        public static let empty = Code(name: "empty")
        /// No loader recognises the bytes as an image.
        public static let unsupported = Code(name: "unsupported")
        /// The header says more pixels than the configured limit.
        public static let tooLarge = Code(name: "too-large")
        /// The pixels could not be decoded: truncated or corrupt data.
        public static let corrupt = Code(name: "corrupt")
        /// A file could not be read or written.
        public static let io = Code(name: "io")
        /// libvips refused an operation for another reason.
        public static let operation = Code(name: "operation")
        /// The reason an empty file is refused, wherever it is found empty.
        public static let emptyReason = "empty file (0 bytes): copy it again from the card or camera"

        public var description: String { name }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened and what to do, without the file's path: for reports that already show the
    /// path beside it ("cannot be decoded: the file is truncated (an incomplete copy?)").
    public var reason: String
    /// The file concerned, when there is one.
    public var path: String?
    /// The text libvips gave for this operation alone, when it gave one.
    public var cause: String?
    /// For a failed write: the system's error (`ENOSPC` for a full disk), when it is known.
    public var systemError: Int32?

    /// A sentence a person can act on, naming the file when there is one.
    public var message: String { path.map { "\($0): \(reason)" } ?? reason }

    /// Makes an error; `reason` does not repeat `path`.
    public init(_ code: Code, _ reason: String, path: String? = nil, cause: String? = nil) {
        self.code = code
        self.reason = reason
        self.path = path
        self.cause = cause
    }

    /// The reason an empty file is refused, wherever it is found empty.
    public static let emptyReason = "empty file (0 bytes): copy it again from the card or camera"

    /// The kind of failure each code is: a file the desk cannot take is `unsupported`, `tooLarge`
    /// or `unreadable`; a failed read or write of the disk is `unavailable`.
    public var kind: ErrorKind {
        switch code {
        case .unsupported: .unsupported
        case .tooLarge: .tooLarge
        case .empty, .corrupt: .unreadable
        case .io: systemError.map(WriteFailure.isFull) == true ? .noSpace : .unavailable
        default: .internal
        }
    }

    /// A file that could not be written to `path`, with the system's reason when there is one:
    /// "could not be written to /lib/renditions/ab/...: no space left on device (the library's
    /// disk is full)". `cause` is libvips' text, searched for the system's words when `code` is
    /// not known.
    public static func notWritten(_ path: String, systemError code: Int32?, cause: String? = nil) -> ImagingError {
        let known = code ?? cause.flatMap(WriteFailure.code(in:))
        var error = ImagingError(
            .io, "could not be written to \(path)" + (known.map { ": " + WriteFailure.words($0) } ?? ""), path: path,
            cause: cause)
        error.systemError = known
        return error
    }

    /// libvips' own words for this operation.
    public var underlying: (any Error)? {
        guard let cause, !cause.isEmpty else { return nil }
        return ErrorText("libvips: " + cause)
    }
}
