import Catalog
import Desk
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A refusal or failure of the gallery, with its HTTP status: routes throw it rather than
/// build error responses themselves. API paths answer JSON (`{"error": "..."}`); pages answer a
/// page made by `ErrorPageMiddleware`.
public struct GalleryError: HTTPResponseError, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    /// Extra headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields

    /// Makes an error.
    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String { message }

    static func notFound(_ what: String) -> GalleryError { GalleryError(.notFound, "There is no \(what) here.") }
    static func badRequest(_ message: String) -> GalleryError { GalleryError(.badRequest, message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try GalleryError.response(status: status, message: message, headers: headers, request: request)
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

extension DeskError: ResponseGenerator {}
extension DeskError: HTTPResponseError {
    /// The desk's refusals as HTTP statuses, in one place.
    public var status: HTTPResponse.Status {
        switch code {
        case .notFound: .notFound
        case .ambiguous, .invalid: .badRequest
        case .stale: .preconditionFailed
        case .inUse, .exists: .conflict
        case .busy: .serviceUnavailable
        default: .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let shown = status == .internalServerError ? "The catalog failed; the error is logged." : message
        return try GalleryError.response(status: status, message: shown, headers: [:], request: request)
    }
}

extension CatalogError: ResponseGenerator {}
extension CatalogError: HTTPResponseError {
    /// A store's errors met outside the desk (accounts), as HTTP statuses.
    public var status: HTTPResponse.Status {
        switch code {
        case .notFound: .notFound
        case .exists, .conflict, .inUse: .conflict
        default: .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let shown = status == .internalServerError ? "The catalog failed; the error is logged." : message
        return try GalleryError.response(status: status, message: shown, headers: [:], request: request)
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
        } catch let error as any HTTPResponseError {
            if error.status.code >= 500 {
                logger.error("\(request.method) \(request.uri.path): \(String(describing: error))")
            }
            var response = try error.response(from: request, context: context)
            guard !request.uri.path.hasPrefix("/api/"), request.method == .get || request.method == .post,
                !(response.headers[.contentType]?.hasPrefix("application/json") ?? false)
            else { return response }
            let message = Self.message(error, response: response)
            var page = try pages.page(
                "error", title: error.status.reasonPhrase, ErrorView(status: error.status.code, message: message),
                context: context, status: error.status)
            for field in response.headers where field.name != .contentType && field.name != .contentLength {
                page.headers[field.name] = field.value
            }
            response = page
            return response
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.error("\(request.method) \(request.uri.path): \(String(describing: error))")
            return try GalleryError(.internalServerError, "Something failed on the server; it is logged.")
                .response(from: request, context: context)
        }
    }

    static func message(_ error: any HTTPResponseError, response: Response) -> String {
        switch error {
        case let error as GalleryError: error.message
        case let error as DeskError: error.status == .internalServerError ? "The catalog failed." : error.message
        case let error as CatalogError: error.status == .internalServerError ? "The catalog failed." : error.message
        case let error as HTTPError: error.body ?? error.status.reasonPhrase
        default: error.status.reasonPhrase
        }
    }

    struct ErrorView {
        var status: Int
        var message: String
    }
}
