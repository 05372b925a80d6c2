import Catalog
import Desk
import Foundation
import Hummingbird
import PhotoModel

/// Pages about photos: the photo list (and the desk's missing-captions list), one page per
/// photo with its editing form for editors, and the caption history.
struct PhotoRoutes: Sendable {
    let environment: GalleryEnvironment
    var desk: Desk { environment.desk }
    var pages: PageRenderer { environment.pages }
    static let pageSize = 48

    init(_ environment: GalleryEnvironment) {
        self.environment = environment
    }

    func register(on router: Router<GalleryContext>) {
        router.get("/photos") { request, context in try await self.list(request, context) }
        router.get("/photos/:id") { request, context in
            try await self.photo(try context.parameters.require("id"), request, context)
        }
        router.post("/photos/:id/caption") { request, context in try await self.saveCaption(request, context) }
        router.get("/photos/:id/history") { request, context in try await self.history(request, context) }
        router.post("/photos/:id/revert") { request, context in try await self.revert(request, context) }
    }

    struct ListView {
        var heading: String
        var photos: [Tile]
        var count: String
        var nextPage: String?
        var emptyText: String
        var empty: Bool
    }

    struct Tile {
        var id: String
        var caption: String
        var width: Int
        var height: Int
        var thumb: String
        /// For editors: the photo is not public (yet).
        var isPrivate: Bool
    }

