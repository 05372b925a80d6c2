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
        router.post("/photos/:id/lease") { request, context in try await self.lease(request, context) }
        router.post("/photos/:id/kill") { request, context in try await self.kill(request, context) }
    }

    struct KillLine {
        var id: String
        var at: String
        var by: String
        var reason: String
    }

    struct RefusedArticle {
        var slug: String
        var headline: String
        var status: String
        var reasons: [String]
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
        var kills: [KillLine]
        var hasKills: Bool
        var refused: [RefusedArticle]
        var hasRefused: Bool
        var restricted: Int
        var pay: Int
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
        // The articles the publish guard would refuse at their time (now for drafts).
        var refused: [RefusedArticle] = []
        for summary in try await desk.articles(limit: 200, audience: .editors) {
            let status = ArticleRoutes.status(summary, now: context.now)
            let time = status == "draft" ? context.now : (summary.publishAt ?? context.now)
            let refusals = try await desk.guardRefusals(summary.slug, at: max(time, context.now))
            guard !refusals.isEmpty else { continue }
            refused.append(
                RefusedArticle(
                    slug: summary.slug, headline: summary.headline, status: status,
                    reasons: refusals.map(\.description)))
        }
        let kills = try await desk.kills().map {
            KillLine(id: String($0.sha256.prefix(16)), at: PublicationTime.text($0.at), by: $0.by, reason: $0.reason)
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
                hasArticles: !articles.isEmpty, changes: changes, hasChanges: !changes.isEmpty, kills: kills,
                hasKills: !kills.isEmpty, refused: refused, hasRefused: !refused.isEmpty,
                restricted: try await desk.photoCount(filters: SearchFilters(rights: .restricted), audience: .editors),
                pay: try await desk.photoCount(filters: SearchFilters(rights: .cost("pay")), audience: .editors)),
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

    /// Adds a lease, or revokes one, from the photo page's form.
    func lease(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        try FormAuth.require(request, context, form: form)
        let photo = try await editedPhoto(context)
        let by = context.viewer?.name ?? "desk"
        let note = String((form["note"] ?? "").prefix(2000))
        if let revoke = form["revoke"], !revoke.isEmpty {
            guard let id = Int64(revoke) else {
                throw GalleryError(.invalid, "Which lease? Its number is in the list.")
            }
            try await desk.revokeLease(photo.sha256, id: id, note: note, by: by)
        } else {
            let kind = form["kind"] ?? ""
            guard kind == "allow" || kind == "deny" else {
                throw GalleryError(.invalid, "Choose whether the lease allows or denies the use.")
            }
            try await desk.lease(
                photo.sha256, allow: kind == "allow", from: try Self.time(form["from"], "from"),
                until: try Self.time(form["until"], "until"),
                article: (form["article"] ?? "").trimmingCharacters(in: .whitespaces).isEmpty
                    ? nil : form["article"]?.trimmingCharacters(in: .whitespaces),
                note: note, by: by)
        }
        environment.changed()
        return Redirect.to("/photos/\(photo.shortId)#rights")
    }

    /// Kills or unkills a photo (admins).
    func kill(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        try FormAuth.require(request, context, form: form, role: .admin)
        let photo = try await editedPhoto(context)
        let kill: Bool
        switch form["action"] {
        case "kill": kill = true
        case "unkill": kill = false
        default: throw GalleryError(.invalid, "The form asks for no action: kill or unkill.")
        }
        try await desk.setKilled(
            photo.sha256, kill, reason: String((form["reason"] ?? "").prefix(2000)), by: context.viewer?.name ?? "desk")
        environment.changed()
        return Redirect.to("/photos/\(photo.shortId)#rights")
    }

    func editedPhoto(_ context: GalleryContext) async throws -> Photo {
        let id = try context.parameters.require("id")
        guard let photo = try await desk.photo(shortId: id, for: .editors) else {
            throw GalleryError(.notFound, "No such photo: it may have been removed.")
        }
        return photo
    }

    /// A time from a form: a date-time with its offset, or a date; nil when empty.
    static func time(_ text: String?, _ name: String) throws -> Date? {
        let text = (text ?? "").trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        guard text.utf8.count <= 64 else { throw GalleryError(.invalid, "The \(name) time is not a time.") }
        do { return try PublicationTime.parse(text, name: "the \(name) time") } catch let error as DeskError {
            throw GalleryError(.invalid, error.message)
        }
    }
}
