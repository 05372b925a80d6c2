import Catalog
import Foundation
import Hummingbird

/// Pages about photos: the photo list (and the desk's missing-captions list), one page per
/// photo with its editing form for editors, and the caption history.
struct PhotoRoutes: Sendable {
    let catalog: any CatalogStore
    let pages: PageRenderer
    static let pageSize = 48

    func register(on router: Router<GalleryContext>) {
        router.get("/photos") { request, context in try self.list(request, context) }
        router.get("/photos/:id") { request, context in
            try self.photo(try context.parameters.require("id"), request, context)
        }
        router.post("/photos/:id/caption") { request, context in try await self.saveCaption(request, context) }
        router.get("/photos/:id/history") { request, context in try self.history(request, context) }
        router.post("/photos/:id/revert") { request, context in try await self.revert(request, context) }
    }

    struct ListView {
        var heading: String
        var photos: [Tile]
        var count: Int
        var nextPage: String?
        var emptyText: String
        var empty: Bool
    }

    struct Tile {
        var id: String
        var caption: String
        var width: Int
        var height: Int
        var thumb: String
    }

    func list(_ request: Request, _ context: GalleryContext) throws -> Response {
        let parameters = request.uri.queryParameters
        if let missing = parameters.get("missing") {
            guard SearchQuery.missingFields.contains(missing) else {
                return try pages.page(
                    "not-found", title: "Not found",
                    ["what": "a list of photos missing \(missing) (try caption, headline, byline, credit or copyright)"],
                    context: context, status: .badRequest)
            }
            let page = try catalog.search(
                SearchQuery(missing: missing), limit: Self.pageSize, after: parameters.get("after"))
            let tiles = try self.tiles(page.results)
            return try pages.page(
                "photos", title: "Missing \(missing)",
                ListView(
                    heading: "Photos missing a \(missing)", photos: tiles, count: page.total,
                    nextPage: page.next.map { "/photos?missing=\(missing)&after=\($0)" },
                    emptyText: "Every photo has a \(missing).", empty: tiles.isEmpty),
                context: context)
        }
        let cursor = parameters.get("after").flatMap(AssetCursor.init(token:))
        let summaries = try catalog.assets(limit: Self.pageSize + 1, after: cursor)
        let shown = Array(summaries.prefix(Self.pageSize))
        let next = summaries.count > Self.pageSize ? shown.last.map { "/photos?after=\($0.cursor.token)" } : nil
        return try pages.page(
            "photos", title: "Photos",
            ListView(
                heading: "Photos", photos: try tiles(shown), count: try catalog.assetCount(),
                nextPage: next, emptyText: "No photos yet. Ingest a folder with photodesk ingest DIR.", empty: shown.isEmpty),
            context: context)
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

    /// Grid tiles for search results, which carry their captions already.
    func tiles(_ results: [SearchPage.Result]) throws -> [Tile] {
        try results.map { result in
            let thumb = try catalog.resolve(result.id).flatMap { try catalog.renditions(of: $0.sha256).first }
            return Tile(
                id: result.id, caption: result.caption ?? "Untitled photo", width: thumb?.width ?? 0,
                height: thumb?.height ?? 0, thumb: thumb.map { RenditionRoutes.url(id: result.id, $0) } ?? "")
        }
    }

    /// One field of the caption form.
    struct FieldView {
        var name: String
        var label: String
        var value: String
        var multiline: Bool
    }

    /// One field of a refused (stale) edit: what is stored now and what the editor sent.
    struct ConflictView {
        var field: String
        var stored: String
        var yours: String
    }

    struct EditView {
        var csrf: String
        var revision: Int
        var fields: [FieldView]
        var saved: Int?
        var conflicts: [ConflictView]
        var hasConflicts: Bool
        var lastAuthor: String?
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
        var articles: [AssetDocument.ArticleUse]
        var hasArticles: Bool
        var previous: String?
        var next: String?
        var edit: EditView?
    }

    static let labels: [CaptionField: String] = [
        .caption: "Caption", .headline: "Headline", .byline: "Byline (photographer)", .credit: "Credit",
        .copyright: "Copyright notice", .keywords: "Keywords (comma-separated)", .city: "City",
        .region: "Province or state", .country: "Country", .instructions: "Instructions",
    ]

    func photo(
        _ id: String, _ request: Request, _ context: GalleryContext, stale: StaleEdit? = nil,
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        guard id.count == 16, id.allSatisfy(\.isHexDigit), let asset = try catalog.resolve(id.lowercased()),
            let document = try catalog.document(sha256: asset.sha256)
        else {
            return try pages.page(
                "not-found", title: "Not found", ["what": "photo \(id)"], context: context, status: .notFound)
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
        var edit: EditView?
        if let viewer = context.viewer, let csrf = viewer.csrf {
            let stored = try catalog.caption(of: asset.sha256)
            let current = stored?.fields ?? CaptionFields()
            var shown = current
            if let stale {
                for (field, value) in stale.attempted.values { field.set(value, in: &shown) }
            }
            let conflicts: [ConflictView] = stale.map { stale in
                    CaptionField.allCases.compactMap { field in
                        guard let yours = stale.attempted.values[field] else { return nil }
                        let storedValue = field.value(in: current) ?? ""
                        let yoursValue = yours ?? ""
                        return storedValue == yoursValue
                            ? nil : ConflictView(field: Self.labels[field] ?? field.rawValue, stored: storedValue, yours: yoursValue)
                    }
                } ?? []
            edit = EditView(
                csrf: csrf, revision: stored?.revision ?? 0,
                fields: CaptionField.allCases.map {
                    FieldView(
                        name: $0.rawValue, label: Self.labels[$0] ?? $0.rawValue, value: $0.value(in: shown) ?? "",
                        multiline: $0 == .caption || $0 == .instructions)
                },
                saved: request.uri.queryParameters.get("saved").flatMap { Int($0) },
                conflicts: conflicts, hasConflicts: !conflicts.isEmpty,
                lastAuthor: stale?.lastAuthor)
        }
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
            articles: document.articles, hasArticles: !document.articles.isEmpty,
            previous: neighbours.previous.map { "/photos/\($0.id)" }, next: neighbours.next.map { "/photos/\($0.id)" },
            edit: edit)
        return try pages.page(
            "photo", title: document.caption.map { String($0.prefix(80)) } ?? "Photo \(document.id)", view,
            context: context, status: status,
            structuredData: StructuredData.imageObject(document, base: PublicURL.base(of: request)))
    }

    /// The asset of a `/photos/:id/...` request, or nil.
    func asset(_ context: GalleryContext) throws -> AssetRecord? {
        let id = try context.parameters.require("id")
        guard id.count == 16, id.allSatisfy(\.isHexDigit) else { return nil }
        return try catalog.resolve(id.lowercased())
    }

    func saveCaption(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        if let refusal = FormAuth.refusal(request, context, form: form) { return refusal }
        guard let asset = try asset(context), let viewer = context.viewer else {
            return PlainText.response(.notFound, "No such photo: it may have been removed.")
        }
        var changes = CaptionChanges()
        for field in CaptionField.allCases {
            if let value = form[field.rawValue] { changes.values[field] = .some(value) }
        }
        guard let revision = form["revision"].flatMap({ Int($0) }) else {
            return PlainText.response(.badRequest, "The form has no caption revision: reload the page.")
        }
        do {
            let saved = try catalog.setCaption(
                asset.sha256, changes: changes, basedOn: revision, author: viewer.name, source: "web")
            return Redirect.to("/photos/\(asset.shortId)?saved=\(saved.revision)")
        } catch let stale as StaleEdit {
            // Nothing is lost: the page shows both versions and keeps the editor's text in the form.
            return try photo(asset.shortId, request, context, stale: stale, status: .conflict)
        }
    }

    struct HistoryView {
        struct Change {
            var field: String
            var old: String
            var new: String
        }
        struct Revision {
            var revision: Int
            var author: String
            var at: String
            var source: String
            var changes: [Change]
            var isCurrent: Bool
        }
        var id: String
        var caption: String?
        var revisions: [Revision]
        var empty: Bool
        var csrf: String
    }

    func history(_ request: Request, _ context: GalleryContext) throws -> Response {
        guard context.viewer?.csrf != nil else { return Redirect.to(loginFor: request) }
        guard let asset = try asset(context) else {
            return try pages.page(
                "not-found", title: "Not found", ["what": "that photo"], context: context, status: .notFound)
        }
        let history = try catalog.captionHistory(of: asset.sha256)
        let current = try catalog.caption(of: asset.sha256)
        let formatter = ISO8601DateFormatter()
        var revisions: [HistoryView.Revision] = []
        for change in history {
            let item = HistoryView.Change(
                field: CaptionField(rawValue: change.field).flatMap { Self.labels[$0] } ?? change.field,
                old: change.oldValue ?? "", new: change.newValue ?? "")
            if let last = revisions.last, last.revision == change.revision {
                revisions[revisions.count - 1].changes.append(item)
            } else {
                revisions.append(
                    HistoryView.Revision(
                        revision: change.revision, author: change.author, at: formatter.string(from: change.at),
                        source: change.source, changes: [item], isCurrent: change.revision == current?.revision))
            }
        }
        return try pages.page(
            "history", title: "Caption history",
            HistoryView(
                id: asset.shortId, caption: current?.caption, revisions: revisions.reversed(), empty: revisions.isEmpty,
                csrf: context.viewer?.csrf ?? ""),
            context: context)
    }

    func revert(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        if let refusal = FormAuth.refusal(request, context, form: form) { return refusal }
        guard let asset = try asset(context), let viewer = context.viewer else {
            return PlainText.response(.notFound, "No such photo: it may have been removed.")
        }
        guard let revision = form["revision"].flatMap({ Int($0) }) else {
            return PlainText.response(.badRequest, "The form names no revision to restore: reload the history page.")
        }
        do {
            let saved = try catalog.revertCaption(asset.sha256, to: revision, author: viewer.name)
            return Redirect.to("/photos/\(asset.shortId)?saved=\(saved.revision)")
        } catch let error as CatalogError where error.code == .notFound {
            return try pages.page(
                "not-found", title: "Not found", ["what": error.message], context: context, status: .notFound)
        }
    }
}
