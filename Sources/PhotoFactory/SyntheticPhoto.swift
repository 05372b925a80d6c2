import Foundation
import Imaging
import Metadata

/// A photo made in code: real pixels through libvips and real metadata through libexif, IPTC and
/// XMP writers. Used by tests, the demo material and the benchmarks; no image is downloaded.
///
/// Upright, the picture is four coloured quadrants (red top-left, green top-right, blue
/// bottom-left, white bottom-right) under noise, so a test can tell which way up it is.
public struct SyntheticPhoto: Sendable {
    /// Width as displayed (upright).
    public var width: Int
    /// Height as displayed (upright).
    public var height: Int
    /// The EXIF orientation to store; the pixels are stored turned so that it displays upright.
    public var orientation: Int = 1
    /// EXIF values to embed (orientation is taken from `orientation`).
    public var exif = ExifValues()
    /// IPTC values to embed in APP13, or nil for none.
    public var iptc: IPTCValues?
    /// XMP values to embed, or nil for none.
    public var xmp: XMPValues?
    /// Noise strength (standard deviation, in 8-bit levels): 0 is flat colour.
    public var noise: Double = 12
    /// Seed of the noise, so that two photos differ.
    public var seed: Int = 1
    /// JPEG quality.
    public var quality: Int = 88
    /// Whether the JPEG is progressive (interlaced).
    public var progressive = false
    /// A drawn scene instead of the four quadrants (the demo's photos).
    public var scene: Scene?

    /// The colours of the upright quadrants, top-left, top-right, bottom-left, bottom-right.
    public static let quadrantColours: [[UInt8]] = [[220, 30, 30], [30, 200, 40], [30, 40, 220], [235, 235, 235]]

    /// A photo of the given upright size.
    public init(width: Int, height: Int, orientation: Int = 1, seed: Int = 1) {
        self.width = width
        self.height = height
        self.orientation = orientation
        self.seed = seed
    }

    /// The upright picture.
    public func uprightImage() throws -> VipsImage {
        var image: VipsImage
        if let scene {
            image = try scene.image(width: width, height: height, seed: seed)
        } else {
            let colours = SyntheticPhoto.quadrantColours
            let tile = try VipsImage.fromPixels(colours.flatMap { $0 }, width: 2, height: 2, bands: 3)
            image = try tile.zoomed(x: max(1, width / 2), y: max(1, height / 2))
        }
        if noise > 0 {
            let grain = try VipsImage.noise(width: image.width, height: image.height, mean: 0, sigma: noise, seed: seed)
            image = try image.adding(grain).castToUInt8()
        }
        return image
    }

    /// The pixels as stored, turned so that applying `orientation` shows them upright.
    public func storedImage() throws -> VipsImage {
        let upright = try uprightImage()
        switch orientation {
        case 2: return try upright.flippedHorizontally()
        case 3: return try upright.rotated(clockwise: 180)
        case 4: return try upright.rotated(clockwise: 180).flippedHorizontally()
        case 5: return try upright.rotated(clockwise: 90).flippedHorizontally()
        case 6: return try upright.rotated(clockwise: 270)
        case 7: return try upright.rotated(clockwise: 270).flippedHorizontally()
        case 8: return try upright.rotated(clockwise: 90)
        default: return upright
        }
    }

    /// Encodes the photo with its metadata embedded.
    public func encoded(as format: ImageFormat = .jpeg) throws -> Data {
        let image = try storedImage()
        var values = exif
        values.orientation = orientation
        image.setBlob("exif-data", ExifWriter.blob(values))
        image.setInt("orientation", orientation)
        if let iptc { image.setBlob("iptc-data", IPTCWriter.photoshopBlock(iptc)) }
        if let xmp { image.setBlob("xmp-data", XMPWriter.packet(xmp)) }
        return try image.encoded(as: format, quality: quality, keepMetadata: true, progressive: progressive)
    }

    /// Whether a decoded image shows this picture upright (quadrant colours in place).
    public static func isUpright(_ image: VipsImage, tolerance: Double = 60) throws -> Bool {
        try PictureCheck.isUpright(
            { try image.pixel(x: Int($0), y: Int($1)) }, width: image.width, height: image.height, tolerance: tolerance)
    }

    /// Writes the photo to a file.
    public func write(to path: String, as format: ImageFormat = .jpeg) throws {
        try AtomicFile.write(try encoded(as: format), to: path)
    }
}
