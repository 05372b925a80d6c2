import ArticleMarkdown
import Catalog
import Desk
import Foundation
import Hummingbird
import PhotoModel

/// Pages about articles: the home page and one page per article (with a keyboard lightbox, and
/// link editing for editors).
struct ArticleRoutes: Sendable {
    let environment: GalleryEnvironment
    var desk: Desk { environment.desk }
    var pages: PageRenderer { environment.pages }

    init(_ environment: GalleryEnvironment) {
        self.environment = environment
    }

    func register(on router: Router<GalleryContext>) {
        router.get("/") { request, context in try await self.home(request, context) }
        router.get("/articles/:slug") { request, context in
            try await self.article(try context.parameters.require("slug"), request, context)
        }
        router.post("/articles/:slug/link") { request, context in try await self.link(request, context) }
        router.post("/articles/:slug/unlink") { request, context in try await self.unlink(request, context) }
    }

    struct HomeView {
        var articles: [ArticleTile]
        var hasArticles: Bool
        var photos: [PhotoRoutes.Tile]
        var count: String
    }

    struct ArticleTile {
        var slug: String
        var headline: String
        var published: String?
        var photos: Int
        var cover: String?
        var status: String?
    }

    func home(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let summaries = try await desk.articles(limit: 12, audience: context.audience)
        let recent = try await desk.photos(limit: 12, after: nil, audience: context.audience).photos
        let covers = try await desk.cards(summaries.compactMap(\.cover))
        let articles = summaries.map { summary in
            ArticleTile(
                slug: summary.slug, headline: summary.headline, published: summary.published, photos: summary.photos,
                cover: summary.cover.flatMap { covers[$0] }.flatMap { card in
                    card.renditions.first { !$0.preset.hasPrefix(Crops.prefix) }.map {
                        RenditionRoutes.url(id: card.shortId, $0)
                    }
                },
                status: context.viewer == nil ? nil : Self.status(summary, now: context.now))
        }
        return try pages.page(
            "home", title: "Photodesk",
            HomeView(
                articles: articles, hasArticles: !articles.isEmpty, photos: PhotoRoutes.tiles(recent),
                count: try await desk.pageCount(audience: context.audience).description),
            context: context)
    }

    static func status(_ summary: ArticleSummary, now: Date) -> String {
        ArticleStatus(summary.state, publishAt: summary.publishAt, now: now).rawValue
    }

    /// A part of an article's body: safe HTML made by CommonMark from its text, or one of its
    /// photos.
    struct Block {
        var html: String?
        var figure: Figure?
    }

    struct Figure {
        var number: Int
        var id: String?
        var caption: String?
        var credit: String?
        var src: String?
        var srcset: String?
        var large: String?
        var width: Int
        var height: Int
        var alt: String
        var missing: Bool
        var previous: Int?
        var next: Int?
        var copyright: String?
        var byline: String?
        var creditLine: String?
        var largeWidth: Int
        var largeHeight: Int
        /// 1-based place in the article.
        var position: Int = 0
        /// Shown cropped, as an editor chose for this use.
        var cropped = false
        /// The picture the article shows (the crop when there is one), for feeds and JSON-LD.
        var image: String?
        var imageWidth = 0
        var imageHeight = 0
        /// What a gap says: the photo was removed, withdrawn (killed) or is not available (rights).
        var gap = "Photo removed"
    }

    struct ArticleView {
        var slug: String
        var headline: String
        var dateline: String?
        var published: String?
        var byline: String?
        var blocks: [Block]
        var figures: [Figure]
        var edit: EditView?
    }

    struct EditView {
        var csrf: String
        var slug: String
        var photos: [Figure]
        var count: Int
        var status: String
        var publishAt: String?
        var isDraft: Bool
        var isScheduled: Bool
        var isPublished: Bool
    }

    func article(_ slug: String, _ request: Request, _ context: GalleryContext) async throws -> Response {
        guard slug.utf8.count <= 200, let (document, _) = try await desk.article(slug: slug, audience: context.audience)
        else { throw GalleryError.notFound("article \(slug.prefix(200))") }
        let figures = Self.figures(document)
        var remaining = figures.makeIterator()
        let body = ArticleMarkdown.parse(document.body)
        var blocks: [Block] = []
        for block in body.blocks {
            switch block {
            case .html(let html): blocks.append(Block(html: html))
            case .figure: if let figure = remaining.next() { blocks.append(Block(figure: figure)) }
            }
        }
        while let figure = remaining.next() { blocks.append(Block(figure: figure)) }
        let edit = context.viewer?.csrf.map {
            EditView(
                csrf: $0, slug: document.slug, photos: figures, count: figures.count, status: document.status,
                publishAt: document.publishAt.map { PublicationTime.text($0) }, isDraft: document.status == "draft",
                isScheduled: document.status == "scheduled", isPublished: document.status == "published")
        }
        let view = ArticleView(
            slug: document.slug, headline: document.headline, dateline: document.dateline,
            published: document.published, byline: document.byline, blocks: blocks,
            figures: figures.filter { !$0.missing }, edit: edit)
        let base = environment.base(request, context)
        let images = figures.compactMap { figure -> StructuredData.ImageObject? in
            guard let id = figure.id, let image = figure.image else { return nil }
            return StructuredData.ImageObject(
                context: nil, contentUrl: base + image, url: base + "/photos/\(id)", caption: figure.caption,
                creator: figure.byline.map { StructuredData.Person(name: $0) }, creditText: figure.creditLine,
                copyrightNotice: figure.copyright, width: figure.imageWidth, height: figure.imageHeight)
        }
        let structured = StructuredData.encode(
            StructuredData.NewsArticle(
                headline: document.headline, url: base + "/articles/\(document.slug)",
                datePublished: document.published, dateline: document.dateline,
                author: document.byline.map { StructuredData.Person(name: $0) }, image: images,
                articleBody: body.plainText.isEmpty ? nil : body.plainText))
        return try pages.page(
            "article", title: document.headline, view, context: context, structuredData: structured)
    }

