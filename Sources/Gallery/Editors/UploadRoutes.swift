import Catalog
import Foundation
import HTTPTypes
import Hummingbird

/// Uploads: `POST /api/v1/uploads` for scripts and the upload page's script, and the editors'
/// page `/desk/upload`, whose plain form works without JavaScript.
struct UploadRoutes: Sendable {
    let environment: GalleryEnvironment

    init(_ environment: GalleryEnvironment) {
        self.environment = environment
    }

    func register(on router: Router<GalleryContext>, api: RouterGroup<GalleryContext>) {
        api.post("/uploads") { request, context in try await self.apiUpload(request, context) }
        router.get("/desk/upload") { request, context in try await self.page(request, context) }
        router.post("/desk/upload") { request, context in try await self.formUpload(request, context) }
    }

    /// The answer of `POST /api/v1/uploads`.
    struct Answer: Encodable {
        var files: [UploadResult]
    }

    /// The answer when no file could be kept for want of room: 507, the error model's `error`
    /// beside each file's result.
    struct FullAnswer: Encodable {
        var error: String
        var files: [UploadResult]
    }

    static let noRoomMessage =
        "The library's disk is full: no file of this upload was kept. Make room on the disk (or raise its quota), then send them again."

    /// The receiver, or 503 when the server was started without an ingest for uploads.
    func receiver() throws -> UploadReceiver {
        guard let receiver = environment.uploads else {
            throw GalleryError(
                .unavailable,
                "This server takes no uploads: it was started without an ingest pipeline. Run photodesk serve, or ingest the files with photodesk ingest."
            )
        }
        return receiver
    }

    func apiUpload(_ request: Request, _ context: GalleryContext) async throws -> Response {
        let viewer = try APIAuth.require(request, context)
        let receiver = try receiver()
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = HeaderParameters(contentType).value.lowercased()
        let received: [UploadReceiver.Received]
        if mediaType.hasPrefix("multipart/") {
            received = try await receiver.multipart(request, boundary: try Self.boundary(contentType))
        } else if mediaType == "application/octet-stream" || mediaType.hasPrefix("image/") {
            // The name is for the outcome list; without one the file is "upload".
            let name = request.uri.queryParameters.get("name").flatMap { $0.isEmpty ? nil : $0 } ?? "upload"
            received = try await receiver.raw(request, name: UploadName.sanitised(name))
        } else {
            throw GalleryError(
                .unsupported,
                "Send multipart/form-data with one part per file, or one file as the body with Content-Type image/* or application/octet-stream and ?name=FILE."
            )
        }
        let results = await receiver.ingest(received, uploader: viewer.name)
        noteChanges(results)
        if UploadResult.noRoom(results) {
            return try JSONBody.response(
                FullAnswer(error: Self.noRoomMessage, files: results), status: .init(code: 507))
        }
        return try JSONBody.response(Answer(files: results))
    }

    static func boundary(_ contentType: String) throws -> String {
        do { return try MultipartParser.boundary(contentType: contentType) } catch {
            throw UploadReceiver.malformed(error)
        }
    }

    /// After uploads: readers' pages and the renditions' visibility are made again.
    func noteChanges(_ results: [UploadResult]) {
        if results.contains(where: { $0.status == .ingested }) { environment.changed() }
    }

    /// One file's line on the page.
    struct OutcomeView {
        var name: String
        var status: String
        var id: String?
        var error: String?
        var thumb: String?
        var isNew: Bool

        init(_ result: UploadResult) {
            name = result.name
            status = result.status.rawValue
            id = result.id
            error = result.error
            thumb = result.thumb
            isNew = result.status == .ingested
        }
    }

    struct PageView {
        var csrf: String
        var available: Bool
        var limit: String
        var results: [OutcomeView]
        var summary: String?
    }

    /// The upload page, with the outcomes of a form's upload when there are some.
    func page(
        _ request: Request, _ context: GalleryContext, results: [UploadResult] = [], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let csrf = context.viewer?.csrf else { throw Redirect.toLogin(from: request) }
        let counts = UploadIngestOutcome.Status.allCases.compactMap { status -> String? in
            let count = results.count { $0.status == status }
            return count == 0 ? nil : "\(count) \(status.rawValue)"
        }
        return try environment.pages.page(
            "upload", title: "Upload photos",
            PageView(
                csrf: csrf, available: environment.uploads != nil,
                limit: environment.uploads.map { Self.size($0.maxBytes) } ?? "",
                results: results.map(OutcomeView.init),
                summary: results.isEmpty
                    ? nil
                    : (UploadResult.noRoom(results) ? Self.noRoomMessage + " " : "")
                        + "\(results.count) file\(results.count == 1 ? "" : "s"): \(counts.joined(separator: ", "))"),
            context: context, status: status)
    }

    /// The page's form, posted without JavaScript: the files are ingested and the page lists them.
    func formUpload(_ request: Request, _ context: GalleryContext) async throws -> Response {
        guard let viewer = context.viewer, viewer.sessionHash != nil else { throw Redirect.toLogin(from: request) }
        let receiver = try receiver()
        let received = try await receiver.multipart(
            request, boundary: try Self.boundary(request.headers[.contentType] ?? "")
        ) { fields in
            var form = FormBody("")
            form.values = fields
            try FormAuth.require(request, context, form: form)
        }
        let results = await receiver.ingest(received, uploader: viewer.name)
        noteChanges(results)
        return try await page(
            request, context, results: results, status: UploadResult.noRoom(results) ? .init(code: 507) : .ok)
    }

    /// A byte count for people: `2 GB`, `300 MB`, `20 KB`.
    static func size(_ bytes: Int) -> String {
        let units = [(1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "KB")]
        for (unit, name) in units where bytes >= unit {
            let value = Double(bytes) / Double(unit)
            return (value == value.rounded() ? "\(Int(value))" : String(format: "%.1f", value)) + " " + name
        }
        return "\(bytes) bytes"
    }
}
