import Catalog
import Foundation
import HTTPTypes
import Hummingbird

/// The JSON API, with the field names of the CLI's JSON. Reads are open; writes need an editor
/// (a bearer token, or a session with its CSRF token in `X-CSRF-Token`).
struct AssetAPIRoutes: Sendable {
    let catalog: any CatalogStore

    func register(on group: RouterGroup<GalleryContext>) {
        group.get("/assets") { request, _ in
            let cursor = request.uri.queryParameters.get("after").flatMap(AssetCursor.init(token:))
            let limit = min(200, max(1, request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 50))
            let page = try self.catalog.assets(limit: limit, after: cursor)
            let next = page.count == limit ? page.last?.cursor.token : nil
            return try JSONBody.response(AssetPage(assets: page, next: next))
        }
        group.get("/assets/:id") { _, context in
            guard let asset = try self.asset(context), let document = try self.catalog.document(sha256: asset.sha256)
            else { return try self.notFound(context) }
            return try JSONBody.response(document)
        }
        group.get("/assets/:id/caption") { _, context in
            guard let asset = try self.asset(context) else { return try self.notFound(context) }
            return try self.caption(asset)
        }
        group.patch("/assets/:id/caption") { request, context in try await self.patchCaption(request, context) }
        group.get("/assets/:id/history") { request, context in
            if let refusal = APIAuth.refusal(request, context) { return refusal }
            guard let asset = try self.asset(context) else { return try self.notFound(context) }
            return try JSONBody.response(["revisions": try self.catalog.captionHistory(of: asset.sha256)])
        }
        group.post("/assets/:id/revert") { request, context in try await self.revert(request, context) }
        group.get("/search") { request, _ in try self.search(request) }
        group.get("/articles") { _, _ in try JSONBody.response(["articles": try self.catalog.articles(limit: 200)]) }
        group.get("/articles/:slug") { _, context in
            let slug = try context.parameters.require("slug")
            guard let article = try self.catalog.article(slug: slug) else {
                return try JSONBody.response(["error": "no article \(slug)"], status: .notFound)
            }
            return try JSONBody.response(article)
        }
        group.post("/articles/:slug/photos") { request, context in try await self.link(request, context) }
        group.delete("/articles/:slug/photos/:id") { request, context in try self.unlink(request, context) }
    }

    struct AssetPage: Encodable {
        var assets: [AssetSummary]
        var next: String?
    }

    /// An asset's caption fields with the revision an edit must be based on.
    struct CaptionBody: Encodable {
        var id: String
        var revision: Int
        var caption: String?
        var headline: String?
        var byline: String?
        var credit: String?
        var copyright: String?
        var keywords: [String]
        var city: String?
        var region: String?
        var country: String?
        var instructions: String?

        init(id: String, record: CaptionRecord?) {
            let fields = record?.fields ?? CaptionFields()
            self.id = id
            revision = record?.revision ?? 0
            caption = fields.caption
            headline = fields.headline
            byline = fields.byline
            credit = fields.credit
            copyright = fields.copyright
            keywords = fields.keywords
            city = fields.city
            region = fields.region
            country = fields.country
            instructions = fields.instructions
        }
    }

    func asset(_ context: GalleryContext) throws -> AssetRecord? {
        let id = try context.parameters.require("id")
        guard id.count >= 4, id.count <= 64, id.allSatisfy(\.isHexDigit) else { return nil }
        return try catalog.resolve(id)
    }

    func notFound(_ context: GalleryContext) throws -> Response {
        try JSONBody.response(["error": "no photo \(context.parameters.get("id") ?? "")"], status: .notFound)
    }

