import Catalog
import Foundation

/// Where new renditions go besides the library folder: object storage (`ingest`, `worker` and
/// `serve` make one when a bucket is named). The ingest calls it after making a photo's
/// renditions and before recording them, so the catalog never names a rendition the bucket
/// lacks; a refusal fails the file with the store's reason.
public protocol RenditionUploader: Sendable {
    /// Stores the renditions' files (in the library folder) in object storage.
    func upload(_ renditions: [Rendition], from library: Library) async throws
}
