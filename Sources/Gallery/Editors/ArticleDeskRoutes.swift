import Catalog
import Desk
import Foundation
import Hummingbird
import PhotoModel

/// What editors do to an article in the browser: crop a photo for its use there (by the
/// pipeline's aspects or freely; a numeric form works without JavaScript), and publish it now,
/// schedule it (an embargo) or take it back.
struct ArticleDeskRoutes: Sendable {
    let environment: GalleryEnvironment
    var desk: Desk { environment.desk }
    var pages: PageRenderer { environment.pages }

    init(_ environment: GalleryEnvironment) {
        self.environment = environment
    }

    func register(on router: Router<GalleryContext>) {
        router.get("/articles/:slug/crop/:position") { request, context in try await self.cropPage(request, context) }
        router.post("/articles/:slug/crop/:position") { request, context in try await self.saveCrop(request, context) }
        router.post("/articles/:slug/publish") { request, context in try await self.publish(request, context) }
    }

    struct AspectView {
        var name: String
        var ratio: String
        var width: Int
        var height: Int
        var x: Int
        var y: Int
        var cropWidth: Int
        var cropHeight: Int
        var selected: Bool
    }

    struct CropView {
        var slug: String
        var headline: String
        var position: Int
        var csrf: String
        var id: String
        var image: String
        var imageWidth: Int
        var imageHeight: Int
        var photoWidth: Int
        var photoHeight: Int
        var x: Int
        var y: Int
        var width: Int
        var height: Int
        var preset: String
        var aspects: [AspectView]
        var hasCrop: Bool
        var error: String?
    }

    /// The use at a position of an article, with its photo's card, for editors.
    func use(_ context: GalleryContext) async throws -> (ArticleBundle, ArticleUse, PhotoCard) {
        let slug = try context.parameters.require("slug")
        guard let position = try Parse.integer(context.parameters.get("position"), name: "position", in: 1...100_000)
        else { throw GalleryError.notFound("photo at that place in the article") }
        return try await desk.use(in: slug, at: position)
    }

    func requireEditor(_ request: Request, _ context: GalleryContext) throws -> String {
        guard let csrf = context.viewer?.csrf else { throw Redirect.toLogin(from: request) }
        return csrf
    }

    func cropPage(
        _ request: Request, _ context: GalleryContext, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let csrf = try requireEditor(request, context)
        let (bundle, use, card) = try await use(context)
        let large = card.renditions.last { !$0.preset.hasPrefix(Crops.prefix) }
        let crop = use.crop
        let aspects = environment.crops.map { aspect in
            let centred = aspect.centred(width: card.width, height: card.height)
            return AspectView(
                name: aspect.name, ratio: "\(aspect.width):\(aspect.height)", width: aspect.width,
                height: aspect.height, x: centred.x, y: centred.y, cropWidth: centred.width,
                cropHeight: centred.height, selected: crop?.preset == aspect.name)
        }
        let view = CropView(
            slug: bundle.article.slug, headline: bundle.article.headline, position: use.position, csrf: csrf,
            id: card.shortId, image: large.map { RenditionRoutes.url(id: card.shortId, $0) } ?? "",
            imageWidth: large?.width ?? 0, imageHeight: large?.height ?? 0, photoWidth: card.width,
            photoHeight: card.height, x: crop?.x ?? 0, y: crop?.y ?? 0, width: crop?.width ?? card.width,
            height: crop?.height ?? card.height, preset: crop?.preset ?? "", aspects: aspects, hasCrop: crop != nil,
            error: error)
        return try pages.page("crop", title: "Crop: \(bundle.article.headline)", view, context: context, status: status)
    }

    func saveCrop(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        try FormAuth.require(request, context, form: form)
        let (bundle, use, card) = try await use(context)
        let slug = bundle.article.slug
        if form["clear"] != nil {
            try await desk.setCrop(slug, position: use.position, crop: nil)
            environment.changed()
            return Redirect.to("/articles/\(slug)#fig-\(use.position)")
        }
        let preset = form["preset"].flatMap { $0.isEmpty || $0 == "free" ? nil : $0 }
        let bound = max(card.width, card.height)
        let numbers = try ["x", "y", "width", "height"].map {
            try Parse.integer(form[$0], name: $0, in: 0...max(1, bound))
        }
        let crop: Crop
        do {
            guard numbers.allSatisfy({ $0 == nil }) || numbers.allSatisfy({ $0 != nil }) else {
                throw DeskError(.invalid, "give x, y, width and height, or choose a preset")
            }
            let rectangle = numbers.allSatisfy { $0 == nil } ? nil : numbers.compactMap { $0 }
            crop = try await desk.crop(
                slug, position: use.position, CropRequest(preset: preset, rectangle: rectangle),
                aspects: environment.crops
            ).crop
        } catch let error as DeskError where error.code == .invalid {
            return try await cropPage(request, context, error: error.message + ".", status: .badRequest)
        }
        guard let workshop = environment.workshop else {
            throw GalleryError(.unavailable, "This server cannot make crops (no rendition workshop).")
        }
        try await workshop.makeCrop(sha256: card.sha256, crop: crop)
        environment.changed()
        return Redirect.to("/articles/\(slug)#fig-\(use.position)")
    }

    func publish(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        try FormAuth.require(request, context, form: form)
        let slug = try context.parameters.require("slug")
        let publication: Publication
        switch form["action"] {
        case "now": publication = Publication(state: .published, at: context.now, text: nil)
        case "schedule":
            let local = (form["at"] ?? "").trimmingCharacters(in: .whitespaces)
            let offset = (form["offset"] ?? "+00:00").trimmingCharacters(in: .whitespaces)
            guard offset.wholeMatch(of: /[+-]\d\d:\d\d|Z/) != nil else {
                throw GalleryError(.invalid, "The offset must be like +07:00.")
            }
            let text = (local.count == 16 ? local + ":00" : local) + offset
            let at: Date
            do { at = try PublicationTime.parse(text, name: "the publication time") } catch let error as DeskError {
                throw GalleryError(.invalid, error.message)
            }
            publication = Publication(state: .published, at: at, text: text)
        case "unpublish": publication = Publication(state: .draft, at: nil, text: nil)
        default: throw GalleryError(.invalid, "The form asks for no action: publish now, schedule or unpublish.")
        }
        let override = (form["override"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !override.isEmpty { try FormAuth.require(request, context, form: form, role: .admin) }
        try await desk.setPublication(
            slug, publication, override: override.isEmpty ? nil : String(override.prefix(500)),
            by: context.viewer?.name ?? "desk")
        environment.changed()
        return Redirect.to("/articles/\(slug)")
    }
}
