import Catalog
import Foundation
import PhotoModel

/// Crop renditions: named by content, kept apart from the presets.
public enum Crops {
    /// The preset name of every crop rendition starts so.
    public static let prefix = "crop-"
    /// A crop rendition fits this box (pixels, either side).
    public static let box = 1600

    /// The rendition name of a crop of a photo: the same photo, rectangle and preset always give
    /// the same name, so a crop's file can be cached forever and made once.
    public static func presetName(sha256: String, crop: Crop) -> String {
        let key = "\(sha256)|\(crop.x),\(crop.y),\(crop.width),\(crop.height)|\(crop.preset ?? "free")|\(box)"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return prefix + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// A crop preset of the pipeline (`crops:` in `Pipelines/*.yml`): a name and an aspect ratio.
public struct CropAspect: Codable, Sendable, Equatable {
    public var name: String
    /// The ratio's width part (16 of 16:9).
    public var width: Int
    /// The ratio's height part (9 of 16:9).
    public var height: Int

    /// Makes a preset.
    public init(name: String, width: Int, height: Int) {
        self.name = name
        self.width = width
        self.height = height
    }

    /// "16:9" as a ratio; nil when it is not two whole numbers from 1 to 100.
    public static func ratio(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), (1...100).contains(width),
            (1...100).contains(height)
        else { return nil }
        return (width, height)
    }

    /// The largest rectangle of this ratio centred in a photo of `width` x `height`.
    public func centred(width photoWidth: Int, height photoHeight: Int) -> Crop {
        let byWidth = photoWidth * height / width
        if byWidth <= photoHeight {
            return Crop(x: 0, y: (photoHeight - byWidth) / 2, width: photoWidth, height: max(1, byWidth), preset: name)
        }
        let byHeight = photoHeight * width / height
        return Crop(x: (photoWidth - byHeight) / 2, y: 0, width: max(1, byHeight), height: photoHeight, preset: name)
    }

    /// Whether a crop has this ratio, within a pixel.
    public func fits(_ crop: Crop) -> Bool {
        abs(crop.width * height - crop.height * width) <= max(width, height)
    }
}

/// What an editor asks a crop to be: an aspect of the pipeline (the largest centred rectangle of
/// it), a rectangle (in the pixels of the photo as displayed), or a rectangle checked against
/// an aspect.
public struct CropRequest: Sendable, Equatable {
    /// The aspect's name ("hero"); nil for a free crop.
    public var preset: String?
    /// X, Y, width and height; nil for the aspect's centred rectangle.
    public var rectangle: [Int]?

    /// Makes a request.
    public init(preset: String?, rectangle: [Int]?) {
        self.preset = preset
        self.rectangle = rectangle
    }

    /// A request from "X,Y,WIDTH,HEIGHT" (the command line's `--rect`).
    public init(preset: String?, rectangle text: String?) throws {
        var numbers: [Int]?
        if let text {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
            guard parts.count == 4, parts.allSatisfy({ $0 != nil }) else {
                throw DeskError(.invalid, "a crop rectangle is X,Y,WIDTH,HEIGHT: four whole numbers")
            }
            numbers = parts.compactMap { $0 }
        }
        self.init(preset: preset, rectangle: numbers)
    }

    /// The crop of a photo of `width` x `height` this asks for, with `aspects` the pipeline's
    /// presets: `invalid` for a preset that is not one of them, a rectangle that is not four
    /// numbers or not of its preset's aspect, or neither a preset nor a rectangle. Whether the
    /// rectangle lies inside the photo is checked when it is saved (`Desk.setCrop`).
    public func crop(width: Int, height: Int, aspects: [CropAspect]) throws -> Crop {
        let aspect = try preset.map { name in
            guard let aspect = aspects.first(where: { $0.name == name }) else {
                throw DeskError(
                    .invalid,
                    "there is no crop preset \(name.prefix(40)); the presets are \(aspects.map(\.name).joined(separator: ", "))"
                )
            }
            return aspect
        }
        guard let rectangle else {
            guard let aspect else { throw DeskError(.invalid, "give a preset, or x, y, width and height") }
            return aspect.centred(width: width, height: height)
        }
        guard rectangle.count == 4 else {
            throw DeskError(.invalid, "a crop rectangle is x, y, width and height: four whole numbers")
        }
        let crop = Crop(
            x: rectangle[0], y: rectangle[1], width: rectangle[2], height: rectangle[3], preset: aspect?.name)
        if let aspect, !aspect.fits(crop) {
            throw DeskError(
                .invalid,
                "\(crop.width) x \(crop.height) is not \(aspect.width):\(aspect.height); adjust the width or height")
        }
        return crop
    }
}

/// An article's text as a file or a form gives it.
public struct ArticleContent: Sendable, Equatable {
    /// The longest body the desk keeps, in bytes: a long feature is a tenth of it, and CommonMark
    /// renders every body of this size in well under a second however it is written.
    public static let maxBodyBytes = 64 << 10

