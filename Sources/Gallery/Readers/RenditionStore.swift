import Catalog
import Foundation

/// Where a gallery node reads renditions when they are not in its library folder: object
/// storage, through a bounded cache on the node's own disk (`photodesk serve --storage`). The
/// gallery decides first who may see a rendition (readers' visibility rules, as for files in
/// the folder); only then does it ask here.
public protocol RenditionStore: Sendable {
    /// The local path of a rendition's file (read from the store into the cache when not there
    /// yet); nil when the store has no such object.
    func localFile(for rendition: Rendition) async throws -> String?
    /// Whether clients are sent to the store (`redirect(for:)`) rather than served by the node.
    var redirects: Bool { get }
    /// With `--storage-redirect`: a short-lived URL the client is sent to instead (a presigned
    /// URL, for a CDN in front of the bucket); nil to serve the bytes from the node.
    func redirect(for rendition: Rendition) -> String?
}