    /// The article's photos in order, numbered for the lightbox (gaps keep their place).
    static func figures(_ document: ArticleDocument) -> [Figure] {
        var figures: [Figure] = []
        for photo in document.photos {
            let number = figures.count + 1
            let renditions = photo.renditions.filter { !$0.preset.hasPrefix(Crops.prefix) }
            guard let id = photo.id, !renditions.isEmpty else {
                figures.append(
                    Figure(
                        number: number, id: nil, caption: photo.caption, width: 0, height: 0, alt: "", missing: true,
                        largeWidth: 0, largeHeight: 0, position: photo.position,
                        gap: photo.withheld.map { "Photo \($0)" } ?? "Photo removed"))
                continue
            }
            let medium = renditions.first { $0.preset == "medium" } ?? renditions.last
            let large = renditions.last
            var figure = Figure(
                number: number, id: id, caption: photo.caption,
                credit: photo.mandatoryCredit
                    ?? [photo.byline, photo.credit].compactMap { $0 }.joined(separator: " / "),
                src: medium.map { RenditionRoutes.url(id: id, $0) },
                srcset: renditions.map { "\(RenditionRoutes.url(id: id, $0)) \($0.width)w" }.joined(separator: ", "),
                large: large.map { RenditionRoutes.url(id: id, $0) }, width: medium?.width ?? 0,
                height: medium?.height ?? 0, alt: photo.caption ?? "Photo \(id)", missing: false,
                copyright: photo.copyright, byline: photo.byline, creditLine: photo.credit,
                largeWidth: large?.width ?? 0, largeHeight: large?.height ?? 0, position: photo.position,
                image: large.map { RenditionRoutes.url(id: id, $0) }, imageWidth: large?.width ?? 0,
                imageHeight: large?.height ?? 0)
            // The crop an editor chose for this use, once its rendition is made.
            if let crop = photo.crop, let sha = photo.sha256,
                let cropped = photo.renditions.first(where: { $0.preset == Crops.presetName(sha256: sha, crop: crop) })
            {
                let url = RenditionRoutes.url(id: id, cropped)
                figure.src = url
                figure.srcset = "\(url) \(cropped.width)w"
                figure.width = cropped.width
                figure.height = cropped.height
                figure.cropped = true
                figure.image = url
                figure.imageWidth = cropped.width
                figure.imageHeight = cropped.height
            }
            figures.append(figure)
        }
        // Lightbox neighbours skip gaps.
        let shown = figures.indices.filter { figures[$0].id != nil }
        for (order, index) in shown.enumerated() {
            figures[index].previous = order > 0 ? figures[shown[order - 1]].number : nil
            figures[index].next = order + 1 < shown.count ? figures[shown[order + 1]].number : nil
        }
        return figures
    }

    func link(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        try FormAuth.require(request, context, form: form)
        let slug = try context.parameters.require("slug")
        let reference = form["photo"]?.trimmingCharacters(in: .whitespaces) ?? ""
        guard (4...64).contains(reference.utf8.count), reference.allSatisfy(\.isHexDigit),
            let photo = try await desk.findPhoto(reference)
        else { throw GalleryError.notFound("photo \(reference.prefix(64))") }
        let position = try Parse.integer(form["position"], name: "position", in: AssetAPIRoutes.positions)
        try await desk.link(slug, photos: [photo.sha256], position: position, caption: form["caption"])
        environment.changed()
        return Redirect.to("/articles/\(slug)")
    }

    func unlink(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        try FormAuth.require(request, context, form: form)
        let slug = try context.parameters.require("slug")
        let reference = form["photo"] ?? ""
        guard (4...64).contains(reference.utf8.count), reference.allSatisfy(\.isHexDigit),
            let photo = try await desk.findPhoto(reference)
        else { throw GalleryError.notFound("photo \(reference.prefix(64)) to take out of the article") }
        try await desk.unlink(slug, photo: photo.sha256)
        environment.changed()
        return Redirect.to("/articles/\(slug)")
    }
}

/// Numbers from requests, read with bounds: anything else is a 400 naming the parameter.
package enum Parse {
    /// An integer in a range; nil when absent, or empty where `emptyIsAbsent` (a form's blank
    /// field; an API's `limit=` is a 400).
    package static func integer(_ text: String?, name: String, in range: ClosedRange<Int>, emptyIsAbsent: Bool = true)
        throws
        -> Int?
    {
        guard let raw = text else { return nil }
        let text = raw.trimmingCharacters(in: .whitespaces)
        if text.isEmpty && emptyIsAbsent { return nil }
        guard text.utf8.count <= 20, text.utf8.allSatisfy({ (48...57).contains($0) || $0 == 45 || $0 == 43 }),
            let value = Int(text), range.contains(value)
        else {
            throw GalleryError(
                .invalid, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
