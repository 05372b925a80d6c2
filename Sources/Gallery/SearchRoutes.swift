import Catalog
import Foundation
import Hummingbird

/// The search page: words and the filters of `photodesk search`, keyset-paged.
struct SearchRoutes: Sendable {
    let catalog: any CatalogStore
    let pages: PageRenderer
    static let pageSize = 48

    func register(on router: Router<GalleryContext>) {
        router.get("/search") { request, context in try self.search(request, context) }
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
        var total: Int
        var photos: [PhotoRoutes.Tile]
        var nextPage: String?
        var error: String?
        var empty: Bool
    }

    func search(_ request: Request, _ context: GalleryContext) throws -> Response {
        // Forms send spaces as "+": read the query as a form.
        let parameters = FormBody(request.uri.query ?? "")
        func text(_ name: String) -> String? {
            parameters[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let missing = text("missing")
        var error: String?
        if let missing, !SearchQuery.missingFields.contains(missing) {
            error = "“missing” takes one of: \(SearchQuery.missingFields.joined(separator: ", "))."
        }
        let query = SearchQuery(
            text: text("q") ?? "", missing: error == nil ? missing : nil, byline: text("byline"), from: text("from"),
            to: text("to"), article: text("article"), camera: text("camera"))
        let searched = query != SearchQuery()
        var page = SearchPage(results: [], total: 0, next: nil)
        if searched && error == nil {
            page = try catalog.search(query, limit: Self.pageSize, after: parameters["after"])
        }
        var next: String?
        if let token = page.next {
            var components = URLComponents()
            components.path = "/search"
            components.queryItems =
                ["q", "missing", "byline", "from", "to", "article", "camera"].compactMap { name in
                    text(name).map { URLQueryItem(name: name, value: $0) }
                } + [URLQueryItem(name: "after", value: token)]
            next = components.string
        }
        let tiles = try PhotoRoutes(catalog: catalog, pages: pages).tiles(page.results)
        let view = SearchView(
            q: query.text, byline: query.byline ?? "", from: query.from ?? "", to: query.to ?? "",
            article: query.article ?? "", camera: query.camera ?? "",
            missing: SearchQuery.missingFields.map { Option(value: $0, selected: $0 == missing) }, searched: searched,
            total: page.total, photos: tiles, nextPage: next, error: error,
            empty: searched && tiles.isEmpty && error == nil)
        return try pages.page(
            "search", title: query.text.isEmpty ? "Search" : "Search: \(query.text)", view, context: context,
            status: error == nil ? .ok : .badRequest)
    }
}
