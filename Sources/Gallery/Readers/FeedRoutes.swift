import ArticleMarkdown
import Catalog
import Desk
import Foundation
import Hummingbird
import Imaging

/// RSS 2.0 with Media RSS: the latest articles at `/feed.xml`, one article at
/// `/articles/<slug>/feed.xml`; every photo as `media:content` with its caption and credits.
/// Readers' feeds hold only what is published, and follow embargoes to the second.
struct FeedRoutes: Sendable {
    let environment: GalleryEnvironment
    var desk: Desk { environment.desk }

    init(_ environment: GalleryEnvironment) {
        self.environment = environment
    }

    func register(on router: Router<GalleryContext>) {
        router.get("/feed.xml") { request, context in try await self.feed(request, context, slug: nil) }
        router.get("/articles/:slug/feed.xml") { request, context in
            try await self.feed(request, context, slug: try context.parameters.require("slug"))
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

    func feed(_ request: Request, _ context: GalleryContext, slug: String?) async throws -> Response {
        let base = environment.base(request, context)
        var documents: [ArticleDocument] = []
        if let slug {
            guard let document = try await desk.article(slug: slug, audience: context.audience)?.0 else {
                throw GalleryError.notFound("article \(slug.prefix(200))")
            }
            documents = [document]
        } else {
            for summary in try await desk.articles(limit: 30, audience: context.audience) {
                if let document = try await desk.article(slug: summary.slug, audience: context.audience)?.0 {
                    documents.append(document)
                }
            }
        }
        let view = FeedView(
            title: XMLText.clean(slug == nil ? "Photodesk" : documents[0].headline),
            link: base + (slug.map { "/articles/\($0)" } ?? "/"),
            selfLink: base + (slug.map { "/articles/\($0)/feed.xml" } ?? "/feed.xml"),
            description: slug == nil ? "Latest articles with their photos" : "An article with its photos",
            items: documents.map { item($0, base: base) })
        var response = try environment.pages.text("feed", view, contentType: "application/rss+xml; charset=utf-8")
        response.headers[.cacheControl] = context.viewer == nil ? "public, max-age=60" : "private, no-store"
        return response
    }

    func item(_ document: ArticleDocument, base: String) -> Item {
        let media = document.photos.compactMap { photo -> Media? in
            // The crop chosen for this use when there is one, else the largest rendition.
            let cropped = photo.crop.flatMap { crop in
                photo.sha256.flatMap { sha in
                    photo.renditions.first { $0.preset == Crops.presetName(sha256: sha, crop: crop) }
                }
            }
            guard let id = photo.id,
                let large = cropped ?? photo.renditions.last(where: { !$0.preset.hasPrefix(Crops.prefix) })
            else { return nil }
            return Media(
                url: base + RenditionRoutes.url(id: id, large),
                type: ImageFormat(rawValue: large.format)?.mimeType ?? "image/jpeg", width: large.width,
                height: large.height, caption: photo.caption.map(XMLText.clean),
                byline: photo.byline.map(XMLText.clean),
                credit: photo.credit.map(XMLText.clean), copyright: photo.copyright.map(XMLText.clean))
        }
        let body = ArticleMarkdown.parse(document.body).html
        return Item(
            title: XMLText.clean(document.headline), link: base + "/articles/\(document.slug)",
            pubDate: document.publishAt.map(Self.rfc822) ?? document.published.flatMap(Self.rfc822),
            author: document.byline.map(XMLText.clean),
            summary: body.isEmpty ? nil : XMLText.clean(body),
            media: media)
    }

    /// `2020-09-21` (or a full ISO 8601 date) as RSS wants it: `Mon, 21 Sep 2020 00:00:00 +0000`.
    static func rfc822(_ published: String) -> String? {
        guard let date = try? PublicationTime.parse(published, name: "published") else { return nil }
        return rfc822(date)
    }

    static func rfc822(_ date: Date) -> String {
        let writer = DateFormatter()
        writer.locale = Locale(identifier: "en_US_POSIX")
        writer.timeZone = TimeZone(identifier: "UTC")
        writer.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return writer.string(from: date)
    }
}

/// Text for XML: characters XML 1.0 forbids (controls other than tab and newline, lone
/// surrogates, U+FFFE/U+FFFF) are dropped, so no caption can break a feed.
enum XMLText {
    static func clean(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
                || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
            {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}