    public var slug: String
    public var headline: String
    public var dateline: String?
    public var byline: String?
    public var body: String
    /// The publication the source asks for; nil keeps what the article has (or draft when new).
    public var publication: Publication?

    /// Makes content.
    public init(
        slug: String, headline: String, dateline: String? = nil, byline: String? = nil, body: String = "",
        publication: Publication? = nil
    ) {
        self.slug = slug
        self.headline = headline
        self.dateline = dateline
        self.byline = byline
        self.body = body
        self.publication = publication
    }
}

/// Whether and when an article is public.
public struct Publication: Sendable, Equatable {
    public var state: PublicationState
    /// When it becomes public (a future time is an embargo).
    public var at: Date?
    /// The time as written, with its offset.
    public var text: String?

    /// Makes a publication.
    public init(state: PublicationState, at: Date?, text: String?) {
        self.state = state
        self.at = at
        self.text = text
    }

    /// What an article file's front matter says: `status:` (draft, scheduled or published) and
    /// `published:` (a date, `2020-09-21`, read as midnight UTC, or a date-time with its offset,
    /// `2020-09-21T08:00:00+07:00`). No status means published when `published:` is set and
    /// draft when it is not; nil when the file says neither (the article keeps its state).
    public static func frontMatter(status: String?, published: String?, name: String) throws -> Publication? {
        let text = published.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        let time = try text.map { try PublicationTime.parse($0, name: name) }
        switch status?.trimmingCharacters(in: .whitespaces).lowercased() {
        case nil, "":
            guard let time else { return nil }
            return Publication(state: .published, at: time, text: text)
        case "draft": return Publication(state: .draft, at: time, text: text)
        case "published": return Publication(state: .published, at: time ?? Date(timeIntervalSince1970: 0), text: text)
        case "scheduled":
            guard let time else {
                throw DeskError(.invalid, "\(name): status: scheduled needs published: with the time it goes public")
            }
            return Publication(state: .published, at: time, text: text)
        case let other?:
            throw DeskError(
                .invalid, "\(name): status: \(other) is not one of draft, scheduled, published")
        }
    }
}

/// Publication times as people write them.
public enum PublicationTime {
    /// A date (`2020-09-21`, midnight UTC) or an ISO 8601 date-time with an offset or `Z`
    /// (`2020-09-21T08:00:00+07:00`, seconds optional).
    public static func parse(_ text: String, name: String) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= 40 else { throw invalid(text, name) }
        let withSeconds = ISO8601DateFormatter()
        withSeconds.formatOptions = [.withInternetDateTime]
        if let date = withSeconds.date(from: trimmed) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: trimmed) { return date }
        // Minutes only: 2020-09-21T08:00+07:00.
        if let match = trimmed.wholeMatch(of: /(\d{4}-\d\d-\d\dT\d\d:\d\d)(Z|[+-]\d\d:\d\d)/),
            let date = withSeconds.date(from: "\(match.output.1):00\(match.output.2)")
        {
            return date
        }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        if trimmed.utf8.count == 10, let date = day.date(from: trimmed) { return date }
        throw invalid(text, name)
    }

    static func invalid(_ text: String, _ name: String) -> DeskError {
        DeskError(
            .invalid,
            "\(name): \"\(text.prefix(60))\" is not a publication time: write 2020-09-21 or 2020-09-21T08:00:00+07:00")
    }

    /// A time written with an offset, for display and for files: `2020-09-21T08:00:00+07:00`.
    public static func text(_ date: Date, offset: TimeZone = TimeZone(secondsFromGMT: 0) ?? .current) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = offset
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// A photo to place in an article, with its caption and crop for this use.
public struct ArticlePhotoInput: Sendable, Equatable {
    public var sha256: String
    public var caption: String?
    public var crop: Crop?

