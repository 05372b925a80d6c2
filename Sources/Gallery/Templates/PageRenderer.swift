import Foundation
import Hummingbird
import Mustache

/// Renders pages from the Mustache templates in `Assets/templates` (HTML-escaped by default).
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init(folder: String) async throws {
        guard FileManager.default.fileExists(atPath: folder + "/layout.mustache") else {
            throw GalleryError(
                .internal, "no templates in \(folder) (set PHOTODESK_HOME to the project folder)")
        }
        library = try await MustacheLibrary(directory: folder)
    }

    /// A page as an HTML response; `template` is the file name without `.mustache`.
    /// `structuredData` is schema.org JSON-LD for the page's head.
    func page(
        _ template: String, title: String, _ object: Any, context: GalleryContext, status: HTTPResponse.Status = .ok,
        structuredData: String? = nil
    ) throws -> Response {
        guard let body = library.render(object, withTemplate: template) else {
            throw GalleryError(.internal, "template \(template) is missing")
        }
        let layout = LayoutView(
            title: title, body: body, viewer: context.viewer?.name, csrf: context.viewer?.csrf,
            isAdmin: context.isAdmin, structuredData: structuredData)
        guard let html = library.render(layout, withTemplate: "layout") else {
            throw GalleryError(.internal, "template layout is missing")
        }
        let buffer = ByteBuffer(string: html)
        ResponseCapture.note(buffer)
        // Editors' pages carry their session's token: never kept by a shared cache.
        let cacheControl = context.viewer == nil ? "no-cache" : "private, no-store"
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: cacheControl],
            body: .init(byteBuffer: buffer))
    }

    /// Any other text made from a template (feeds), with its content type.
    func text(_ template: String, _ object: Any, contentType: String) throws -> Response {
        guard let text = library.render(object, withTemplate: template) else {
            throw GalleryError(.internal, "template \(template) is missing")
        }
        let buffer = ByteBuffer(string: text)
        ResponseCapture.note(buffer)
        return Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: buffer))
    }

    struct LayoutView {
        var title: String
        var body: String
        var viewer: String?
        var csrf: String?
        var isAdmin: Bool
        var structuredData: String?
    }
}

/// A short plain-text answer (refusals, errors) for people at a browser.
enum PlainText {
    static func response(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}

/// JSON responses with stable key order.
enum JSONBody {
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return response(bytes: try encoder.encode(value), status: status)
    }

    /// JSON already written.
    static func response<Bytes: Sequence<UInt8>>(bytes: Bytes, status: HTTPResponse.Status = .ok) -> Response {
        let buffer = ByteBuffer(bytes: bytes)
        ResponseCapture.note(buffer)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: buffer))
    }
}
