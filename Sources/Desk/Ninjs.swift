import Catalog
import Foundation
import PhotoModel

/// A news item as IPTC ninjs 3.1 (News in JSON): a photo as a `picture`, an article as a
/// `composite` whose pictures are its associations. Absent values are left out, never null.
public struct NinjsItem: Encodable, Sendable, Equatable {
    /// A headline, description or body: its text, with its role and content type.
    public struct Text: Encodable, Sendable, Equatable {
        public var role: String?
        public var contentType: String?
        public var value: String
    }

    /// A point of interest of a rendition (a crop's centre), in its pixels.
    public struct Point: Encodable, Sendable, Equatable {
        public var x: Int
        public var y: Int
    }

    /// One rendition: where it is, its size and type.
    public struct Rendition: Encodable, Sendable, Equatable {
        public var name: String
        public var href: String
        public var contentType: String
        public var width: Int
        public var height: Int
        public var sizeInBytes: Int?
        public var poi: Point?
    }

    /// The standard the item conforms to.
    public struct Standard: Encodable, Sendable, Equatable {
        public var name = "ninjs"
        public var version = "3.1"
        public var schema = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json"
    }

    /// An IPTC Digital Source Type.
    public struct SourceType: Encodable, Sendable, Equatable {
        public var uri: String
    }

    /// An alternative id (the photo's SHA-256, its short id).
    public struct AltId: Encodable, Sendable, Equatable {
        public var role: String
        public var value: String
    }

    /// The association's name, for an item inside another's `associations`.
    public var name: String?
    public var uri: String
    public var type: String
    public var representationType: String?
    public var standard: Standard?
    public var version: String?
    public var firstCreated: String?
    public var versionCreated: String?
    public var contentCreated: String?
    public var embargoedUntil: String?
    public var pubStatus: String
    public var copyrightNotice: String?
    public var usageTerms: String?
    public var edNote: String?
    public var slugline: String?
    public var headlines: [Text]?
    public var descriptions: [Text]?
    public var bodies: [Text]?
    public var by: String?
    public var located: String?
    public var digitalSourceType: SourceType?
    public var altIds: [AltId]?
    public var renditions: [Rendition]?
    public var associations: [NinjsItem]?

    /// The text of a date-time as ninjs takes it (RFC 3339, UTC).
    static func time(_ date: Date?) -> String? {
        guard let date else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// A taking date when it is a full date-time with its offset (a date-time without one is no
    /// RFC 3339 date-time, so it is left out).
    static func taken(_ text: String?) -> String? {
        guard let text, text.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/) != nil else {
            return nil
        }
        return text
    }

    /// The content type of a rendition's format.
    static func contentType(_ format: String) -> String {
        switch format {
        case "jpeg", "jpg": "image/jpeg"
        case "webp": "image/webp"
        case "png": "image/png"
        case "avif": "image/avif"
        case "heif", "heic": "image/heif"
        case "tiff": "image/tiff"
        case "gif": "image/gif"
        default: "application/octet-stream"
        }
    }

    /// A rendition's file name in the gallery's `/r/<id>/` addresses.
    static func file(_ rendition: Catalog.Rendition) -> String {
        let ext =
            switch rendition.format {
            case "jpeg": "jpg"
            case "heif": "heic"
            case "tiff": "tif"
            default: rendition.format
            }
        return "\(rendition.preset).\(ext)"
    }
}

extension Desk {
    /// The uri of a photo: its content hash, which never changes.
    static func ninjsURI(photo sha256: String) -> String { "urn:photodesk:photo:\(sha256)" }

    /// The uri of an article: the site's address of it.
    static func ninjsURI(article slug: String, base: String) -> String {
        "\(base)/articles/\(slug.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? slug)"
    }

    /// A photo as ninjs, as the viewpoint may see it (nil when readers may not): its renditions
    /// with addresses under `base` (the site's address), its caption, by-line, copyright and
    /// usage terms, and its publication status (killed: canceled; public: usable; public later:
    /// usable with `embargoedUntil`; otherwise withheld).
    public func ninjs(photo sha256: String, for viewpoint: Viewpoint, base: String) async throws -> NinjsItem? {
        guard let details = try await stored({ try await store.details(sha256: sha256) }),
            viewpoint.audience.sees(details.photo.visibility)
        else { return nil }
        let rights = try await stored { try await store.rights(of: sha256) }
        let fields = details.caption?.fields ?? CaptionFields()
        let photo = details.photo
        let now = clock()
        let status: (String, Date?) =
            if rights?.state.killed == true {
                ("canceled", nil)
            } else if photo.visibility.contains(now) {
                ("usable", nil)
            } else if let from = photo.publicFrom, from > now {
                ("usable", from)
            } else {
                ("withheld", nil)
            }
        let history = try await stored { try await store.captionHistory(of: sha256) }
        return Self.ninjsPicture(
            sha256: sha256, photo: photo, fields: viewpoint.isEditor ? fields : fields.publicOnly,
            renditions: details.renditions, crop: nil, caption: nil, status: status, base: base,
            version: details.caption?.revision ?? 0, changed: history.map(\.at).max(),
            editor: viewpoint.isEditor)
    }