    /// The `missing=` filter of a request: nil when absent or empty, 400 when not a field.
    static func missing(_ text: String?) throws -> CaptionField? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let field = CaptionField(rawValue: text), SearchQuery.missingFields.contains(field) else {
            throw GalleryError(
                .invalid,
                "missing takes one of: \(SearchQuery.missingFields.map(\.rawValue).joined(separator: ", "))")
        }
        return field
    }

    /// The rights filter a `rights` parameter names; nil when absent, 400 for another name.
    static func rights(_ text: String?) throws -> RightsFilter? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let filter = RightsFilter(name: text) else {
            throw GalleryError(.invalid, "rights takes one of: \(RightsFilter.names.joined(separator: ", "))")
        }
        return filter
    }

    /// The Content Credentials filter a `provenance` parameter names; nil when absent, 400 for
    /// another name.
    static func provenance(_ text: String?) throws -> Provenance.State? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let state = Provenance.State(rawValue: text) else {
            throw GalleryError(
                .invalid,
                "provenance takes one of: \(Provenance.State.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return state
    }

    /// Whether a `generated` parameter asks for AI-generated photos only: "1" yes, "0" or empty
    /// no, anything else a 400 (as the API's description says).
    static func generated(_ text: String?) throws -> Bool {
        switch text ?? "" {
        case "1": return true
        case "0", "": return false
        default: throw GalleryError(.invalid, "generated takes 1 or 0")
        }
    }

    /// JSON indented for reading, or the text as it is.
    static func prettyJSON(_ text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        else { return text }
        return String(decoding: data, as: UTF8.self)
    }

    func list(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let missing = try Self.missing(parameters.get("missing"))
        let rights = try Self.rights(parameters.get("rights"))
        let provenance = try Self.provenance(parameters.get("provenance"))
        let generated = try Self.generated(parameters.get("generated"))
        let filters = SearchFilters(missing: missing, rights: rights, provenance: provenance, generated: generated)
        let page = try await desk.photos(
            filters: filters, limit: Self.pageSize, after: parameters.get("after"), audience: context.audience)
        let count = try await desk.pageCount(filters: filters, audience: context.audience).description
        let tiles = Self.tiles(page.photos, marking: context.viewer != nil ? context.now : nil)
        let query =
            (missing.map { "missing=\($0.rawValue)&" } ?? "") + (rights.map { "rights=\($0.name)&" } ?? "")
            + (provenance.map { "provenance=\($0.rawValue)&" } ?? "") + (generated ? "generated=1&" : "")
        return try pages.page(
            "photos", title: missing.map { "Missing \($0.rawValue)" } ?? "Photos",
            ListView(
                heading: missing.map { "Photos missing a \($0.rawValue)" } ?? rights.map { "Photos: rights \($0.name)" }
                    ?? provenance.map { "Photos: Content Credentials \($0.rawValue)" }
                    ?? (generated ? "Photos declared AI-generated" : "Photos"), photos: tiles, count: count,
                nextPage: page.next.map { "/photos?\(query)after=\($0)" },
                emptyText: missing.map { "Every photo has a \($0.rawValue)." }
                    ?? "No photos yet. Ingest a folder with photodesk ingest DIR.",
                empty: tiles.isEmpty),
            context: context)
    }

    /// Grid tiles for photos, each with its smallest rendition; `marking` (for editors) marks
    /// the photos readers cannot see at that time.
    static func tiles(_ cards: [PhotoCard], marking now: Date? = nil) -> [Tile] {
        cards.map { card in
            let thumb = card.renditions.first { !$0.preset.hasPrefix(Crops.prefix) }
            return Tile(
                id: card.shortId, caption: card.caption.caption ?? "Untitled photo", width: thumb?.width ?? 0,
                height: thumb?.height ?? 0, thumb: thumb.map { RenditionRoutes.url(id: card.shortId, $0) } ?? "",
                isPrivate: now.map { !Audience.readers(at: $0).sees(card.visibility) } ?? false)
        }
    }

    /// One field of the caption form.
    struct FieldView {
        var name: String
        var label: String
        var value: String
        var multiline: Bool
        /// A closed list's terms, offered as the input's suggestions (the desk checks the value).
        var choices: [Choice]
        var hasChoices: Bool { !choices.isEmpty }
    }

    /// One term of a field's closed list.
    struct Choice {
        var code: String
        var label: String
    }

    /// One field of a refused (stale) edit: what is stored now and what the editor sent.
    struct ConflictView {
        var field: String
        var stored: String
        var yours: String
    }

    struct EditView {
        var csrf: String
        var revision: Int
        var fields: [FieldView]
        var saved: Int?
        var conflicts: [ConflictView]
        var hasConflicts: Bool
        var lastAuthor: String?
        var isPublic: Bool
        var publicFrom: String?
        var rights: RightsView
    }

    /// A photo's rights on its page, for editors.
    struct RightsView {
        var category: String
        var cost: String
        var rule: String?
        var usableNow: Bool
        var whyNot: String?
        var restrictions: [RightsLine]
        var hasRestrictions: Bool
        var leases: [RightsLine]
        var hasLeases: Bool
        var killed: Bool
        var kill: String?
        var history: [RightsLine]
        var hasHistory: Bool
        var isAdmin: Bool

        init(_ report: RightsReport, isAdmin: Bool) {
            category = report.category
            cost = report.cost
            rule = report.rule
            usableNow = report.usableNow
            whyNot = report.whyNot
            restrictions = report.restrictions.map {
                RightsLine(kind: $0.kind.rawValue, text: $0.text, unparsed: $0.kind == .unparsed)
            }
            hasRestrictions = !restrictions.isEmpty
            leases = report.leases.map { lease in
                let period =
                    "\(lease.from.map { PublicationTime.text($0) } ?? "always") – \(lease.until.map { PublicationTime.text($0) } ?? "no end")"
                return RightsLine(
                    kind: lease.kind,
                    text: "\(period)\(lease.article.map { ", article \($0)" } ?? ""): \(lease.note) (\(lease.by))",
                    id: lease.id, status: lease.status, standing: lease.status != "revoked")
            }
            hasLeases = !leases.isEmpty
            killed = report.killed
            kill = report.kill.map { "\(PublicationTime.text($0.at)) by \($0.by): \($0.reason)" }
            history = report.history.map {
                RightsLine(
                    kind: $0.action.rawValue,
                    text:
                        "\(PublicationTime.text($0.at)) \($0.by)\($0.leaseId.map { ", lease \($0)" } ?? ""): \($0.reason)"
                )
            }
            hasHistory = !history.isEmpty
            self.isAdmin = isAdmin
        }
    }

    /// One restriction, lease or history entry.
    struct RightsLine {
        var kind: String
        var text: String
        var unparsed = false
        var id: Int64 = 0
        var status = ""
        var standing = false
    }

    /// A caption field among a photo's details: its name and value.
    struct Detail {
        var name: String
        var title: String
        var value: String
    }

    struct PhotoView {
        var id: String
        var caption: String?
        var alt: String
        var headline: String?
        var byline: String?
        var credit: String?
        /// The fields not in the photo's caption, in the schema's order, as the viewer may see them.
        var details: [Detail]
        var takenAt: String?
        var camera: String?
        var exposure: String?
        var coordinates: String?
        var width: Int
        var height: Int
        var large: String?
        var largeWidth: Int
        var largeHeight: Int
        var srcset: String
        var articles: [PhotoDocument.Use]
        var hasArticles: Bool
        var previous: String?
        var next: String?
        var edit: EditView?
        /// The credit line an agency made mandatory, shown with the photo.
        var mandatoryCredit: String?
        /// What the original's Content Credentials say, for everyone; nil when none were found.
        var credentials: String?
        /// For editors: the verdict, the failing codes and the C2PA library's report.
        var credentialsState: String?
        var credentialsCodes: String?
        var credentialsReport: String?
    }

    /// The line readers see about a photo's Content Credentials: who signed the original (and
    /// whether the desk knows the signer), or that they do not verify; "AI-generated" first when
    /// the credentials declare it. Nil when there are none, or they were not checked.
    static func credentialsLine(_ provenance: Provenance?, fields: CaptionFields) -> String? {
        let byField = Provenance.declaresGenerated(fields[.digitalSourceType])
        guard let provenance, provenance.state != .absent else {
            return byField ? "none; AI-generated (declared in its IPTC metadata)" : nil
        }
        var parts: [String] = []
        if provenance.isGenerated {
            parts.append("AI-generated (declared in them)")
        } else if byField {
            parts.append("AI-generated (declared in its IPTC metadata)")
        }
        let signer = provenance.signer
        switch provenance.state {
        case .valid: parts.append("signed by \(signer)" + (provenance.signedAt.map { " on \($0)" } ?? ""))
        case .untrusted: parts.append("signed by \(signer), a signer this desk does not know")
        case .invalid: parts.append("present, but they do not verify")
        case .absent: break
        }
        return parts.joined(separator: "; ")
    }

    func photo(
        _ id: String, _ request: Request, _ context: GalleryContext, stale: StaleEdit? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let viewpoint = environment.viewpoint(context)
        guard let photo = try await desk.photo(shortId: id, for: viewpoint),
            let document = try await desk.document(sha256: photo.sha256, for: viewpoint)
        else { throw GalleryError.notFound("photo \(id.prefix(64))") }
        let largest = document.renditions.last
        let neighbours = try await desk.neighbours(of: photo.sha256, audience: context.audience)
        let camera = [document.camera.make, document.camera.model, document.camera.lens].compactMap { $0 }
        let exposure = [
            document.exposure.exposureTime.map { "\($0) s" },
            document.exposure.fNumber.map { String(format: "f/%.1f", $0) },
            document.exposure.iso.map { "ISO \($0)" },
            document.exposure.focalLength.map { String(format: "%.0f mm", $0) },
        ].compactMap { $0 }
        var edit: EditView?
        if let viewer = context.viewer, let csrf = viewer.csrf {
            let stored = try await desk.caption(of: photo.sha256)
            var shown = stored.fields
            if let stale {
                for (field, value) in stale.attempted.values { shown[field] = value }
            }
            let conflicts: [ConflictView] =
                stale.map { stale in
                    CaptionField.allCases.compactMap { field in
                        guard let yours = stale.attempted.values[field] else { return nil }
                        let storedValue = stored.fields[field] ?? ""
                        let yoursValue = yours ?? ""
                        return storedValue == yoursValue
                            ? nil : ConflictView(field: field.label, stored: storedValue, yours: yoursValue)
                    }
                } ?? []
            edit = EditView(
                csrf: csrf, revision: stored.revision,
                fields: CaptionField.allCases.map {
                    FieldView(
                        name: $0.rawValue, label: $0.label, value: shown[$0] ?? "", multiline: $0.isMultiline,
                        choices: $0.metadata.vocabulary?.terms.map { Choice(code: $0.code, label: $0.label) } ?? [])
                },
                saved: try Parse.integer(request.uri.queryParameters.get("saved"), name: "saved", in: 0...Int.max),
                conflicts: conflicts, hasConflicts: !conflicts.isEmpty, lastAuthor: stale?.lastAuthor,
                isPublic: Audience.readers(at: context.now).sees(photo.visibility),
                publicFrom: photo.publicFrom.map { PublicationTime.text($0) },
                rights: RightsView(
                    try await desk.rights(of: photo.sha256), isAdmin: context.viewer?.role == .admin))
        }
        let view = PhotoView(
            id: document.id, caption: document.caption, alt: document.caption ?? "Photo \(document.id)",
            headline: document.headline, byline: document.byline, credit: document.credit,
            details: CaptionField.allCases.filter { !$0.isInPhotoCaption }.compactMap { field in
                document.fields[field].map { Detail(name: field.rawValue, title: field.title, value: $0) }
            },
            takenAt: document.takenAt, camera: camera.isEmpty ? nil : camera.joined(separator: " · "),
            exposure: exposure.isEmpty ? nil : exposure.joined(separator: " · "),
            coordinates: document.gps.map {
                String(
                    format: viewpoint.isEditor || environment.configuration.location == .exact
                        ? "%.5f, %.5f" : "%.1f, %.1f", $0.latitude, $0.longitude)
            },
            width: document.width, height: document.height,
            large: largest.map { RenditionRoutes.url(id: document.id, $0) },
            largeWidth: largest?.width ?? 0, largeHeight: largest?.height ?? 0,
            srcset: document.renditions.map { "\(RenditionRoutes.url(id: document.id, $0)) \($0.width)w" }.joined(
                separator: ", "),
            articles: document.articles, hasArticles: !document.articles.isEmpty,
            previous: neighbours.newer.map { "/photos/\($0.shortId)" },
            next: neighbours.older.map { "/photos/\($0.shortId)" }, edit: edit,
            mandatoryCredit: document.mandatoryCredit,
            credentials: Self.credentialsLine(document.provenance, fields: document.fields),
            credentialsState: edit == nil ? nil : document.provenance.map(\.summary),
            credentialsCodes: edit == nil
                ? nil : document.provenance.flatMap { $0.codes.isEmpty ? nil : $0.codes.joined(separator: ", ") },
            credentialsReport: edit == nil ? nil : document.provenance?.report.map(Self.prettyJSON))
        return try pages.page(
            "photo", title: document.caption.map { String($0.prefix(80)) } ?? "Photo \(document.id)", view,
            context: context, status: status,
            structuredData: StructuredData.imageObject(document, base: environment.base(request, context)))
    }

    /// The photo of a `/photos/:id/...` request, for editors.
    func photo(_ context: GalleryContext) async throws -> Photo {
        let id = try context.parameters.require("id")
        guard let photo = try await desk.photo(shortId: id, for: .editors) else {
            throw GalleryError(.notFound, "No such photo: it may have been removed.")
        }
        return photo
    }

    func saveCaption(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        try FormAuth.require(request, context, form: form)
        let photo = try await photo(context)
        var changes = CaptionChanges()
        for field in CaptionField.allCases {
            if let value = form[field.rawValue] { changes.values[field] = .some(value) }
        }
        guard let revision = try Parse.integer(form["revision"], name: "revision", in: 0...Int.max) else {
            throw GalleryError(.invalid, "The form has no caption revision: reload the page.")
        }
        do {
            let saved = try await desk.setCaption(
                photo.sha256, changes: changes, basedOn: revision, author: context.viewer?.name ?? "web", source: "web")
            environment.changed()
            return Redirect.to("/photos/\(photo.shortId)?saved=\(saved.revision)")
        } catch let error as DeskError where error.code == .stale {
            // Nothing is lost: the page shows both versions and keeps the editor's text in the form.
            return try await self.photo(photo.shortId, request, context, stale: error.stale, status: .conflict)
        }
    }

    struct HistoryView {
        struct Change {
            var field: String
            var old: String
            var new: String
        }
        struct Revision {
            var revision: Int
            var author: String
            var at: String
            var source: String
            var changes: [Change]
            var isCurrent: Bool
        }
        var id: String
        var caption: String?
        var revisions: [Revision]
        var empty: Bool
        var csrf: String
    }

    func history(_ request: Request, _ context: GalleryContext) async throws -> Response {
        guard context.viewer?.csrf != nil else { throw Redirect.toLogin(from: request) }
        let photo = try await photo(context)
        let history = try await desk.history(of: photo.sha256)
        let current = try await desk.caption(of: photo.sha256)
        let formatter = ISO8601DateFormatter()
        var revisions: [HistoryView.Revision] = []
        for change in history {
            let item = HistoryView.Change(
                field: CaptionField(rawValue: change.field)?.label ?? change.field, old: change.oldValue ?? "",
                new: change.newValue ?? "")
            if let last = revisions.last, last.revision == change.revision {
                revisions[revisions.count - 1].changes.append(item)
            } else {
                revisions.append(
                    HistoryView.Revision(
                        revision: change.revision, author: change.author, at: formatter.string(from: change.at),
                        source: change.source, changes: [item], isCurrent: change.revision == current.revision))
            }
        }
        return try pages.page(
            "history", title: "Caption history",
            HistoryView(
                id: photo.shortId, caption: current.fields.caption, revisions: revisions.reversed(),
                empty: revisions.isEmpty, csrf: context.viewer?.csrf ?? ""),
            context: context)
    }

    func revert(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let form = try await FormBody.read(request)
        try FormAuth.require(request, context, form: form)
        let photo = try await photo(context)
        guard let revision = try Parse.integer(form["revision"], name: "revision", in: 1...Int.max) else {
            throw GalleryError(.invalid, "The form names no revision to restore: reload the history page.")
        }
        let saved = try await desk.revert(photo.sha256, to: revision, author: context.viewer?.name ?? "web")
        environment.changed()
        return Redirect.to("/photos/\(photo.shortId)?saved=\(saved.revision)")
    }
}
