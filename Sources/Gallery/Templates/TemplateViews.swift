import Mustache

// Template views answer the templates' lookups from a table of key paths: swift-mustache
// otherwise reflects a whole Mirror for every {{name}}, which was most of an article page's time.
// The tables are constants, written once at first use: `nonisolated(unsafe)` only because key
// paths are not marked Sendable.

extension ArticleRoutes.HomeView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "articles": \Self.articles, "hasArticles": \Self.hasArticles, "photos": \Self.photos, "count": \Self.count,
    ]
}

extension ArticleRoutes.ArticleTile: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "slug": \Self.slug, "headline": \Self.headline, "published": \Self.published, "photos": \Self.photos,
        "cover": \Self.cover, "status": \Self.status,
    ]
}

extension ArticleRoutes.Block: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "html": \Self.html, "figure": \Self.figure,
    ]
}

extension ArticleRoutes.Figure: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "number": \Self.number, "id": \Self.id, "caption": \Self.caption, "credit": \Self.credit, "src": \Self.src,
        "srcset": \Self.srcset, "large": \Self.large, "width": \Self.width, "height": \Self.height, "alt": \Self.alt,
        "missing": \Self.missing, "previous": \Self.previous, "next": \Self.next, "copyright": \Self.copyright,
        "byline": \Self.byline, "creditLine": \Self.creditLine, "largeWidth": \Self.largeWidth,
        "largeHeight": \Self.largeHeight, "position": \Self.position, "cropped": \Self.cropped, "image": \Self.image,
        "gap": \Self.gap,
    ]
}

extension ArticleRoutes.ArticleView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "slug": \Self.slug, "headline": \Self.headline, "dateline": \Self.dateline, "published": \Self.published,
        "byline": \Self.byline, "blocks": \Self.blocks, "figures": \Self.figures, "edit": \Self.edit,
    ]
}

extension ArticleRoutes.EditView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "csrf": \Self.csrf, "slug": \Self.slug, "photos": \Self.photos, "count": \Self.count, "status": \Self.status,
        "publishAt": \Self.publishAt, "isDraft": \Self.isDraft, "isScheduled": \Self.isScheduled,
        "isPublished": \Self.isPublished,
    ]
}

extension PhotoRoutes.ListView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "heading": \Self.heading, "photos": \Self.photos, "count": \Self.count, "nextPage": \Self.nextPage,
        "emptyText": \Self.emptyText, "empty": \Self.empty,
    ]
}

extension PhotoRoutes.Tile: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "id": \Self.id, "caption": \Self.caption, "width": \Self.width, "height": \Self.height, "thumb": \Self.thumb,
        "isPrivate": \Self.isPrivate,
    ]
}

extension PhotoRoutes.Detail: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "name": \Self.name, "title": \Self.title, "value": \Self.value,
    ]
}

extension PhotoRoutes.FieldView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "name": \Self.name, "label": \Self.label, "value": \Self.value, "multiline": \Self.multiline,
        "choices": \Self.choices, "hasChoices": \Self.hasChoices,
    ]
}

extension PhotoRoutes.Choice: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = ["code": \Self.code, "label": \Self.label]
}

extension PhotoRoutes.ConflictView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "field": \Self.field, "stored": \Self.stored, "yours": \Self.yours,
    ]
}

extension PhotoRoutes.EditView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "csrf": \Self.csrf, "revision": \Self.revision, "fields": \Self.fields, "saved": \Self.saved,
        "conflicts": \Self.conflicts, "hasConflicts": \Self.hasConflicts, "lastAuthor": \Self.lastAuthor,
        "isPublic": \Self.isPublic, "publicFrom": \Self.publicFrom, "rights": \Self.rights,
    ]
}

extension PhotoRoutes.PhotoView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "id": \Self.id, "caption": \Self.caption, "alt": \Self.alt, "headline": \Self.headline, "byline": \Self.byline,
        "credit": \Self.credit, "details": \Self.details, "takenAt": \Self.takenAt,
        "camera": \Self.camera, "exposure": \Self.exposure, "coordinates": \Self.coordinates,
        "width": \Self.width, "height": \Self.height, "large": \Self.large, "largeWidth": \Self.largeWidth,
        "largeHeight": \Self.largeHeight, "srcset": \Self.srcset, "articles": \Self.articles,
        "hasArticles": \Self.hasArticles, "previous": \Self.previous, "next": \Self.next, "edit": \Self.edit,
        "mandatoryCredit": \Self.mandatoryCredit, "credentials": \Self.credentials,
        "credentialsState": \Self.credentialsState, "credentialsCodes": \Self.credentialsCodes,
        "credentialsReport": \Self.credentialsReport,
    ]
}

extension PageRenderer.LayoutView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "title": \Self.title, "body": \Self.body, "viewer": \Self.viewer, "csrf": \Self.csrf, "isAdmin": \Self.isAdmin,
        "structuredData": \Self.structuredData,
    ]
}

extension FeedRoutes.FeedView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "title": \Self.title, "link": \Self.link, "selfLink": \Self.selfLink, "description": \Self.description,
        "items": \Self.items,
    ]
}

extension FeedRoutes.Item: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "title": \Self.title, "link": \Self.link, "pubDate": \Self.pubDate, "author": \Self.author,
        "summary": \Self.summary, "media": \Self.media,
    ]
}