    /// Makes an input.
    public init(sha256: String, caption: String? = nil, crop: Crop? = nil) {
        self.sha256 = sha256
        self.caption = caption
        self.crop = crop
    }
}

extension Desk {
    /// Creates or updates (by slug) an article with its photos in order. A photo that stays in the
    /// article keeps the crop an editor set for it unless the input gives one.
    @discardableResult
    public func saveArticle(_ content: ArticleContent, photos: [ArticlePhotoInput]) async throws -> (
        article: Article, created: Bool
    ) {
        guard content.body.utf8.count <= ArticleContent.maxBodyBytes else {
            throw DeskError(
                .invalid,
                "article \(content.slug.prefix(200)): the body is \(content.body.utf8.count) bytes, over the \(ArticleContent.maxBodyBytes)-byte limit of an article's text (photos are not counted: they are files of their own)"
            )
        }
        for _ in 0..<Self.attempts {
            let existing = try await stored { try await store.article(slug: content.slug) }
            var article =
                existing?.article
                ?? Article(slug: content.slug, headline: content.headline)
            article.headline = content.headline
            article.dateline = content.dateline
            article.byline = content.byline
            article.body = content.body
            article.updatedAt = clock()
            if let publication = content.publication {
                // Publishing through an import passes the same guard as `article publish`.
                let publishing =
                    publication.state == .published
                    && (existing?.article.state != .published || existing?.article.publishAt != publication.at)
                if publishing {
                    try await guardImport(content.slug, photos: photos, at: publication.at ?? clock())
                }
                article.state = publication.state
                article.publishAt = publication.at
                article.published = publication.text
            }
            var crops: [String: Crop] = [:]
            for use in existing?.uses ?? [] {
                if let sha = use.sha256, let crop = use.crop, crops[sha] == nil { crops[sha] = crop }
            }
            let uses = photos.enumerated().map { index, photo in
                ArticleUse(
                    position: index + 1, sha256: photo.sha256, caption: photo.caption,
                    crop: photo.crop ?? crops[photo.sha256],
                    searchText: SearchText.useText(headline: article.headline, caption: photo.caption))
            }
            do {
                let saved = try await store.saveArticle(
                    article, uses: uses, expectingVersion: existing?.article.version)
                return (saved, existing == nil)
            } catch let error as CatalogError where error.code == .conflict || error.code == .exists {
                continue
            } catch let error as CatalogError {
                throw DeskError(error)
            }
        }
        throw DeskError(.busy, "article \(content.slug) kept changing while saving; nothing was saved, try again")
    }

    /// Refuses an import that publishes photos which may not run at its time, each with why.
    func guardImport(_ slug: String, photos: [ArticlePhotoInput], at time: Date) async throws {
        var refusals: [PhotoRefusal] = []
        for (index, photo) in photos.enumerated() {
            if var refusal = try await refusal(of: photo.sha256, at: time, article: slug) {
                refusal.position = index + 1
                refusals.append(refusal)
            }
        }
        guard !refusals.isEmpty else { return }
        throw Self.refused(
            slug, at: time, refusals,
            advice: "Import it as a draft (status: draft), then lease, replace or unlink them, or (an admin) "
                + "publish it with `article publish --override`.")
    }

    /// The publish guard's refusal: the article, its time, each photo with why, what to do.
    static func refused(_ slug: String, at time: Date, _ refusals: [PhotoRefusal], advice: String) -> DeskError {
        var error = DeskError(
            .refused,
            "article \(slug) cannot be published at \(PublicationTime.text(time)): "
                + "\(refusals.count == 1 ? "a photo" : "\(refusals.count) photos") may not run\n"
                + refusals.map { "  \($0)" }.joined(separator: "\n") + "\n" + advice)
        error.refusals = refusals
        return error
    }

