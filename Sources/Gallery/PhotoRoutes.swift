import Catalog
import Foundation
import Hummingbird

/// Reader pages about photos: the home grid and one page per photo.
struct PhotoRoutes: Sendable {
    let catalog: any CatalogStore
    let pages: PageRenderer
    static let pageSize = 48

    func register(on router: Router<BasicRequestContext>) {
        router.get("/photos") { request, _ in try self.list(request, title: "Photos") }
        router.get("/photos/:id") { _, context in
            let id = try context.parameters.require("id")
            return try self.photo(id)
        }
    }

    struct ListView {
        var photos: [Tile]
        var count: Int
        var nextPage: String?
        var empty: Bool { photos.isEmpty }
    }

    struct Tile {
        var id: String
        var caption: String
        var width: Int
        var height: Int
        var thumb: String
    }

    func list(_ request: Request, title: String) throws -> Response {
        let cursor = request.uri.queryParameters.get("after").flatMap(AssetCursor.init(token:))
        let summaries = try catalog.assets(limit: PhotoRoutes.pageSize + 1, after: cursor)
        let shown = Array(summaries.prefix(PhotoRoutes.pageSize))
        let tiles = try self.tiles(shown)
        let next = summaries.count > PhotoRoutes.pageSize ? shown.last.map { "/photos?after=\($0.cursor.token)" } : nil
        return try pages.page(
            "photos", title: title, ListView(photos: tiles, count: try catalog.assetCount(), nextPage: next))
    }

    /// Grid tiles for photos, each with its smallest rendition.
    func tiles(_ summaries: [AssetSummary]) throws -> [Tile] {
        try summaries.map { summary in
            let thumb = try catalog.renditions(of: summary.sha256).first
            return Tile(
                id: summary.id, caption: summary.caption ?? "Untitled photo", width: thumb?.width ?? 0,
                height: thumb?.height ?? 0, thumb: thumb.map { RenditionRoutes.url(id: summary.id, $0) } ?? "")
        }
    }

    struct PhotoView {
        var id: String
        var caption: String?
        var alt: String
        var headline: String?
        var byline: String?
        var credit: String?
        var copyright: String?
        var keywords: String?
        var takenAt: String?
        var camera: String?
        var exposure: String?
        var place: String?
        var coordinates: String?
        var width: Int
        var height: Int
        var large: String?
        var largeWidth: Int
        var largeHeight: Int
        var srcset: String
        var renditions: [AssetDocument.Rendition]
        var articles: [AssetDocument.ArticleUse]
        var hasArticles: Bool
        var previous: String?
        var next: String?
    }

    func photo(_ id: String) throws -> Response {
        guard id.count == 16, id.allSatisfy(\.isHexDigit), let asset = try catalog.resolve(id.lowercased()),
            let document = try catalog.document(sha256: asset.sha256)
        else {
            return try pages.page("not-found", title: "Not found", ["what": "photo \(id)"], status: .notFound)
        }
        let largest = document.renditions.last
        let neighbours = try catalog.neighbours(of: asset.sha256)
        let camera = [document.camera.make, document.camera.model, document.camera.lens].compactMap { $0 }
        let exposure = [
            document.exposure.exposureTime.map { "\($0) s" },
            document.exposure.fNumber.map { String(format: "f/%.1f", $0) },
            document.exposure.iso.map { "ISO \($0)" },
            document.exposure.focalLength.map { String(format: "%.0f mm", $0) },
        ].compactMap { $0 }
        let place = [document.location?.city, document.location?.region, document.location?.country].compactMap { $0 }
        let view = PhotoView(
            id: document.id, caption: document.caption, alt: document.caption ?? "Photo \(document.id)",
            headline: document.headline, byline: document.byline, credit: document.credit,
            copyright: document.copyright,
            keywords: document.keywords.isEmpty ? nil : document.keywords.joined(separator: ", "),
            takenAt: document.takenAt, camera: camera.isEmpty ? nil : camera.joined(separator: " · "),
            exposure: exposure.isEmpty ? nil : exposure.joined(separator: " · "),
            place: place.isEmpty ? nil : place.joined(separator: ", "),
            coordinates: document.gps.map { String(format: "%.5f, %.5f", $0.latitude, $0.longitude) },
            width: document.width, height: document.height,
            large: largest.map { RenditionRoutes.url(id: document.id, $0) },
            largeWidth: largest?.width ?? 0, largeHeight: largest?.height ?? 0,
            srcset: document.renditions.map { "\(RenditionRoutes.url(id: document.id, $0)) \($0.width)w" }.joined(
                separator: ", "),
            renditions: document.renditions, articles: document.articles, hasArticles: !document.articles.isEmpty,
            previous: neighbours.previous.map { "/photos/\($0.id)" }, next: neighbours.next.map { "/photos/\($0.id)" })
        return try pages.page(
            "photo", title: document.caption.map { String($0.prefix(80)) } ?? "Photo \(document.id)", view)
    }
}
