import Foundation
import Imaging
import Metadata

/// The demo material: photos described in `Assets/demo/photos.json`, made in code.
public enum DemoMaterial {
    /// One demo photo as the JSON describes it.
    public struct PhotoSpec: Codable, Sendable {
        public var file: String
        public var width: Int
        public var height: Int
        public var orientation: Int?
        public var seed: Int
        /// The picture drawn (the quadrants when absent).
        public var scene: Scene?
        /// Where the caption fields are embedded: "iptc", "xmp" or "both".
        public var embed: String?
        public var caption: String?
        public var headline: String?
        public var byline: String?
        public var credit: String?
        public var copyright: String?
        public var keywords: [String]?
        public var city: String?
        public var region: String?
        public var country: String?
        public var taken: String?
        public var offset: String?
        public var make: String?
        public var model: String?
        public var lens: String?
        public var exposure: String?
        public var fNumber: Double?
        public var iso: Int?
        public var focalLength: Double?
        public var latitude: Double?
        public var longitude: Double?
        public var altitude: Double?
    }

    /// Writes every photo of the spec into `folder` that is not there yet; returns the paths written.
    public static func generate(spec path: String, into folder: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImagingError(.io, "the demo description cannot be read", path: path)
        }
        let specs = try JSONDecoder().decode([PhotoSpec].self, from: data)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var written: [String] = []
        for spec in specs {
            let output = folder + "/" + spec.file
            if FileManager.default.fileExists(atPath: output) { continue }
            try photo(spec).write(to: output)
            written.append(output)
        }
        return written
    }

    /// The synthetic photo for one spec.
    public static func photo(_ spec: PhotoSpec) -> SyntheticPhoto {
        var photo = SyntheticPhoto(
            width: spec.width, height: spec.height, orientation: spec.orientation ?? 1, seed: spec.seed)
        photo.noise = spec.scene == nil ? 18 : 7
        photo.scene = spec.scene
        var exif = ExifValues()
        exif.make = spec.make
        exif.model = spec.model
        exif.lens = spec.lens
        exif.dateTimeOriginal = spec.taken
        exif.offsetTimeOriginal = spec.offset
        exif.exposureTime = spec.exposure
        exif.fNumber = spec.fNumber
        exif.iso = spec.iso
        exif.focalLength = spec.focalLength
        exif.latitude = spec.latitude
        exif.longitude = spec.longitude
        exif.altitude = spec.altitude
        photo.exif = exif
        let embed = spec.embed ?? "both"
        if embed == "iptc" || embed == "both" {
            var iptc = IPTCValues()
            iptc.caption = spec.caption
            iptc.headline = spec.headline
            iptc.byline = spec.byline.map { [$0] } ?? []
            iptc.credit = spec.credit
            iptc.copyrightNotice = spec.copyright
            iptc.keywords = spec.keywords ?? []
            iptc.city = spec.city
            iptc.provinceState = spec.region
            iptc.country = spec.country
            photo.iptc = iptc
        }
        if embed == "xmp" || embed == "both" {
            var xmp = XMPValues()
            xmp.description = spec.caption
            xmp.headline = spec.headline
            xmp.creator = spec.byline.map { [$0] } ?? []
            xmp.credit = spec.credit
            xmp.rights = spec.copyright
            xmp.subject = spec.keywords ?? []
            xmp.city = spec.city
            xmp.state = spec.region
            xmp.country = spec.country
            photo.xmp = xmp
        }
        return photo
    }
}
