import Foundation
import Hummingbird
import Mustache

/// Renders pages from the Mustache templates in `Assets/templates` (HTML-escaped by default).
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init(folder: String) async throws {
        guard FileManager.default.fileExists(atPath: folder + "/layout.mustache") else {
            throw GalleryError(message: "no templates in \(folder) (set PHOTODESK_HOME to the project folder)")
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
            throw GalleryError(message: "template \(template) is missing")
        }
        let layout = LayoutView(
            title: title, body: body, viewer: context.viewer?.name, csrf: context.viewer?.csrf,
            isAdmin: context.isAdmin, structuredData: structuredData)
        guard let html = library.render(layout, withTemplate: "layout") else {
            throw GalleryError(message: "template layout is missing")
        }
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Any other text made from a template (feeds), with its content type.
    func text(_ template: String, _ object: Any, contentType: String) throws -> Response {
        guard let text = library.render(object, withTemplate: template) else {
            throw GalleryError(message: "template \(template) is missing")
        }
        return Response(
            status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
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
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}

/// A configuration problem of the gallery (templates missing, say).
public struct GalleryError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
