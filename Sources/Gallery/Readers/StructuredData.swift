import Catalog
import Desk
import Foundation
import HTTPTypes
import Hummingbird

/// schema.org JSON-LD for article and photo pages (`NewsArticle`, `ImageObject`).
enum StructuredData {
    struct Person: Encodable {
        var type = "Person"
        var name: String
        enum CodingKeys: String, CodingKey {
            case type = "@type"
            case name
        }
    }

    struct ImageObject: Encodable {
        var context: String? = "https://schema.org"
        var type = "ImageObject"
        var contentUrl: String
        var url: String
        var caption: String?
        var creator: Person?
        var creditText: String?
        var copyrightNotice: String?
        var width: Int?
        var height: Int?
        var dateCreated: String?
        enum CodingKeys: String, CodingKey {
            case context = "@context"
            case type = "@type"
            case contentUrl, url, caption, creator, creditText, copyrightNotice, width, height, dateCreated
        }
    }

    struct NewsArticle: Encodable {
        var context = "https://schema.org"
        var type = "NewsArticle"
        var headline: String
        var url: String
        var datePublished: String?
        var dateline: String?
        var author: Person?
        var image: [ImageObject]
        /// The body as plain text (CommonMark's rendering, images left out).
        var articleBody: String?
        enum CodingKeys: String, CodingKey {
            case context = "@context"
            case type = "@type"
            case headline, url, datePublished, dateline, author, image, articleBody
        }
    }

    /// JSON safe to place inside `<script type="application/ld+json">`: `<`, `>` and `&` are escaped
    /// so no text can close the element.
    static func encode<T: Encodable>(_ value: T) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return nil }
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
            .replacingOccurrences(of: ">", with: "\\u003e").replacingOccurrences(of: "&", with: "\\u0026")
    }

    static func imageObject(_ document: PhotoDocument, base: String) -> String? {
        guard let large = document.renditions.last else { return nil }
        return encode(
            ImageObject(
                contentUrl: base + RenditionRoutes.url(id: document.id, large), url: base + "/photos/\(document.id)",
                caption: document.caption, creator: document.byline.map { Person(name: $0) },
                creditText: document.credit, copyrightNotice: document.copyright, width: large.width,
                height: large.height, dateCreated: document.takenAt))
    }
}
