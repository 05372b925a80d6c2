import Catalog
import Foundation
import Hummingbird

/// Pages about articles: the home page and one page per article (with a keyboard lightbox, and
/// link editing for editors).
struct ArticleRoutes: Sendable {
    let catalog: any CatalogStore
    let pages: PageRenderer

    func register(on router: Router<GalleryContext>) {
        router.get("/") { _, context in try self.home(context) }
        router.get("/articles/:slug") { request, context in
            try self.article(try context.parameters.require("slug"), request, context)
        }
        router.post("/articles/:slug/link") { request, context in try await self.link(request, context) }
        router.post("/articles/:slug/unlink") { request, context in try await self.unlink(request, context) }
    }

    struct HomeView {
        var articles: [ArticleTile]
        var hasArticles: Bool
        var photos: [PhotoRoutes.Tile]
        var count: Int
    }

    struct ArticleTile {
        var slug: String
        var headline: String
        var published: String?
        var photos: Int
        var cover: String?
    }

    func home(_ context: GalleryContext) throws -> Response {
        let articles = try catalog.articles(limit: 12).map { summary in
            ArticleTile(
                slug: summary.slug, headline: summary.headline, published: summary.published, photos: summary.photos,
                cover: try summary.cover.flatMap { cover in
                    try catalog.rendition(shortId: cover, preset: "thumb").map { RenditionRoutes.url(id: cover, $0) }
                })
        }
        let photos = try PhotoRoutes(catalog: catalog, pages: pages).tiles(try catalog.assets(limit: 12, after: nil))
        return try pages.page(
            "home", title: "Photodesk",
            HomeView(
                articles: articles, hasArticles: !articles.isEmpty, photos: photos, count: try catalog.assetCount()),
            context: context)
    }

    /// A part of an article's body: a paragraph, a heading or one of its photos.
    struct Block {
        var paragraph: Paragraph?
        var heading: String?
        var figure: Figure?
    }

    struct Paragraph {
        var spans: [Markdown.Span]
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
        var photos: [Figure]
        var count: Int
    }

    func article(_ slug: String, _ request: Request, _ context: GalleryContext) throws -> Response {
        guard let document = try catalog.article(slug: slug) else {
            return try pages.page(
                "not-found", title: "Not found", ["what": "article \(slug)"], context: context, status: .notFound)
        }
        let figures = try self.figures(document)
        var remaining = figures.makeIterator()
        var blocks: [Block] = []
        for chunk in document.body.components(separatedBy: "\n\n") {
            let text = chunk.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            let lines = text.split(separator: "\n")
            let imageLines = lines.filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("![") }
            if !imageLines.isEmpty && imageLines.count == lines.count {
                for _ in imageLines { if let figure = remaining.next() { blocks.append(Block(figure: figure)) } }
            } else if text.hasPrefix("#") {
                blocks.append(Block(heading: text.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)))
            } else {
                blocks.append(Block(paragraph: Paragraph(spans: Markdown.spans(text.replacingOccurrences(of: "\n", with: " ")))))
            }
        }
        while let figure = remaining.next() { blocks.append(Block(figure: figure)) }
        let edit = context.viewer?.csrf.map { EditView(csrf: $0, photos: figures, count: figures.count) }
        let view = ArticleView(
            slug: document.slug, headline: document.headline, dateline: document.dateline,
            published: document.published, byline: document.byline, blocks: blocks,
            figures: figures.filter { !$0.missing }, edit: edit)
        let base = PublicURL.base(of: request)
        let images = figures.compactMap { figure -> StructuredData.ImageObject? in
            guard let id = figure.id, let large = figure.large else { return nil }
            return StructuredData.ImageObject(
                context: nil, contentUrl: base + large, url: base + "/photos/\(id)", caption: figure.caption,
                creator: figure.byline.map { StructuredData.Person(name: $0) }, creditText: figure.creditLine,
                copyrightNotice: figure.copyright, width: figure.largeWidth, height: figure.largeHeight)
        }
        let structured = StructuredData.encode(
            StructuredData.NewsArticle(
                headline: document.headline, url: base + "/articles/\(document.slug)",
                datePublished: document.published, dateline: document.dateline,
                author: document.byline.map { StructuredData.Person(name: $0) }, image: images))
        return try pages.page(
            "article", title: document.headline, view, context: context, structuredData: structured)
    }

    /// The article's photos in order, numbered for the lightbox (gaps keep their place).
    func figures(_ document: ArticleDocument) throws -> [Figure] {
        var figures: [Figure] = []
        // Every photo's renditions in one catalog read.
        let found = try catalog.photoRenditions(shortIds: document.photos.compactMap(\.id))
        for photo in document.photos {
            let number = figures.count + 1
            guard let id = photo.id, let stored = found[id] else {
                figures.append(
                    Figure(
                        number: number, id: nil, caption: photo.caption, width: 0, height: 0, alt: "", missing: true, largeWidth: 0,
                        largeHeight: 0))
                continue
            }
            let renditions = stored.renditions
            let medium = renditions.first { $0.preset == "medium" } ?? renditions.last
            let large = renditions.last
            figures.append(
                Figure(
                    number: number, id: id, caption: photo.caption,
                    credit: [photo.byline, photo.credit].compactMap { $0 }.joined(separator: " / "),
                    src: medium.map { RenditionRoutes.url(id: id, $0) },
                    srcset: renditions.map { "\(RenditionRoutes.url(id: id, $0)) \($0.width)w" }.joined(separator: ", "),
                    large: large.map { RenditionRoutes.url(id: id, $0) }, width: medium?.width ?? 0,
                    height: medium?.height ?? 0, alt: photo.caption ?? "Photo \(id)", missing: false, copyright: stored.copyright,
                    byline: photo.byline, creditLine: photo.credit, largeWidth: large?.width ?? 0,
                    largeHeight: large?.height ?? 0))
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
        if let refusal = FormAuth.refusal(request, context, form: form) { return refusal }
        let slug = try context.parameters.require("slug")
        guard let reference = form["photo"]?.trimmingCharacters(in: .whitespaces), !reference.isEmpty,
            reference.allSatisfy(\.isHexDigit), let asset = try catalog.resolve(reference)
        else {
            return try pages.page(
                "not-found", title: "Not found", ["what": "photo \(form["photo"] ?? "")"], context: context,
                status: .notFound)
        }
        let caption = form["caption"].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        do {
            try catalog.link(
                slug: slug, photos: [asset.sha256], position: form["position"].flatMap { Int($0) }, caption: caption)
        } catch let error as CatalogError where error.code == .notFound {
            return try pages.page(
                "not-found", title: "Not found", ["what": error.message], context: context, status: .notFound)
        }
        return Redirect.to("/articles/\(slug)")
    }

    func unlink(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        if let refusal = FormAuth.refusal(request, context, form: form) { return refusal }
        let slug = try context.parameters.require("slug")
        guard let reference = form["photo"], reference.allSatisfy(\.isHexDigit),
            let asset = try catalog.resolve(reference)
        else { return PlainText.response(.notFound, "No photo \(form["photo"] ?? "") to take out of the article.") }
        do {
            try catalog.unlink(slug: slug, sha256: asset.sha256)
        } catch let error as CatalogError where error.code == .notFound {
            return try pages.page(
                "not-found", title: "Not found", ["what": error.message], context: context, status: .notFound)
        }
        return Redirect.to("/articles/\(slug)")
    }
}
