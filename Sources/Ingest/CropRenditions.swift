import Catalog
import Desk
import Foundation
import Imaging
import Metadata
import PhotoModel

/// Makes the crop renditions of photos as used in articles, from their originals: named by
/// content (photo, rectangle, preset), so each is made once and cached forever, and the
/// photo's other renditions and uses are left as they are.
public struct CropRenditions: Sendable {
    let desk: Desk
    let maker = RenditionMaker()

    /// Makes crops for a desk's library.
    public init(desk: Desk) {
        self.desk = desk
    }

    /// The settings every crop rendition is made with.
    static func spec(name: String) -> RenditionSpec {
        RenditionSpec(name: name, width: Crops.box, height: Crops.box, format: .jpeg, quality: 85)
    }

    /// The crop rendition of a photo for a crop, made now unless it is there already.
    @discardableResult
    public func make(sha256: String, crop: Crop) async throws -> Rendition {
        let name = Crops.presetName(sha256: sha256, crop: crop)
        let library = desk.library
        if let existing = try await desk.renditions(of: sha256).first(where: { $0.preset == name }),
            FileStat.of(library.absolute(existing.path)) != nil
        {
            return existing
        }
        guard let details = try await desk.details(sha256: sha256) else {
            throw DeskError(.notFound, "no photo \(sha256.prefix(16))")
        }
        let photo = details.photo
        guard let original = Self.original(of: photo, locations: details.locations, library: library) else {
            throw DeskError(
                .notFound,
                "the original of photo \(photo.shortId) is not there any more (looked at \(details.locations.map(\.path).joined(separator: ", "))): a crop is made from the original"
            )
        }
        let fields = details.caption?.fields ?? CaptionFields()
        let credits = EmbeddedMetadata.renditions(of: fields).blobs
        let spec = Self.spec(name: name)
        let relative = Library.renditionPath(sha256: sha256, preset: name, fileExtension: spec.format.fileExtension)
        let rectangle = CropRectangle(x: crop.x, y: crop.y, width: crop.width, height: crop.height)
        let maker = self.maker
        let result = try await Blocking.run {
            try maker.makeCrop(
                from: original, rectangle: rectangle, displayed: (photo.width, photo.height), spec: spec,
                embedded: credits, destination: library.absolute(relative))
        }
        let rendition = Rendition(
            sha256: sha256, preset: name, format: spec.format.rawValue, width: result.width, height: result.height,
            bytes: result.bytes, path: relative,
            fingerprint:
                "crop \(crop.x),\(crop.y),\(crop.width),\(crop.height),\(crop.preset ?? "free") \(spec.fingerprint)")
        try await desk.saveRenditions([rendition], of: sha256)
        return rendition
    }

    /// An original file of a photo that is still there: the copy in the library's originals, or a
    /// location whose size is still the photo's.
    static func original(of photo: Photo, locations: [FileLocation], library: Library) -> String? {
        if let format = ImageFormat(rawValue: photo.format) {
            let copied = library.absolute(
                Library.originalPath(sha256: photo.sha256, fileExtension: format.fileExtension))
            if FileStat.of(copied)?.size == Int64(photo.bytes) { return copied }
        }
        return locations.first { FileStat.of($0.path)?.size == Int64(photo.bytes) }?.path
    }
}
