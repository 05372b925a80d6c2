import Catalog
import Foundation
import Hummingbird

/// Reader pages about articles: the home page and one page per article.
struct ArticleRoutes: Sendable {
    let catalog: any CatalogStore
    let pages: PageRenderer

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in try self.home() }
        router.get("/articles/:slug") { _, context in try self.article(try context.parameters.require("slug")) }
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

    func home() throws -> Response {
        let articles = try catalog.articles(limit: 12).map { summary in
            ArticleTile(
                slug: summary.slug, headline: summary.headline, published: summary.published, photos: summary.photos,
                cover: summary.cover.map { "/r/\($0)/thumb.webp" })
        }
        let photos = try PhotoRoutes(catalog: catalog, pages: pages).tiles(try catalog.assets(limit: 12, after: nil))
        return try pages.page(
            "home", title: "Photodesk",
            HomeView(
                articles: articles, hasArticles: !articles.isEmpty, photos: photos, count: try catalog.assetCount()))
    }

    /// A part of an article's body: a paragraph, a heading or one of its photos.
    struct Block {
        var paragraph: String?
        var heading: String?
        var figure: Figure?
    }

    struct Figure {
        var id: String?
        var caption: String?
        var credit: String?
        var src: String?
        var srcset: String?
        var width: Int
        var height: Int
        var alt: String
        var missing: Bool { id == nil }
    }

    struct ArticleView {
        var slug: String
        var headline: String
        var dateline: String?
        var published: String?
        var byline: String?
        var blocks: [Block]
    }

    func article(_ slug: String) throws -> Response {
        guard let document = try catalog.article(slug: slug) else {
            return try pages.page("not-found", title: "Not found", ["what": "article \(slug)"], status: .notFound)
        }
        var photos = document.photos.makeIterator()
        var blocks: [Block] = []
        for chunk in document.body.components(separatedBy: "\n\n") {
            let text = chunk.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            let imageLines = text.split(separator: "\n").filter {
                $0.trimmingCharacters(in: .whitespaces).hasPrefix("![")
            }
            if !imageLines.isEmpty && imageLines.count == text.split(separator: "\n").count {
                for _ in imageLines { if let photo = photos.next() { blocks.append(Block(figure: try figure(photo))) } }
            } else if text.hasPrefix("#") {
                blocks.append(Block(heading: text.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)))
            } else {
                blocks.append(Block(paragraph: text.replacingOccurrences(of: "\n", with: " ")))
            }
        }
        while let photo = photos.next() { blocks.append(Block(figure: try figure(photo))) }
        let view = ArticleView(
            slug: document.slug, headline: document.headline, dateline: document.dateline,
            published: document.published,
            byline: document.byline, blocks: blocks)
        return try pages.page("article", title: document.headline, view)
    }

    func figure(_ photo: ArticleDocument.Photo) throws -> Figure {
        guard let id = photo.id, let asset = try catalog.resolve(id) else {
            return Figure(
                id: nil, caption: photo.caption, credit: nil, src: nil, srcset: nil, width: 0, height: 0, alt: "")
        }
        let renditions = try catalog.renditions(of: asset.sha256)
        let medium = renditions.first { $0.preset == "medium" } ?? renditions.last
        return Figure(
            id: id, caption: photo.caption,
            credit: [photo.byline, photo.credit].compactMap { $0 }.joined(separator: " / "),
            src: medium.map { RenditionRoutes.url(id: id, $0) },
            srcset: renditions.map { "\(RenditionRoutes.url(id: id, $0)) \($0.width)w" }.joined(separator: ", "),
            width: medium?.width ?? 0, height: medium?.height ?? 0, alt: photo.caption ?? "Photo \(id)")
    }
}
