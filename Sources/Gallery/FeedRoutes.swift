import Catalog
import Foundation
import Hummingbird
import Imaging

/// RSS 2.0 with Media RSS: the latest articles at `/feed.xml`, one article at
/// `/articles/<slug>/feed.xml`; every photo as `media:content` with its caption and credits.
struct FeedRoutes: Sendable {
    let catalog: any CatalogStore
    let pages: PageRenderer

    func register(on router: Router<GalleryContext>) {
        router.get("/feed.xml") { request, _ in try self.feed(request, slug: nil) }
        router.get("/articles/:slug/feed.xml") { request, context in
            try self.feed(request, slug: try context.parameters.require("slug"))
        }
    }

    struct FeedView {
        var title: String
        var link: String
        var selfLink: String
        var description: String
        var items: [Item]
    }

    struct Item {
        var title: String
        var link: String
        var pubDate: String?
        var author: String?
        var summary: String?
        var media: [Media]
    }

    struct Media {
        var url: String
        var type: String
        var width: Int
        var height: Int
        var caption: String?
        var byline: String?
        var credit: String?
        var copyright: String?
    }

    func feed(_ request: Request, slug: String?) throws -> Response {
        let base = PublicURL.base(of: request)
        var documents: [ArticleDocument] = []
        if let slug {
            guard let document = try catalog.article(slug: slug) else { return Response(status: .notFound) }
            documents = [document]
        } else {
            documents = try catalog.articles(limit: 30).compactMap { try catalog.article(slug: $0.slug) }
        }
        let items = try documents.map { try item($0, base: base) }
        let view = FeedView(
            title: slug == nil ? "Photodesk" : documents[0].headline,
            link: base + (slug.map { "/articles/\($0)" } ?? "/"),
            selfLink: base + (slug.map { "/articles/\($0)/feed.xml" } ?? "/feed.xml"),
            description: slug == nil ? "Latest articles with their photos" : "An article with its photos",
            items: items)
        var response = try pages.text("feed", view, contentType: "application/rss+xml; charset=utf-8")
        response.headers[.cacheControl] = "public, max-age=60"
        return response
    }

    func item(_ document: ArticleDocument, base: String) throws -> Item {
        var media: [Media] = []
        for photo in document.photos {
            guard let id = photo.id, let asset = try catalog.resolve(id),
                let large = try catalog.renditions(of: asset.sha256).last
            else { continue }
            let stored = try catalog.caption(of: asset.sha256)
            media.append(
                Media(
                    url: base + RenditionRoutes.url(id: id, large),
                    type: ImageFormat(rawValue: large.format)?.mimeType ?? "image/jpeg", width: large.width,
                    height: large.height, caption: photo.caption, byline: photo.byline, credit: photo.credit,
                    copyright: stored?.copyright))
        }
        let summary = document.body.components(separatedBy: "\n\n").map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }.first { !$0.isEmpty && !$0.hasPrefix("![") && !$0.hasPrefix("#") }
        return Item(
            title: document.headline, link: base + "/articles/\(document.slug)",
            pubDate: document.published.flatMap(Self.rfc822), author: document.byline,
            summary: summary.map { Markdown.spans($0.replacingOccurrences(of: "\n", with: " ")).map(\.text).joined() },
            media: media)
    }

    /// `2020-09-21` (or a full ISO 8601 date) as RSS wants it: `Mon, 21 Sep 2020 00:00:00 +0000`.
    static func rfc822(_ published: String) -> String? {
        let reader = DateFormatter()
        reader.locale = Locale(identifier: "en_US_POSIX")
        reader.timeZone = TimeZone(identifier: "UTC")
        reader.dateFormat = "yyyy-MM-dd"
        guard let date = ISO8601DateFormatter().date(from: published) ?? reader.date(from: String(published.prefix(10)))
        else { return nil }
        let writer = DateFormatter()
        writer.locale = Locale(identifier: "en_US_POSIX")
        writer.timeZone = TimeZone(identifier: "UTC")
        writer.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return writer.string(from: date)
    }
}
