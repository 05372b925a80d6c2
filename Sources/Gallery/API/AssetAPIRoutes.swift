import Catalog
import Desk
import Foundation
import HTTPTypes
import Hummingbird
import Imaging
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
        group.get("/assets/:id/original") { _, context in try await self.original(context) }
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

    struct AssetPage: Encodable {
        var assets: [PhotoListItem]
        var next: String?
    }

    func list(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let limit = try Parse.integer(parameters.get("limit"), name: "limit", in: 1...200, emptyIsAbsent: false) ?? 50
        let page = try await desk.photos(limit: limit, after: parameters.get("after"), audience: context.audience)
        return try JSONBody.response(
            AssetPage(
                assets: page.photos.map { PhotoListItem($0, readersAt: context.now) }, next: page.next))
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
            let photo = try await desk.findPhoto(id), context.audience.sees(photo.visibility)
        else { throw notFound(context) }
        return photo
    }

    /// The original file, byte for byte as ingested (editors only; a GET changes nothing, so a
    /// session needs no CSRF token): its Content Credentials verify anywhere. The first of its
    /// locations still as ingest saw it (size and time) is sent; none is a 404 naming why.
    func original(_ context: GalleryContext) async throws -> Response {
        guard let viewer = context.viewer else {
            throw APIAuth.unauthorized("sign in: send Authorization: Bearer TOKEN (an admin issues tokens)")
        }
        guard viewer.role >= .editor else { throw GalleryError(.forbidden, "this needs the editor role") }
        let photo = try await self.photo(context)
        guard let details = try await desk.details(sha256: photo.sha256) else { throw notFound(context) }
        for location in details.locations {
            guard let stat = FileStat.of(location.path), stat.size == location.size,
                stat.modifiedAt == location.modifiedAt, stat.size <= Int64(Int.max)
            else { continue }
            let name = AtomicFile.parts(location.path).name
            let safe = String(name.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" })
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "original"
            var headers: HTTPFields = [
                .contentType: ImageFormat(rawValue: photo.format)?.mimeType ?? "application/octet-stream",
                .cacheControl: "private, no-store",
                .contentDisposition:
                    "attachment; filename=\"\(safe.isEmpty ? "original" : safe)\"; filename*=UTF-8''\(encoded)",
            ]
            headers[.eTag] = "\"\(photo.sha256)\""
            return Response(
                status: .ok, headers: headers, body: RenditionRoutes.stream(location.path, range: 0..<Int(stat.size)))
        }
        throw GalleryError(
            .notFound,
            "the original of \(photo.shortId) cannot be sent: its files moved or changed since ingest (photodesk verify lists them)"
        )
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

    /// What an `If-Match` header asks (RFC 9110, 13.1.1): any current value (`*`), or one of a
    /// list of entity tags (`"3"`, `"3", "4"`, `W/"3"`).
    package enum IfMatch: Equatable, Sendable {
        case any
        /// Each tag's opaque text and whether it is weak.
        case tags([(opaque: String, weak: Bool)])

        package static func == (left: IfMatch, right: IfMatch) -> Bool {
            switch (left, right) {
            case (.any, .any): true
            case (.tags(let a), .tags(let b)): a.map(\.opaque) == b.map(\.opaque) && a.map(\.weak) == b.map(\.weak)
            default: false
            }
        }

        /// Parses a header's value; nil when it is not `*` or a list of entity tags (then the
        /// header is malformed: 400, naming it).
        package init?(_ header: String) {
            let text = header.trimmingCharacters(in: .whitespaces)
            if text == "*" {
                self = .any
                return
            }
            guard text.utf8.count <= 1024 else { return nil }
            var tags: [(opaque: String, weak: Bool)] = []
            var rest = Substring(text)
            while true {
                rest = rest.drop { $0 == " " || $0 == "\t" }
                let weak = rest.hasPrefix("W/")
                if weak { rest = rest.dropFirst(2) }
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                guard let end = rest.firstIndex(of: "\"") else { return nil }
                let opaque = rest[..<end]
                // etagc: %x21 / %x23-7E / obs-text; no space, no control, no DEL.
                guard
                    opaque.unicodeScalars.allSatisfy({
                        $0.value == 0x21 || (0x23...0x7E).contains($0.value) || $0.value >= 0x80
                    })
                else { return nil }
                tags.append((String(opaque), weak))
                rest = rest[rest.index(after: end)...].drop { $0 == " " || $0 == "\t" }
                if rest.isEmpty { break }
                guard rest.first == "," else { return nil }
                rest = rest.dropFirst()
            }
            self = .tags(tags)
        }

        /// The caption revisions the tags name: strong tags whose text is a revision number (a
        /// weak tag never matches, as `If-Match` compares strongly).
        package var revisions: [Int] {
            guard case .tags(let tags) = self else { return [] }
            return tags.compactMap { tag in
                guard !tag.weak, (1...18).contains(tag.opaque.utf8.count),
                    tag.opaque.utf8.allSatisfy({ (48...57).contains($0) })
                else { return nil }
                return Int(tag.opaque)
            }
        }
    }

    struct StaleBody: Encodable {
        var error: String
        var current: CaptionBody
        var lastAuthor: String?
    }

    func patchCaption(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let viewer = try APIAuth.require(request, context)
        let photo = try await photo(context)
        // Missing: 428, the precondition is required (RFC 6585); malformed: 400, naming it.
        guard let header = request.headers[.ifMatch] else {
            let stored = try await desk.caption(of: photo.sha256)
            return try JSONBody.response(
                StaleBody(
                    error:
                        "send If-Match with the caption revision the edit is based on (the ETag of GET .../caption, such as \"3\"), or * for any",
                    current: CaptionBody(id: photo.shortId, revision: stored.revision, fields: stored.fields)),
                status: .preconditionRequired)
        }
        guard let condition = IfMatch(header) else {
            throw GalleryError(
                .invalid,
                "the If-Match header \(header.prefix(100)) is not * or an entity tag such as \"3\" (the ETag of GET .../caption)"
            )
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
        // A field with a closed list takes one of its codes exactly, "" or null (the document's enum);
        // the command line and the form also take a term's label.
        for (field, value) in changes.values {
            guard let vocabulary = field.metadata.vocabulary, let value, !value.isEmpty, !vocabulary.isCode(value)
            else { continue }
            throw GalleryError(
                .invalid,
                "\(field.rawValue) takes one of \(vocabulary.terms.map(\.code).joined(separator: ", ")), \"\" or null, not \"\(value.prefix(100))\""
            )
        }
        let stored = try await desk.caption(of: photo.sha256)
        // The revision the edit is based on: any (*), the one a tag names, or of several the
        // stored one when it is among them; a tag that names no revision matches nothing (412).
        let basedOn: Int?
        switch condition {
        case .any: basedOn = nil
        case .tags:
            let named = condition.revisions
            guard let first = named.first else { return try stale(photo, stored, basedOn: nil, lastAuthor: nil) }
            basedOn = named.contains(stored.revision) ? stored.revision : first
        }
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

    func stale(_ photo: Photo, _ current: Caption, basedOn: Int?, lastAuthor: String?) throws -> Response {
        let said = basedOn.map { "revision \($0)" } ?? "the If-Match given"
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
