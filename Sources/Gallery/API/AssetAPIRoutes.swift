import Catalog
import Desk
import Foundation
import HTTPTypes
import Hummingbird
import PhotoModel

/// The JSON API, with the field names of the CLI's JSON. Reads are open (readers see what is
/// published); writes need an editor (a bearer token, or a session with its CSRF token in
/// `X-CSRF-Token`).
package struct AssetAPIRoutes: Sendable {
    let environment: GalleryEnvironment
    var desk: Desk { environment.desk }
    /// The largest JSON body a write takes.
    static let maxBody = 256 << 10
    /// The positions a photo may be placed at in an article (the form takes the same).
    static let positions = 1...1_000_000

    init(_ environment: GalleryEnvironment) {
        self.environment = environment
    }

    func register(on group: RouterGroup<GalleryContext>) {
        group.get("/assets") { request, context in try await self.list(request, context) }
        group.get("/assets/:id") { _, context in
            let photo = try await self.photo(context)
            guard
                let document = try await self.desk.document(
                    sha256: photo.sha256, for: self.environment.viewpoint(context))
            else { throw self.notFound(context) }
            return try JSONBody.response(document)
        }
        group.get("/assets/:id/caption") { _, context in
            try await self.caption(try await self.photo(context), context)
        }
        group.patch("/assets/:id/caption") { request, context in try await self.patchCaption(request, context) }
        group.get("/assets/:id/history") { request, context in
            try APIAuth.require(request, context)
            let photo = try await self.photo(context)
            return try JSONBody.response(["revisions": try await self.desk.history(of: photo.sha256)])
        }
        group.post("/assets/:id/revert") { request, context in try await self.revert(request, context) }
        group.get("/search") { request, context in try await self.search(request, context) }
        group.get("/articles") { request, context in
            let limit =
                try Parse.integer(
                    request.uri.queryParameters.get("limit"), name: "limit", in: 1...200, emptyIsAbsent: false) ?? 200
            let articles = try await self.desk.articles(limit: limit, audience: context.audience)
            return try JSONBody.response(["articles": articles.map { ArticleListItem($0, now: context.now) }])
        }
        group.get("/articles/:slug") { _, context in
            let slug = try context.parameters.require("slug")
            guard let (article, _) = try await self.desk.article(slug: slug, audience: context.audience) else {
                throw GalleryError(.notFound, "no article \(slug.prefix(200))")
            }
            return try JSONBody.response(article)
        }
        group.post("/articles/:slug/photos") { request, context in try await self.link(request, context) }
        group.delete("/articles/:slug/photos/:id") { request, context in try await self.unlink(request, context) }
    }

    /// An article in the list, with its state for people.
    struct ArticleListItem: Encodable {
        var slug: String
        var headline: String
        var published: String?
        var status: String
        var publishAt: Date?
        var photos: Int
        var cover: String?

        init(_ summary: ArticleSummary, now: Date) {
            slug = summary.slug
            headline = summary.headline
            published = summary.published
            status = ArticleRoutes.status(summary, now: now)
            publishAt = summary.publishAt
            photos = summary.photos
            cover = summary.cover.map { String($0.prefix(16)) }
        }
    }

    struct AssetPage: Encodable {
        struct Item: Encodable {
            var id: String
            var sha256: String
            var width: Int
            var height: Int
            var takenAt: String?
            var caption: String?
            var byline: String?
            var createdAt: Date
        }
        var assets: [Item]
        var next: String?
    }

    func list(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let limit = try Parse.integer(parameters.get("limit"), name: "limit", in: 1...200, emptyIsAbsent: false) ?? 50
        let page = try await desk.photos(limit: limit, after: parameters.get("after"), audience: context.audience)
        return try JSONBody.response(
            AssetPage(
                assets: page.photos.map {
                    .init(
                        id: $0.shortId, sha256: $0.sha256, width: $0.width, height: $0.height, takenAt: $0.takenAt,
                        caption: $0.caption.caption, byline: $0.caption.byline, createdAt: $0.createdAt)
                }, next: page.next))
    }

    /// An asset's caption fields with the revision an edit must be based on (readers see only
    /// the public fields).
    struct CaptionBody: Encodable {
        var id: String
        var revision: Int
        var fields: CaptionFields

        enum CodingKeys: String, CodingKey { case id, revision }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(revision, forKey: .revision)
            try fields.encode(to: encoder)
        }
    }

    func photo(_ context: GalleryContext) async throws -> Photo {
        let id = try context.parameters.require("id")
        guard (4...64).contains(id.utf8.count), id.allSatisfy(\.isHexDigit),
            let photo = try await desk.findPhoto(id), context.audience.sees(publicFrom: photo.publicFrom)
        else { throw notFound(context) }
        return photo
    }

    func notFound(_ context: GalleryContext) -> GalleryError {
        GalleryError(.notFound, "no photo \((context.parameters.get("id") ?? "").prefix(64))")
    }

    func caption(_ photo: Photo, _ context: GalleryContext, status: HTTPResponse.Status = .ok) async throws -> Response
    {
        let stored = try await desk.caption(of: photo.sha256)
        var response = try JSONBody.response(
            CaptionBody(
                id: photo.shortId, revision: stored.revision,
                fields: context.viewer == nil ? stored.fields.publicOnly : stored.fields), status: status)
        response.headers[.eTag] = "\"\(stored.revision)\""
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    /// `If-Match`: `*` (any revision), or one revision as `"3"`, `3` or `W/"3"`; nil when it names
    /// no revision (an empty or malformed value matches nothing).
    package static func revision(ifMatch: String) -> Int?? {
        var text = ifMatch.trimmingCharacters(in: .whitespaces)
        if text == "*" { return .some(nil) }
        if text.hasPrefix("W/") { text.removeFirst(2) }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ (48...57).contains($0) }),
            let number = Int(text)
        else { return nil }
        return .some(number)
    }

    struct StaleBody: Encodable {
        var error: String
        var current: CaptionBody
        var lastAuthor: String?
    }

    func patchCaption(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let viewer = try APIAuth.require(request, context)
        let photo = try await photo(context)
        // Missing, or naming no revision (empty, malformed): 428, the precondition is required.
        guard let ifMatch = request.headers[.ifMatch], let basedOn = Self.revision(ifMatch: ifMatch) else {
            let stored = try await desk.caption(of: photo.sha256)
            return try JSONBody.response(
                StaleBody(
                    error:
                        "send If-Match with the caption revision the edit is based on (the ETag of GET .../caption, such as \"3\"), or * for any",
                    current: CaptionBody(id: photo.shortId, revision: stored.revision, fields: stored.fields)),
                status: .preconditionRequired)
        }
        let body = try await Body.collect(request, limit: Self.maxBody)
        let changes: CaptionChanges
        do {
            changes = try JSONDecoder().decode(CaptionChanges.self, from: body)
        } catch {
            throw GalleryError(
                .invalid, "the body must be a JSON object of caption fields: \(JSONProblem.describe(error))")
        }
        guard !changes.isEmpty else { throw GalleryError(.invalid, "the body names no caption field") }
        let stored = try await desk.caption(of: photo.sha256)
        do {
            try await desk.setCaption(
                photo.sha256, changes: changes, basedOn: basedOn, author: viewer.name, source: "api")
            environment.changed()
            return try await caption(photo, context)
        } catch let error as DeskError where error.code == .stale {
            return try stale(
                photo, error.stale?.current ?? stored, basedOn: basedOn, lastAuthor: error.stale?.lastAuthor)
        }
    }

    func stale(_ photo: Photo, _ current: Caption, basedOn: Int??, lastAuthor: String?) throws -> Response {
        let said = (basedOn ?? nil).map { "revision \($0)" } ?? "the If-Match given"
        var response = try JSONBody.response(
            StaleBody(
                error: "the caption is at revision \(current.revision), not \(said); nothing was saved",
                current: CaptionBody(id: photo.shortId, revision: current.revision, fields: current.fields),
                lastAuthor: lastAuthor),
            status: .preconditionFailed)
        response.headers[.eTag] = "\"\(current.revision)\""
        return response
    }

    /// The body of `POST .../revert`.
    package struct RevertBody: Decodable {
        /// The revision to restore.
        package var revision: Int
    }

    func revert(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let viewer = try APIAuth.require(request, context)
        let photo = try await photo(context)
        let body = try await Body.collect(request, limit: 16 << 10)
        guard let revert = try? JSONDecoder().decode(RevertBody.self, from: body), revert.revision >= 1 else {
            throw GalleryError(.invalid, "send {\"revision\": N}, N a revision of the caption's history")
        }
        try await desk.revert(photo.sha256, to: revert.revision, author: viewer.name)
        environment.changed()
        return try await caption(photo, context)
    }

    func search(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let parameters = FormBody(request.uri.query ?? "")
        let query = try SearchRoutes.query(parameters)
        let limit = try Parse.integer(parameters["limit"], name: "limit", in: 1...200, emptyIsAbsent: false) ?? 20
        return JSONBody.response(
            bytes: SearchPageJSON.encode(
                try await desk.search(query, limit: limit, after: parameters["after"], audience: context.audience)))
    }

    /// The body of `POST /api/v1/articles/<slug>/photos`.
    package struct LinkBody: Decodable {
        /// Photo ids or hash prefixes, placed in this order.
        package var photos: [String]
        /// 1-based; the end when absent.
        package var position: Int?
        /// The caption as used in the article.
        package var caption: String?
    }

    func link(_ request: Request, _ context: GalleryContext) async throws -> Response {
        try APIAuth.require(request, context)
        let slug = try context.parameters.require("slug")
        let body = try await Body.collect(request, limit: Self.maxBody)
        let link: LinkBody
        do { link = try JSONDecoder().decode(LinkBody.self, from: body) } catch {
            throw GalleryError(
                .invalid,
                "send {\"photos\": [ID, ...], \"position\": N, \"caption\": TEXT}: \(JSONProblem.describe(error))")
        }
        guard (1...500).contains(link.photos.count) else {
            throw GalleryError(.invalid, "photos must list 1 to 500 photo ids")
        }
        if let position = link.position, !Self.positions.contains(position) {
            throw GalleryError(
                .invalid, "position must be from \(Self.positions.lowerBound) to \(Self.positions.upperBound)")
        }
        var hashes: [String] = []
        for reference in link.photos {
            guard (4...64).contains(reference.utf8.count), reference.allSatisfy(\.isHexDigit),
                let photo = try await desk.findPhoto(reference)
            else { throw GalleryError(.notFound, "no photo \(reference.prefix(64))") }
            hashes.append(photo.sha256)
        }
        try await desk.link(slug, photos: hashes, position: link.position, caption: link.caption)
        environment.changed()
        return try JSONBody.response(try await desk.article(slug: slug, audience: .editors)?.0)
    }

    func unlink(_ request: Request, _ context: GalleryContext) async throws -> Response {
        try APIAuth.require(request, context)
        let slug = try context.parameters.require("slug")
        let photo = try await photo(context)
        try await desk.unlink(slug, photo: photo.sha256)
        environment.changed()
        return try JSONBody.response(try await desk.article(slug: slug, audience: .editors)?.0)
    }
}

/// What is wrong with a JSON body, in a sentence.
enum JSONProblem {
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): context.debugDescription
        case DecodingError.keyNotFound(let key, _): "\(key.stringValue) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        default: "it is not valid JSON"
        }
    }
}
