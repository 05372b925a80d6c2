import HTTPTypes
import Hummingbird

/// Adds the security headers every response carries: no inline script, no framing, no sniffing.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = GalleryContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            // Errors (404 for an unknown route, say) get the headers too.
            response = try error.response(from: request, context: context)
        }
        Self.add(to: &response.headers)
        return response
    }

    /// Sets the security headers on a response's fields (the rendition fast path's too).
    static func add(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] =
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "strict-origin-when-cross-origin"
        headers[.xFrameOptions] = "DENY"
    }
}

extension HTTPField.Name {
    static let referrerPolicy = constant("Referrer-Policy")
    static let xFrameOptions = constant("X-Frame-Options")

    /// A header name written in the source: valid by construction (a token of letters and `-`).
    static func constant(_ name: String) -> Self {
        guard let field = Self(name) else { preconditionFailure("\(name) is not a header field name") }
        return field
    }
}
