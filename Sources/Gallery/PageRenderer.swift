import Foundation
import Hummingbird
import Mustache

/// Renders pages from the Mustache templates in `Assets/templates` (HTML-escaped by default).
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init(folder: String) async throws {
        guard FileManager.default.fileExists(atPath: folder + "/layout.mustache") else {
            throw GalleryError(message: "no templates in \(folder) (set PHOTODESK_ASSETS to the Assets folder)")
        }
        library = try await MustacheLibrary(directory: folder)
    }

    /// A page as an HTML response; `template` is the file name without `.mustache`.
    func page(_ template: String, title: String, _ object: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let body = library.render(object, withTemplate: template) else {
            throw GalleryError(message: "template \(template) is missing")
        }
        let layout = LayoutView(title: title, body: body)
        guard let html = library.render(layout, withTemplate: "layout") else {
            throw GalleryError(message: "template layout is missing")
        }
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    struct LayoutView {
        var title: String
        var body: String
    }
}

/// A configuration problem of the gallery (templates missing, say).
public struct GalleryError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
