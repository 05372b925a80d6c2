import Catalog
import Desk
import Foundation
import Hummingbird
import PhotoModel

/// The rights part of the JSON API, for editors: a photo's rights, its leases, kills (admins),
/// the list of kills, and publishing an article through the publish guard (a refusal is a 409
/// with each photo and its reason in `refusals`).
struct RightsAPIRoutes: Sendable {
    let environment: GalleryEnvironment
    var desk: Desk { environment.desk }
    var assets: AssetAPIRoutes { AssetAPIRoutes(environment) }

    func register(on group: RouterGroup<GalleryContext>) {
        group.get("/assets/:id/rights") { request, context in
            try APIAuth.require(request, context)
            let photo = try await assets.photo(context)
            return try JSONBody.response(try await desk.rights(of: photo.sha256))
        }
        group.post("/assets/:id/leases") { request, context in try await self.lease(request, context) }
        group.post("/assets/:id/leases/:lease/revoke") { request, context in try await self.revoke(request, context) }
        group.post("/assets/:id/kill") { request, context in try await self.kill(request, context, true) }
        group.post("/assets/:id/unkill") { request, context in try await self.kill(request, context, false) }
        group.get("/kills") { request, context in
            try APIAuth.require(request, context)
            let kills = try await desk.kills()
            return try JSONBody.response([
                "kills": kills.map {
                    KillItem(id: String($0.sha256.prefix(16)), at: $0.at, by: $0.by, reason: $0.reason)
                }
            ])
        }
        group.post("/articles/:slug/publish") { request, context in try await self.publish(request, context) }
        // IPTC ninjs 3.1: readers get what they may see; editors (with a token) drafts too.
        group.get("/ninjs/photos/:id") { request, context in
            let photo = try await assets.photo(context)
            guard
                let item = try await desk.ninjs(
                    photo: photo.sha256, for: environment.viewpoint(context),
                    base: environment.base(request, context))
            else { throw assets.notFound(context) }
            return try JSONBody.response(item)
        }
        group.get("/ninjs/articles/:slug") { request, context in
            let slug = try context.parameters.require("slug")
            guard
                let item = try await desk.ninjs(
                    article: slug, audience: context.audience, base: environment.base(request, context))
            else { throw GalleryError(.notFound, "no article \(slug.prefix(200))") }
            return try JSONBody.response(item)
        }
    }

    struct KillItem: Encodable {
        var id: String
        var at: Date
        var by: String
        var reason: String
    }

    /// The body of `POST /api/v1/assets/<id>/leases`.
    struct LeaseBody: Decodable {
        /// True for an allowing lease, false for a denying one.
        var allow: Bool
        var from: String?
        var until: String?
        var article: String?
        var note: String
    }

    /// The body of a revocation, a kill or an unkill.
    struct ReasonBody: Decodable {
        var note: String?
        var reason: String?
    }

    /// The body of `POST /api/v1/articles/<slug>/publish`.
    struct PublishBody: Decodable {
        /// When it becomes public (a date-time with its offset, or a date); now when absent.
        var at: String?
        /// An admin's reason to publish although the guard refuses photos.
        var override: String?
    }

    func decode<T: Decodable>(_ type: T.Type, _ request: Request, shape: String) async throws -> T {
        let body = try await Body.collect(request, limit: 16 << 10)
        do { return try JSONDecoder().decode(type, from: body) } catch {
            throw GalleryError(.invalid, "send \(shape): \(JSONProblem.describe(error))")
        }
    }

    static func time(_ text: String?, _ name: String) throws -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard text.utf8.count <= 64 else { throw GalleryError(.invalid, "\(name) is not a time") }
        return try PublicationTime.parse(text, name: name)
    }

    func lease(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let viewer = try APIAuth.require(request, context)
        let photo = try await assets.photo(context)
        let body = try await decode(
            LeaseBody.self, request,
            shape: "{\"allow\": true|false, \"from\": TIME, \"until\": TIME, \"article\": SLUG, \"note\": TEXT}")
        guard body.note.utf8.count <= 2000, (body.article?.utf8.count ?? 0) <= 200 else {
            throw GalleryError(.invalid, "note is at most 2000 bytes, article 200")
        }
        try await desk.lease(
            photo.sha256, allow: body.allow, from: try Self.time(body.from, "from"),
            until: try Self.time(body.until, "until"), article: body.article, note: body.note, by: viewer.name)
        environment.changed()
        return try JSONBody.response(try await desk.rights(of: photo.sha256), status: .created)
    }

    func revoke(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let viewer = try APIAuth.require(request, context)
        let photo = try await assets.photo(context)
        guard let lease = Int64(try context.parameters.require("lease")) else {
            throw GalleryError(.notFound, "no such lease")
        }
        let body = try await decode(ReasonBody.self, request, shape: "{\"note\": TEXT}")
        guard (body.note ?? body.reason ?? "").utf8.count <= 2000 else {
            throw GalleryError(.invalid, "note is at most 2000 bytes")
        }
        try await desk.revokeLease(photo.sha256, id: lease, note: body.note ?? body.reason ?? "", by: viewer.name)
        environment.changed()
        return try JSONBody.response(try await desk.rights(of: photo.sha256))
    }

    func kill(_ request: Request, _ context: GalleryContext, _ kill: Bool) async throws -> Response {
        let viewer = try APIAuth.require(request, context, role: .admin)
        let photo = try await assets.photo(context)
        let body = try await decode(ReasonBody.self, request, shape: "{\"reason\": TEXT}")
        let reason = body.reason ?? body.note ?? ""
        guard reason.utf8.count <= 2000 else { throw GalleryError(.invalid, "reason is at most 2000 bytes") }
        try await desk.setKilled(photo.sha256, kill, reason: reason, by: viewer.name)
        environment.changed()
        return try JSONBody.response(try await desk.rights(of: photo.sha256))
    }

    func publish(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let viewer = try APIAuth.require(request, context)
        let slug = try context.parameters.require("slug")
        let body = try await decode(PublishBody.self, request, shape: "{\"at\": TIME, \"override\": REASON}")
        guard (body.override?.utf8.count ?? 0) <= 500 else {
            throw GalleryError(.invalid, "override is at most 500 bytes: the reason, in a sentence")
        }
        if body.override != nil, viewer.role < .admin {
            throw GalleryError(.forbidden, "publishing over the rights guard (override) needs the admin role")
        }
        let at = try Self.time(body.at, "at")
        try await desk.setPublication(
            slug, Publication(state: .published, at: at ?? context.now, text: body.at), override: body.override,
            by: viewer.name)
        environment.changed()
        return try JSONBody.response(try await desk.article(slug: slug, audience: .editors)?.0)
    }
}