    /// An article as a ninjs composite, as the audience sees it (nil when readers may not): its
    /// headline, body (Markdown), by-line and dateline, and each picture as an association, with
    /// the caption and crop as used there. Pictures readers may not see are left out for them.
    public func ninjs(article slug: String, audience: Audience, base: String) async throws -> NinjsItem? {
        guard let bundle = try await stored({ try await store.article(slug: slug) }),
            audience.sees(publicFrom: bundle.article.publicFrom)
        else { return nil }
        let article = bundle.article
        let now = clock()
        var associations: [NinjsItem] = []
        for use in bundle.uses {
            guard let sha = use.sha256, let card = bundle.photos[sha], audience.sees(card.visibility) else { continue }
            let status = card.killed ? ("canceled", nil) : ("usable", card.publicFrom.flatMap { $0 > now ? $0 : nil })
            var picture = Self.ninjsPicture(
                sha256: sha,
                photo: Photo(
                    sha256: sha, format: "", bytes: 0, width: card.width, height: card.height, takenAt: card.takenAt,
                    createdAt: card.createdAt),
                fields: audience == .editors ? card.caption : card.caption.publicOnly, renditions: card.renditions,
                crop: use.crop, caption: use.caption, status: status, base: base, version: nil, changed: nil,
                editor: audience == .editors)
            picture.name = "picture\(use.position)"
            associations.append(picture)
        }
        let status: (String, Date?) =
            switch ArticleStatus(article.state, publishAt: article.publishAt, now: now) {
            case .draft: ("withheld", nil)
            case .scheduled: ("usable", article.publishAt)
            case .published: ("usable", nil)
            }
        var item = NinjsItem(
            uri: Self.ninjsURI(article: article.slug, base: base), type: "composite", representationType: "full",
            standard: .init(), version: String(article.version), versionCreated: NinjsItem.time(article.updatedAt),
            contentCreated: nil, embargoedUntil: NinjsItem.time(status.1), pubStatus: status.0,
            slugline: article.slug,
            headlines: [.init(role: "main", contentType: "text/plain", value: article.headline)],
            bodies: article.body.isEmpty
                ? nil : [.init(role: "main", contentType: "text/markdown", value: article.body)],
            by: article.byline, located: article.dateline,
            associations: associations.isEmpty ? nil : associations)
        item.firstCreated = NinjsItem.time(article.publishAt)
        return item
    }

    /// A picture item, on its own or as an association of an article (with the caption and crop
    /// as used there).
    static func ninjsPicture(
        sha256: String, photo: Photo, fields: CaptionFields, renditions: [Rendition], crop: Crop?, caption: String?,
        status: (String, Date?), base: String, version: Int?, changed: Date?, editor: Bool
    ) -> NinjsItem {
        let id = String(sha256.prefix(16))
        var shown = renditions.filter { !$0.preset.hasPrefix(Crops.prefix) }
        var cropped: Rendition?
        if let crop {
            let name = Crops.presetName(sha256: sha256, crop: crop)
            cropped = renditions.first { $0.preset == name }
            if let cropped { shown.append(cropped) }
        }
        let items = shown.map { rendition -> NinjsItem.Rendition in
            // Where an editor cropped this use: the crop's centre, in each rendition's pixels.
            var poi: NinjsItem.Point?
            if let crop, photo.width > 0, photo.height > 0 {
                poi =
                    rendition.preset == cropped?.preset
                    ? .init(x: rendition.width / 2, y: rendition.height / 2)
                    : .init(
                        x: (crop.x + crop.width / 2) * rendition.width / photo.width,
                        y: (crop.y + crop.height / 2) * rendition.height / photo.height)
            }
            return NinjsItem.Rendition(
                name: rendition.preset, href: "\(base)/r/\(id)/\(NinjsItem.file(rendition))",
                contentType: NinjsItem.contentType(rendition.format), width: rendition.width,
                height: rendition.height, sizeInBytes: rendition.bytes > 0 ? rendition.bytes : nil, poi: poi)
        }
        let text = caption ?? fields.caption
        let place = [fields.city, fields.region, fields.country].compactMap { $0 }.joined(separator: ", ")
        let sourceType = fields[.digitalSourceType].flatMap {
            $0.hasPrefix("http") ? NinjsItem.SourceType(uri: $0) : nil
        }
        return NinjsItem(
            uri: ninjsURI(photo: sha256), type: "picture", representationType: "full", standard: .init(),
            version: version.map(String.init), firstCreated: NinjsItem.time(photo.createdAt),
            versionCreated: NinjsItem.time(changed ?? photo.createdAt), contentCreated: NinjsItem.taken(photo.takenAt),
            embargoedUntil: NinjsItem.time(status.1), pubStatus: status.0, copyrightNotice: fields.copyright,
            usageTerms: fields[.usageTerms], edNote: editor ? fields.instructions : nil,
            headlines: fields.headline.map { [.init(role: "main", contentType: "text/plain", value: $0)] },
            descriptions: text.map { [.init(role: "caption", contentType: "text/plain", value: $0)] },
            by: fields.byline, located: place.isEmpty ? nil : place, digitalSourceType: sourceType,
            altIds: [.init(role: "sha256", value: sha256), .init(role: "photodesk-id", value: id)],
            renditions: items.isEmpty ? nil : items)
    }
}
