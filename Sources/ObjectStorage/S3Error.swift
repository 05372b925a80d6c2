import Foundation
import PhotoModel

/// Why an object could not be stored, read or listed: what was asked, of which key, and the
/// service's own words (its status, error code and message).
public struct S3Error: PhotodeskError, Sendable, CustomStringConvertible {
    public enum Cause: String, Sendable {
        /// A location or an argument that cannot be used.
        case invalid
        /// No such object (or bucket).
        case notFound
        /// The credentials were refused, or the bucket's policy forbids it (401, 403).
        case denied
        /// The bucket is full: a quota, or the server's disk (S3's QuotaExceeded, 507).
        case full
        /// The service failed or was too busy, after the retries (5xx, 429, SlowDown).
        case unavailable
        /// The service could not be reached, or did not answer in time.
        case unreachable
        /// Any other refusal (4xx), or an answer that could not be read.
        case refused
    }

    public var cause: Cause
    public var message: String
    /// The HTTP status and S3's error code, when the service answered.
    public var status: Int?
    public var code: String?

    public init(_ cause: Cause, _ message: String, status: Int? = nil, code: String? = nil) {
        self.cause = cause
        self.message = message
        self.status = status
        self.code = code
    }

    public var description: String { message }

    /// A full bucket is the bucket's want of room, not the library's disk.
    public var fullPlace: String? { cause == .full ? "the bucket" : nil }

    /// The project's error kind: a full bucket is no space (507), refused credentials forbidden,
    /// a missing object not found, a service that fails or cannot be reached unavailable.
    public var kind: ErrorKind {
        switch cause {
        case .invalid: .invalid
        case .notFound: .notFound
        case .denied: .forbidden
        case .full: .noSpace
        case .unavailable, .unreachable, .refused: .unavailable
        }
    }

    /// The kind of an error answer, by its status and S3's code.
    static func cause(status: Int, code: String?) -> Cause {
        if status == 507 || code == "QuotaExceeded" || code == "QuotaExceededException" { return .full }
        if code == "SlowDown" { return .unavailable }
        if ["NoSuchKey", "NoSuchBucket", "NoSuchUpload"].contains(code ?? "") { return .notFound }
        switch status {
        case 404: return .notFound
        case 401, 403: return .denied
        case 429, 500...599: return .unavailable
        default: return .refused
        }
    }
}