    func caption(_ asset: AssetRecord, status: HTTPResponse.Status = .ok) throws -> Response {
        let record = try catalog.caption(of: asset.sha256)
        var response = try JSONBody.response(CaptionBody(id: asset.shortId, record: record), status: status)
        response.headers[.eTag] = "\"\(record?.revision ?? 0)\""
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    /// `If-Match: "3"` (or `3`, or `W/"3"`) as a revision number.
    static func revision(ifMatch: String) -> Int? {
        var text = ifMatch.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        return Int(text.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
    }

    struct StaleBody: Encodable {
        var error: String
        var current: CaptionBody
        var lastAuthor: String?
    }

    func patchCaption(_ request: Request, _ context: GalleryContext) async throws -> Response {
        if let refusal = APIAuth.refusal(request, context) { return refusal }
        guard let asset = try asset(context), let viewer = context.viewer else { return try notFound(context) }
        guard let ifMatch = request.headers[.ifMatch] else {
            return try JSONBody.response(
                StaleBody(
                    error: "send If-Match with the caption revision the edit is based on (the ETag of GET .../caption)",
                    current: CaptionBody(id: asset.shortId, record: try catalog.caption(of: asset.sha256))),
                status: .preconditionRequired)
        }
        guard let basedOn = Self.revision(ifMatch: ifMatch) else {
            return try JSONBody.response(["error": "If-Match must be a caption revision such as \"3\""], status: .badRequest)
        }
        let changes: CaptionChanges
        do {
            changes = try Self.changes(from: try await request.body.collect(upTo: 1 << 20))
        } catch let error as APIError {
            return try JSONBody.response(["error": error.message], status: .badRequest)
        }
        do {
            _ = try catalog.setCaption(asset.sha256, changes: changes, basedOn: basedOn, author: viewer.name, source: "api")
            return try caption(asset)
        } catch let stale as StaleEdit {
            var response = try JSONBody.response(
                StaleBody(
                    error: "the caption changed since revision \(basedOn); nothing was saved",
                    current: CaptionBody(id: asset.shortId, record: stale.current), lastAuthor: stale.lastAuthor),
                status: .preconditionFailed)
            response.headers[.eTag] = "\"\(stale.current.revision)\""
            return response
        }
    }

    struct APIError: Error {
        var message: String
    }

    /// A JSON object of caption fields: text or null (clears), keywords as text or a list.
    static func changes(from body: ByteBuffer) throws -> CaptionChanges {
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            throw APIError(message: "the body must be a JSON object of caption fields")
        }
        var changes = CaptionChanges()
        for (key, value) in object {
            guard let field = CaptionField(rawValue: key) else {
                throw APIError(
                    message: "unknown field \(key); fields: \(CaptionField.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            switch value {
            case let text as String: changes.values[field] = .some(text)
            case is NSNull: changes.values[field] = .some(nil)
            case let list as [Any] where field == .keywords:
                let words = list.compactMap { $0 as? String }
                guard words.count == list.count else { throw APIError(message: "keywords must be texts") }
                changes.values[field] = .some(words.joined(separator: ", "))
            default: throw APIError(message: "\(key) must be a text or null")
            }
        }
        guard !changes.isEmpty else { throw APIError(message: "the body names no caption field") }
        return changes
    }

    func revert(_ request: Request, _ context: GalleryContext) async throws -> Response {
        if let refusal = APIAuth.refusal(request, context) { return refusal }
        guard let asset = try asset(context), let viewer = context.viewer else { return try notFound(context) }
        let body = try await request.body.collect(upTo: 1 << 16)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let revision = object["revision"] as? Int
        else { return try JSONBody.response(["error": "send {\"revision\": N}"], status: .badRequest) }
        do {
            _ = try catalog.revertCaption(asset.sha256, to: revision, author: viewer.name)
        } catch let error as CatalogError where error.code == .notFound {
            return try JSONBody.response(["error": error.message], status: .notFound)
        }
        return try caption(asset)
    }

    func search(_ request: Request) throws -> Response {
        let parameters = FormBody(request.uri.query ?? "")
        let missing = parameters.get("missing")
        if let missing, !SearchQuery.missingFields.contains(missing) {
            return try JSONBody.response(
                ["error": "missing takes one of: \(SearchQuery.missingFields.joined(separator: ", "))"],
                status: .badRequest)
        }
        let query = SearchQuery(
            text: parameters.get("q") ?? "", missing: missing, byline: parameters.get("byline"),
            from: parameters.get("from"), to: parameters.get("to"), article: parameters.get("article"),
            camera: parameters.get("camera"))
        let limit = min(200, max(1, parameters.get("limit").flatMap { Int($0) } ?? 20))
        return try JSONBody.response(try catalog.search(query, limit: limit, after: parameters.get("after")))
    }

    func link(_ request: Request, _ context: GalleryContext) async throws -> Response {
        if let refusal = APIAuth.refusal(request, context) { return refusal }
        let slug = try context.parameters.require("slug")
        let body = try await request.body.collect(upTo: 1 << 16)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let references = object["photos"] as? [String], !references.isEmpty
        else {
            return try JSONBody.response(
                ["error": "send {\"photos\": [ID, ...], \"position\": N, \"caption\": TEXT}"], status: .badRequest)
        }
        var hashes: [String] = []
        for reference in references {
            guard reference.allSatisfy(\.isHexDigit), let asset = try catalog.resolve(reference) else {
                return try JSONBody.response(["error": "no photo \(reference)"], status: .notFound)
            }
            hashes.append(asset.sha256)
        }
        do {
            try catalog.link(
                slug: slug, photos: hashes, position: object["position"] as? Int, caption: object["caption"] as? String)
        } catch let error as CatalogError where error.code == .notFound {
            return try JSONBody.response(["error": error.message], status: .notFound)
        }
        return try JSONBody.response(try catalog.article(slug: slug))
    }

    func unlink(_ request: Request, _ context: GalleryContext) throws -> Response {
        if let refusal = APIAuth.refusal(request, context) { return refusal }
        let slug = try context.parameters.require("slug")
        guard let asset = try asset(context) else { return try notFound(context) }
        do {
            try catalog.unlink(slug: slug, sha256: asset.sha256)
        } catch let error as CatalogError where error.code == .notFound {
            return try JSONBody.response(["error": error.message], status: .notFound)
        }
        return try JSONBody.response(try catalog.article(slug: slug))
    }
}

/// JSON responses with stable key order.
enum JSONBody {
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
