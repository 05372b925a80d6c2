import Desk
import Foundation
import Gallery
import Ingest

/// The gallery's uploads, ingested by the same `Ingester` and pipeline as `photodesk ingest`.
struct UploadIngest: UploadIngesting {
    let desk: Desk
    let pipeline: Pipeline
    /// Object storage the renditions also go to.
    var uploader: (any RenditionUploader)?
    /// How many times, half a second apart, an upload waits for an ingest that another process
    /// (the CLI, a watcher) is running on the library, before its files fail with the reason.
    var busyRetries = 120

    var maxBytes: Int { pipeline.limits.maxBytes }

    func ingest(paths: [String], uploader: String) async -> [UploadIngestOutcome] {
        var options = Ingester.Options()
        options.author = uploader
        options.uploader = self.uploader
        let ingester = Ingester(desk: desk, pipeline: pipeline, options: options)
        var attempt = 0
        while true {
            do {
                return try await ingester.results(for: paths).map {
                    UploadIngestOutcome(
                        status: UploadIngestOutcome.Status(rawValue: $0.status.rawValue) ?? .failed, id: $0.id,
                        error: $0.error)
                }
            } catch let error as IngestError where error.code == .busy && attempt < busyRetries && !Task.isCancelled {
                attempt += 1
                try? await Task.sleep(for: .milliseconds(500))
            } catch {
                let reason = (error as? IngestError)?.message ?? "\(error)"
                return paths.map { _ in UploadIngestOutcome(status: .failed, error: "not ingested: \(reason)") }
            }
        }
    }
}
