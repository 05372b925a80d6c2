import Catalog
import Desk
import Foundation
import Hummingbird
import PhotoModel

/// The editors' front page, `/desk`: what waits for a caption, credit or byline, the latest
/// photos, the scheduled and draft articles with their times, and what changed since the
/// editor's last visit.
struct DeskRoutes: Sendable {
    let environment: GalleryEnvironment
    var desk: Desk { environment.desk }

    init(_ environment: GalleryEnvironment) {
        self.environment = environment
    }

    func register(on router: Router<GalleryContext>) {
        router.get("/desk") { request, context in try await self.front(request, context) }
        router.post("/photos/:id/publish") { request, context in try await self.publishPhoto(request, context) }
    }

    struct Waiting {
        var field: String
        var count: Int
        var photos: [PhotoRoutes.Tile]
        var link: String
    }

    struct ArticleLine {
        var slug: String
        var headline: String
        var status: String
        var when: String?
        var photos: Int
    }

    struct Change {
        var id: String
        var field: String
        var value: String
        var author: String
        var at: String
    }

    struct FrontView {
        var viewer: String
        var since: String?
        var waiting: [Waiting]
        var latest: [PhotoRoutes.Tile]
        var articles: [ArticleLine]
        var hasArticles: Bool
        var changes: [Change]
        var hasChanges: Bool
    }

    func front(_ request: Request, _ context: GalleryContext) async throws -> Response {
        guard let viewer = context.viewer, let session = viewer.sessionHash else {
            throw Redirect.toLogin(from: request)
        }
        var waiting: [Waiting] = []
        for field in CaptionField.allCases where field.isExpected {
            let filters = SearchFilters(missing: field)
            let page = try await desk.photos(filters: filters, limit: 6, after: nil, audience: .editors)
            waiting.append(
                Waiting(
                    field: field.rawValue, count: try await desk.photoCount(filters: filters, audience: .editors),
                    photos: PhotoRoutes.tiles(page.photos, marking: context.now),
                    link: "/photos?missing=\(field.rawValue)"))
        }
        let latest = try await desk.photos(limit: 12, after: nil, audience: .editors).photos
        let articles = try await desk.articles(limit: 200, audience: .editors).compactMap { summary -> ArticleLine? in
            let status = ArticleRoutes.status(summary, now: context.now)
            guard status != "published" else { return nil }
            return ArticleLine(
                slug: summary.slug, headline: summary.headline, status: status,
                when: summary.publishAt.map { PublicationTime.text($0) }, photos: summary.photos)
        }
        let since = viewer.lastDeskVisit ?? context.now.addingTimeInterval(-86_400)
        let changes = try await desk.recentChanges(since: since, limit: 50).map {
            Change(
                id: String($0.sha256.prefix(16)), field: CaptionField(rawValue: $0.field)?.label ?? $0.field,
                value: $0.newValue ?? "(cleared)", author: $0.author, at: ISO8601DateFormatter().string(from: $0.at))
        }
        let response = try environment.pages.page(
            "desk", title: "Desk",
            FrontView(
                viewer: viewer.name, since: viewer.lastDeskVisit.map { ISO8601DateFormatter().string(from: $0) },
                waiting: waiting, latest: PhotoRoutes.tiles(latest, marking: context.now), articles: articles,
                hasArticles: !articles.isEmpty, changes: changes, hasChanges: !changes.isEmpty),
            context: context)
        try await desk.accounts.markDeskVisit(hash: session)
        return response
    }

    func publishPhoto(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        try FormAuth.require(request, context, form: form)
        let id = try context.parameters.require("id")
        guard let photo = try await desk.photo(shortId: id, for: .editors) else {
            throw GalleryError(.notFound, "No such photo: it may have been removed.")
        }
        switch form["action"] {
        case "publish": try await desk.setPublished(photo.sha256, true, at: context.now)
        case "unpublish": try await desk.setPublished(photo.sha256, false)
        default: throw GalleryError(.invalid, "The form asks for no action: publish or unpublish.")
        }
        environment.changed()
        return Redirect.to("/photos/\(photo.shortId)")
    }
}