    /// Changes an article's uses by a rule, as one compare-and-set on its version (tried again
    /// when someone else saved it meanwhile). Positions are renumbered 1, 2, 3... in order.
    func changeUses(
        _ slug: String, _ change: (Article, inout [ArticleUse]) throws -> Void
    ) async throws -> Article {
        for _ in 0..<Self.attempts {
            guard let bundle = try await stored({ try await store.article(slug: slug) }) else {
                throw DeskError(.notFound, "no article \(slug)")
            }
            var uses = bundle.uses
            try change(bundle.article, &uses)
            for index in uses.indices {
                uses[index].position = index + 1
                uses[index].searchText = SearchText.useText(
                    headline: bundle.article.headline, caption: uses[index].caption)
            }
            var article = bundle.article
            article.updatedAt = clock()
            do {
                return try await store.saveArticle(article, uses: uses, expectingVersion: bundle.article.version)
            } catch let error as CatalogError where error.code == .conflict {
                continue
            } catch let error as CatalogError {
                throw DeskError(error)
            }
        }
        throw DeskError(.busy, "article \(slug) kept changing while saving; nothing was saved, try again")
    }

    /// Places photos in an article at a position (1 is first; the end by default; positions out
    /// of range go to the nearest end), with a caption for this use.
    @discardableResult
    public func link(_ slug: String, photos: [String], position: Int? = nil, caption: String? = nil) async throws
        -> Article
    {
        let text = caption.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        for sha in photos {
            if let rights = try await stored({ try await store.rights(of: sha) }), rights.state.killed {
                throw DeskError(
                    .refused, "photo \(sha.prefix(16)) is killed: it cannot be linked until an admin unkills it")
            }
        }
        return try await changeUses(slug) { _, uses in
            let index = position.map { min(max($0, 1), uses.count + 1) - 1 } ?? uses.count
            uses.insert(contentsOf: photos.map { ArticleUse(position: 0, sha256: $0, caption: text) }, at: index)
        }
    }

    /// Takes a photo out of an article (every use of it); the others close up.
    @discardableResult
    public func unlink(_ slug: String, photo sha256: String) async throws -> Article {
        try await changeUses(slug) { _, uses in
            guard uses.contains(where: { $0.sha256 == sha256 }) else {
                throw DeskError(.notFound, "photo \(sha256.prefix(16)) is not in article \(slug)")
            }
            uses.removeAll { $0.sha256 == sha256 }
        }
    }

    /// The use at a position of an article, with the article and the photo's card (editors'
    /// view): `notFound` when there is no such article, or no photo at that position.
    public func use(in slug: String, at position: Int) async throws -> (
        article: ArticleBundle, use: ArticleUse, card: PhotoCard
    ) {
        guard let bundle = try await stored({ try await store.article(slug: slug) }) else {
            throw DeskError(.notFound, "no article \(slug.prefix(200))")
        }
        guard let use = bundle.uses.first(where: { $0.position == position }), let sha = use.sha256,
            let card = bundle.photos[sha]
        else { throw DeskError(.notFound, "article \(slug.prefix(200)) has no photo at position \(position)") }
        return (bundle, use, card)
    }

    /// Crops the photo at a position of an article as an editor asked (see `CropRequest`) and
    /// saves it: the crop and the photo's hash, for its rendition to be made.
    public func crop(_ slug: String, position: Int, _ request: CropRequest, aspects: [CropAspect]) async throws
        -> (crop: Crop, sha256: String)
    {
        let (_, _, card) = try await use(in: slug, at: position)
        let crop = try request.crop(width: card.width, height: card.height, aspects: aspects)
        try await setCrop(slug, position: position, crop: crop)
        return (crop, card.sha256)
    }

    /// Sets (or with nil, removes) the crop of the use at a position: a rectangle inside the
    /// photo as displayed. The photo itself and its other uses are unchanged.
    @discardableResult
    public func setCrop(_ slug: String, position: Int, crop: Crop?) async throws -> Article {
        var size: (Int, Int)?
        if let bundle = try await stored({ try await store.article(slug: slug) }),
            let use = bundle.uses.first(where: { $0.position == position }), let sha = use.sha256,
            let photo = bundle.photos[sha]
        {
            size = (photo.width, photo.height)
        }
        if let crop, let (width, height) = size {
            guard crop.x >= 0, crop.y >= 0, crop.width >= 1, crop.height >= 1, crop.x < width, crop.y < height,
                crop.width <= width - crop.x, crop.height <= height - crop.y
            else {
                throw DeskError(
                    .invalid,
                    "the crop \(crop.width)x\(crop.height) at \(crop.x),\(crop.y) is not inside the photo (\(width)x\(height))"
                )
            }
        }
        return try await changeUses(slug) { _, uses in
            guard let index = uses.firstIndex(where: { $0.position == position }), uses[index].sha256 != nil else {
                throw DeskError(.notFound, "article \(slug) has no photo at position \(position)")
            }
            uses[index].crop = crop
        }
    }

