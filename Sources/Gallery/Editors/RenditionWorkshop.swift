import Catalog

/// Makes the renditions an editor's choices need (a crop of a photo for one use in an article).
/// The `photodesk` command gives the gallery one that works from the photos' originals.
public protocol RenditionWorkshop: Sendable {
    /// Makes the crop rendition of a photo, unless it is there already.
    func makeCrop(sha256: String, crop: Crop) async throws
}
