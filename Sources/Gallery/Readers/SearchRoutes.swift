import Catalog
import Desk
import Foundation
import Hummingbird
import PhotoModel

/// The search page: words and the filters of `photodesk search`, keyset-paged.
struct SearchRoutes: Sendable {
    let environment: GalleryEnvironment
    var desk: Desk { environment.desk }
    var pages: PageRenderer { environment.pages }
    static let pageSize = 48
    /// The longest text a search field may hold.
    static let maxText = 500

    init(_ environment: GalleryEnvironment) {
        self.environment = environment
    }

    func register(on router: Router<GalleryContext>) {
        router.get("/search") { request, context in try await self.search(request, context) }
    }

    struct Option {
        var value: String
        var selected: Bool
    }

    struct SearchView {
        var q: String
        var byline: String
        var from: String
        var to: String
        var article: String
        var camera: String
        var missing: [Option]
        var searched: Bool
        var total: String
        var photos: [PhotoRoutes.Tile]
        var nextPage: String?
        var error: String?
        var empty: Bool
    }

    /// A search from a query string (forms send spaces as "+"): words and filters, each trimmed
    /// and capped; a bad `missing` is a 400.
    static func query(_ parameters: FormBody) throws -> SearchQuery {
        func text(_ name: String) throws -> String? {
            guard let value = parameters[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            guard value.utf8.count <= maxText else {
                throw GalleryError(.invalid, "\(name) is too long (at most \(maxText) bytes)")
            }
            return value
        }
        return SearchQuery(
            text: try text("q") ?? "",
            filters: SearchFilters(
                missing: try PhotoRoutes.missing(parameters["missing"]), byline: try text("byline"),
                from: try text("from"), to: try text("to"), article: try text("article"), camera: try text("camera"),
                rights: try PhotoRoutes.rights(parameters["rights"]),
                provenance: try PhotoRoutes.provenance(parameters["provenance"]),
                generated: try PhotoRoutes.generated(parameters["generated"])))
    }

    func search(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let parameters = FormBody(request.uri.query ?? "")
        let query = try Self.query(parameters)
        let searched = !query.isEmpty
        var page = SearchPage(results: [], total: 0, next: nil)
        if searched {
            page = try await desk.search(
                query, limit: Self.pageSize, after: parameters["after"], audience: context.audience)
        }
        var next: String?
        if let token = page.next {
            var components = URLComponents()
            components.path = "/search"
            components.queryItems =
                ["q", "missing", "byline", "from", "to", "article", "camera", "rights", "provenance", "generated"]
                .compactMap { name in
                    parameters[name].flatMap { $0.isEmpty ? nil : URLQueryItem(name: name, value: $0) }
                } + [URLQueryItem(name: "after", value: token)]
            next = components.string
        }
        let cards = try await desk.cards(page.results.map(\.sha256))
        let tiles = PhotoRoutes.tiles(
            page.results.compactMap { cards[$0.sha256] }, marking: context.viewer != nil ? context.now : nil)
        let view = SearchView(
            q: query.text, byline: query.filters.byline ?? "", from: query.filters.from ?? "",
            to: query.filters.to ?? "", article: query.filters.article ?? "", camera: query.filters.camera ?? "",
            missing: SearchQuery.missingFields.map {
                Option(value: $0.rawValue, selected: $0 == query.filters.missing)
            },
            searched: searched,
            total: page.total >= TextMatch.countCap ? "\(TextMatch.countCap) or more" : "\(page.total)",
            photos: tiles, nextPage: next, error: nil,
            empty: searched && tiles.isEmpty)
        return try pages.page(
            "search", title: query.text.isEmpty ? "Search" : "Search: \(query.text.prefix(80))", view,
            context: context)
    }
}