extension FeedRoutes.Media: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "url": \Self.url, "type": \Self.type, "width": \Self.width, "height": \Self.height, "caption": \Self.caption,
        "byline": \Self.byline, "credit": \Self.credit, "copyright": \Self.copyright,
    ]
}

extension SearchRoutes.Option: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "value": \Self.value, "selected": \Self.selected,
    ]
}

extension SearchRoutes.SearchView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "q": \Self.q, "byline": \Self.byline, "from": \Self.from, "to": \Self.to, "article": \Self.article,
        "camera": \Self.camera, "missing": \Self.missing, "searched": \Self.searched, "total": \Self.total,
        "photos": \Self.photos, "nextPage": \Self.nextPage, "error": \Self.error, "empty": \Self.empty,
    ]
}

extension UploadRoutes.PageView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "csrf": \Self.csrf, "available": \Self.available, "limit": \Self.limit, "results": \Self.results,
        "summary": \Self.summary,
    ]
}

extension UploadRoutes.OutcomeView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "name": \Self.name, "status": \Self.status, "id": \Self.id, "error": \Self.error, "thumb": \Self.thumb,
        "isNew": \Self.isNew,
    ]
}

/// A value the templates read through `fields` rather than by reflection.
protocol TemplateView: MustacheParent {
    static var fields: [String: PartialKeyPath<Self>] { get }
}

extension TemplateView {
    /// A field's value by its name in the template (package, as `Markdown.Span` is).
    package func child(named name: String) -> Any? {
        guard let path = Self.fields[name] else { return nil }
        let value = self[keyPath: path]
        // An absent optional is no value (as when reflecting), so its section is skipped.
        if let optional = value as? any OptionalValue { return optional.wrappedValue }
        return value
    }
}

/// Optionals, seen through `Any`.
protocol OptionalValue {
    var wrappedValue: Any? { get }
}

extension Optional: OptionalValue {
    var wrappedValue: Any? {
        guard let self else { return nil }
        if let inner = self as? any OptionalValue { return inner.wrappedValue }
        return self
    }
}

extension ErrorPageMiddleware.ErrorView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "status": \Self.status, "message": \Self.message,
    ]
}

extension ArticleDeskRoutes.AspectView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "name": \Self.name, "ratio": \Self.ratio, "width": \Self.width, "height": \Self.height, "x": \Self.x,
        "y": \Self.y, "cropWidth": \Self.cropWidth, "cropHeight": \Self.cropHeight, "selected": \Self.selected,
    ]
}

extension ArticleDeskRoutes.CropView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "slug": \Self.slug, "headline": \Self.headline, "position": \Self.position, "csrf": \Self.csrf, "id": \Self.id,
        "image": \Self.image, "imageWidth": \Self.imageWidth, "imageHeight": \Self.imageHeight,
        "photoWidth": \Self.photoWidth, "photoHeight": \Self.photoHeight, "x": \Self.x, "y": \Self.y,
        "width": \Self.width, "height": \Self.height, "preset": \Self.preset, "aspects": \Self.aspects,
        "hasCrop": \Self.hasCrop, "error": \Self.error,
    ]
}

extension DeskRoutes.Waiting: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "field": \Self.field, "count": \Self.count, "photos": \Self.photos, "link": \Self.link,
    ]
}

extension DeskRoutes.ArticleLine: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "slug": \Self.slug, "headline": \Self.headline, "status": \Self.status, "when": \Self.when,
        "photos": \Self.photos,
    ]
}

extension DeskRoutes.Change: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "id": \Self.id, "field": \Self.field, "value": \Self.value, "author": \Self.author, "at": \Self.at,
    ]
}

extension DeskRoutes.FrontView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "viewer": \Self.viewer, "since": \Self.since, "waiting": \Self.waiting, "latest": \Self.latest,
        "articles": \Self.articles, "hasArticles": \Self.hasArticles, "changes": \Self.changes,
        "hasChanges": \Self.hasChanges, "kills": \Self.kills, "hasKills": \Self.hasKills, "refused": \Self.refused,
        "hasRefused": \Self.hasRefused, "restricted": \Self.restricted, "pay": \Self.pay,
    ]
}

extension DeskRoutes.KillLine: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "id": \Self.id, "at": \Self.at, "by": \Self.by, "reason": \Self.reason,
    ]
}

extension DeskRoutes.RefusedArticle: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "slug": \Self.slug, "headline": \Self.headline, "status": \Self.status, "reasons": \Self.reasons,
    ]
}

extension PhotoRoutes.RightsView: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "category": \Self.category, "cost": \Self.cost, "rule": \Self.rule, "usableNow": \Self.usableNow,
        "whyNot": \Self.whyNot, "restrictions": \Self.restrictions, "hasRestrictions": \Self.hasRestrictions,
        "leases": \Self.leases, "hasLeases": \Self.hasLeases, "killed": \Self.killed, "kill": \Self.kill,
        "history": \Self.history, "hasHistory": \Self.hasHistory, "isAdmin": \Self.isAdmin,
    ]
}

extension PhotoRoutes.RightsLine: TemplateView {
    nonisolated(unsafe) static let fields: [String: PartialKeyPath<Self>] = [
        "kind": \Self.kind, "text": \Self.text, "unparsed": \Self.unparsed, "id": \Self.id, "status": \Self.status,
        "standing": \Self.standing,
    ]
}