    /// Publishes an article now or from a time (an embargo), or with nil `state` draft takes it back.
    /// The publish guard refuses an article whose photos may not run at its time
    /// (`DeskError.refused`, each photo with its reason in `refusals`) unless `override` gives an
    /// admin's reason, which each refused photo's history keeps.
    @discardableResult
    public func setPublication(
        _ slug: String, _ publication: Publication, override: String? = nil, by: String = "desk"
    ) async throws -> Article {
        if publication.state == .published {
            let time = publication.at ?? clock()
            let refusals = try await guardRefusals(slug, at: time)
            if !refusals.isEmpty {
                let reason = override?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                guard !reason.isEmpty else {
                    throw Self.refused(
                        slug, at: time, refusals,
                        advice:
                            "Lease, replace or unlink them, or (an admin) publish anyway with an override and its reason."
                    )
                }
                try await recordOverride(refusals, slug: slug, reason: reason, by: by)
            }
        }
        for _ in 0..<Self.attempts {
            guard let bundle = try await stored({ try await store.article(slug: slug) }) else {
                throw DeskError(.notFound, "no article \(slug)")
            }
            var article = bundle.article
            article.state = publication.state
            if publication.state == .published {
                article.publishAt = publication.at ?? clock()
                article.published = publication.text ?? PublicationTime.text(article.publishAt ?? clock())
            }
            article.updatedAt = clock()
            do {
                return try await store.saveArticle(article, uses: bundle.uses, expectingVersion: bundle.article.version)
            } catch let error as CatalogError where error.code == .conflict {
                continue
            } catch let error as CatalogError {
                throw DeskError(error)
            }
        }
        throw DeskError(.busy, "article \(slug) kept changing while saving; nothing was saved, try again")
    }

    /// An article's state for people: draft, scheduled (public later) or published.
    public func status(of article: Article) -> String {
        ArticleStatus(article.state, publishAt: article.publishAt, now: clock()).rawValue
    }

    /// An article with its photos and their captions as used, as the audience sees it; nil when
    /// there is none or readers may not see it yet.
    public func article(slug: String, audience: Audience) async throws -> (ArticleDocument, Article)? {
        guard let bundle = try await stored({ try await store.article(slug: slug) }),
            audience.sees(publicFrom: bundle.article.publicFrom)
        else { return nil }
        let article = bundle.article
        let photos = bundle.uses.map { use -> ArticleDocument.Photo in
            guard let sha = use.sha256, let card = bundle.photos[sha] else {
                return ArticleDocument.Photo(
                    sha256: nil, position: use.position, caption: use.caption, credit: nil, byline: nil,
                    copyright: nil, width: nil, height: nil, crop: nil, renditions: [])
            }
            // A photo its rights keep back (killed, an embargo, a lease ended): a gap that says so.
            if !audience.sees(card.visibility) {
                return ArticleDocument.Photo(
                    sha256: nil, position: use.position, caption: nil, credit: nil, byline: nil, copyright: nil,
                    width: nil, height: nil, crop: nil, renditions: [],
                    withheld: card.killed ? "withdrawn" : "not available")
            }
            return ArticleDocument.Photo(
                sha256: sha, position: use.position, caption: use.caption ?? card.caption.caption,
                credit: card.caption.credit, byline: card.caption.byline, copyright: card.caption.copyright,
                width: card.width, height: card.height, crop: use.crop, renditions: card.renditions,
                mandatoryCredit: Self.mandatoryCredit(card.caption))
        }
        return (
            ArticleDocument(
                slug: article.slug, headline: article.headline, dateline: article.dateline,
                published: article.published, byline: article.byline, body: article.body, status: status(of: article),
                publishAt: article.publishAt, version: article.version, photos: photos), article
        )
    }

    /// The articles the audience sees, newest first.
    public func articles(limit: Int, audience: Audience) async throws -> [ArticleSummary] {
        try await stored { try await store.articles(limit: limit, audience: audience) }
    }

    /// The next time after `date` (now by default) that something scheduled becomes public
    /// (caches of readers' pages end then).
    public func nextPublication(after date: Date? = nil) async throws -> Date? {
        try await stored { try await store.nextPublication(after: date ?? clock()) }
    }
}
