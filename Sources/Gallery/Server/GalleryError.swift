import Catalog
import Desk
import Foundation
import HTTPTypes
import Hummingbird
import Imaging
import Logging
import NIOCore
import PhotoModel

/// A refusal or failure of the gallery: routes throw it rather than build error responses
/// themselves. Its status comes from its kind (`ErrorKind.httpStatus`), as every other error's
/// does. API paths answer JSON (`{"error": "..."}`); pages answer a page made by
/// `ErrorPageMiddleware`.
public struct GalleryError: PhotodeskError, HTTPResponseError {
    public var kind: ErrorKind
    public var message: String
    /// Extra headers (`Retry-After`, `WWW-Authenticate`, `Allow`).
    public var headers: HTTPFields

    /// Makes an error.
    public init(_ kind: ErrorKind, _ message: String, headers: HTTPFields = [:]) {
        self.kind = kind
        self.message = message
        self.headers = headers
    }

    /// The HTTP status of its kind.
    public var status: HTTPResponse.Status { Self.httpStatus(of: kind) }

    static func notFound(_ what: String) -> GalleryError { GalleryError(.notFound, "There is no \(what) here.") }

    /// The HTTP status of a kind of error (`ErrorKind.httpStatus`, the one table).
    static func httpStatus(of kind: ErrorKind) -> HTTPResponse.Status { HTTPResponse.Status(code: kind.httpStatus) }

    /// The body of a publish guard's refusal.
    struct Refusal: Encodable {
        var error: String
        var refusals: [PhotoRefusal]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try GalleryError.response(status: status, message: message, headers: headers, request: request)
    }

    /// The answer to any of Photodesk's errors: its kind's status, its message (or, for a failure
    /// of the server's own, a sentence that gives nothing away: the details are logged), and a
    /// gallery error's headers.
    static func response(to error: any PhotodeskError, request: Request) throws -> Response {
        // The publish guard's refusal lists each photo and its reason for a client to act on.
        if let refused = error as? DeskError, !refused.refusals.isEmpty, request.uri.path.hasPrefix("/api/") {
            return try JSONBody.response(
                Refusal(error: refused.message, refusals: refused.refusals), status: httpStatus(of: error.kind))
        }
        return try response(
            status: httpStatus(of: error.kind), message: shownMessage(error),
            headers: (error as? GalleryError)?.headers ?? [:], request: request)
    }

    /// What a client is told of an error: an internal or unavailable failure says only that
    /// something failed (the details are logged), a picture that could not be processed says
    /// why without the server's file paths, every other kind its message.
    static func shownMessage(_ error: any PhotodeskError) -> String {
        switch error.kind {
        case .internal where !(error is GalleryError): "The catalog failed; the error is logged."
        case .unavailable where !(error is GalleryError):
            "A service the gallery needs did not answer; the error is logged."
        default:
            if let imaging = error as? ImagingError {
                "The picture could not be processed: \(imaging.reason)."
            } else {
                error.message
            }
        }
    }

    /// The error's response: JSON for the API, plain text otherwise (pages get their HTML from
    /// `ErrorPageMiddleware`).
    static func response(status: HTTPResponse.Status, message: String, headers: HTTPFields, request: Request) throws
        -> Response
    {
        var response: Response
        if request.uri.path.hasPrefix("/api/") {
            response = try JSONBody.response(["error": message], status: status)
        } else {
            response = PlainText.response(status, message)
        }
        for field in headers { response.headers[field.name] = field.value }
        return response
    }
}

/// "Sign in first": a browser's request that needs a session it does not have is sent to the
/// login page (303), and comes back afterwards.
struct SignInFirst: PhotodeskError, HTTPResponseError {
    /// The login page, with the way back.
    var location: String
    var kind: ErrorKind { .unauthenticated }
    var message: String { "Sign in first." }
    var status: HTTPResponse.Status { .seeOther }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

/// Turns errors into answers: HTML pages for browsers, JSON for the API; anything unexpected is
/// logged and answered 500 without its details.
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = GalleryContext
    let pages: PageRenderer
    let logger: Logger

    func handle(_ request: Request, context: GalleryContext, next: (Request, GalleryContext) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let redirect as SignInFirst {
            return try redirect.response(from: request, context: context)
        } catch let error as any PhotodeskError {
            let status = GalleryError.httpStatus(of: error.kind)
            if status.code >= 500 { logger.error("\(request.method) \(request.uri.path): \(error)") }
            return try page(
                for: GalleryError.response(to: error, request: request), status: status,
                message: GalleryError.shownMessage(error), request: request, context: context)
        } catch let error as any HTTPResponseError {
            // Hummingbird's own refusals (a body over its limit, a malformed request).
            if error.status.code >= 500 { logger.error("\(request.method) \(request.uri.path): \(error)") }
            return try page(
                for: error.response(from: request, context: context), status: error.status,
                message: (error as? HTTPError)?.body ?? error.status.reasonPhrase, request: request, context: context)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.error("\(request.method) \(request.uri.path): \(String(describing: error))")
            return try GalleryError(.internal, "Something failed on the server; it is logged.")
                .response(from: request, context: context)
        }
    }

    /// The error page for a browser's GET or POST outside the API, with the answer's headers;
    /// the answer itself for anything else.
    func page(
        for response: Response, status: HTTPResponse.Status, message: String, request: Request,
        context: GalleryContext
    ) throws -> Response {
        guard !request.uri.path.hasPrefix("/api/"), request.method == .get || request.method == .post,
            !(response.headers[.contentType]?.hasPrefix("application/json") ?? false)
        else { return response }
        var page = try pages.page(
            "error", title: status.reasonPhrase, ErrorView(status: status.code, message: message),
            context: context, status: status)
        for field in response.headers where field.name != .contentType && field.name != .contentLength {
            page.headers[field.name] = field.value
        }
        return page
    }

    struct ErrorView {
        var status: Int
        var message: String
    }
}
