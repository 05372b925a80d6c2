import Catalog
import Foundation
import Hummingbird

/// The JSON API for assets, with the field names of the CLI's JSON.
struct AssetAPIRoutes: Sendable {
    let catalog: any CatalogStore

    func register(on group: RouterGroup<BasicRequestContext>) {
        group.get("/assets") { request, _ in
            let cursor = request.uri.queryParameters.get("after").flatMap(AssetCursor.init(token:))
            let limit = min(200, max(1, request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 50))
            let page = try self.catalog.assets(limit: limit, after: cursor)
            let next = page.count == limit ? page.last?.cursor.token : nil
            return try JSONBody.response(AssetPage(assets: page, next: next))
        }
        group.get("/assets/:id") { _, context in
            let id = try context.parameters.require("id")
            guard id.count >= 4, id.allSatisfy(\.isHexDigit), let asset = try self.catalog.resolve(id),
                let document = try self.catalog.document(sha256: asset.sha256)
            else { return try JSONBody.response(["error": "no photo \(id)"], status: .notFound) }
            return try JSONBody.response(document)
        }
    }

    func registerSearch(on group: RouterGroup<BasicRequestContext>) {
        group.get("/search") { request, _ in
            let parameters = request.uri.queryParameters
            let missing = parameters.get("missing")
            if let missing, !SearchQuery.missingFields.contains(missing) {
                return try JSONBody.response(
                    ["error": "missing takes one of: \(SearchQuery.missingFields.joined(separator: ", "))"],
                    status: .badRequest)
            }
            let query = SearchQuery(
                text: parameters.get("q") ?? "", missing: missing, byline: parameters.get("byline"),
                from: parameters.get("from"),
                to: parameters.get("to"), article: parameters.get("article"), camera: parameters.get("camera"))
            let limit = min(200, max(1, parameters.get("limit").flatMap { Int($0) } ?? 20))
            return try JSONBody.response(try self.catalog.search(query, limit: limit, after: parameters.get("after")))
        }
        group.get("/articles") { _, _ in try JSONBody.response(["articles": try self.catalog.articles(limit: 200)]) }
        group.get("/articles/:slug") { _, context in
            let slug = try context.parameters.require("slug")
            guard let article = try self.catalog.article(slug: slug) else {
                return try JSONBody.response(["error": "no article \(slug)"], status: .notFound)
            }
            return try JSONBody.response(article)
        }
    }

    struct AssetPage: Encodable {
        var assets: [AssetSummary]
        var next: String?
    }
}

/// JSON responses with stable key order.
enum JSONBody {
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
