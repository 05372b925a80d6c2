import CImaging
import Foundation
import PhotoModel

/// An owned libvips image. Not shared between jobs: each job makes its own.
public final class VipsImage {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { pd_unref(pointer) }

    /// Width in pixels, as stored (before orientation).
    public var width: Int { Int(pd_width(pointer)) }
    /// Height in pixels, as stored (before orientation).
    public var height: Int { Int(pd_height(pointer)) }
    /// Number of bands (3 for RGB, 4 with alpha).
    public var bands: Int { Int(pd_bands(pointer)) }
    /// The EXIF orientation libvips read (1 to 8), 1 when there is none.
    public var orientation: Int { Int(pd_orientation(pointer)) }

    /// A metadata blob by libvips' name ("exif-data", "xmp-data", "iptc-data", "icc-profile-data").
    public func blob(_ name: String) -> Data? {
        var bytes: UnsafeRawPointer?
        var length = 0
        guard pd_get_blob(pointer, name, &bytes, &length) == 0, let bytes, length > 0 else { return nil }
        return Data(bytes: bytes, count: length)
    }

    /// Sets a metadata blob, to be embedded by the next save that keeps metadata.
    public func setBlob(_ name: String, _ data: Data) {
        data.withUnsafeBytes { pd_set_blob(pointer, name, $0.baseAddress, $0.count) }
    }

    /// Sets an integer metadata field ("orientation").
    public func setInt(_ name: String, _ value: Int) {
        pd_set_int(pointer, name, Int32(clamping: value))
    }

    /// The values of every band at one pixel.
    public func pixel(x: Int, y: Int) throws -> [Double] {
        var values = [Double](repeating: 0, count: 8)
        let count = pd_getpoint(pointer, Int32(clamping: x), Int32(clamping: y), &values, 8)
        guard count > 0 else {
            throw ImagingError(.operation, "cannot read pixel \(x),\(y)", cause: VipsRuntime.takeError())
        }
        return Array(values.prefix(Int(count)))
    }

    /// The mean of every band of every pixel.
    public func average() throws -> Double {
        let mean = pd_average(pointer)
        guard mean >= 0 else { throw ImagingError(.operation, "cannot average", cause: VipsRuntime.takeError()) }
        return mean
    }

    /// The mean absolute difference from another image of the same size, in levels per band.
    public func meanDifference(from other: VipsImage) throws -> Double {
        guard width == other.width, height == other.height else {
            throw ImagingError(
                .operation, "cannot compare a \(width)x\(height) image with a \(other.width)x\(other.height) one")
        }
        let mean = pd_mean_abs_difference(pointer, other.pointer)
        guard mean >= 0 else { throw ImagingError(.operation, "cannot compare images", cause: VipsRuntime.takeError()) }
        return mean
    }

    /// Encodes the image in memory.
    public func encoded(
        as format: ImageFormat, quality: Int = 85, keepMetadata: Bool = false, progressive: Bool = false
    )
        throws -> Data
    {
        var bytes: UnsafeMutableRawPointer?
        var length = 0
        guard
            pd_save_buffer(
                pointer, format.rawValue, Int32(clamping: quality), keepMetadata ? 0 : 1, progressive ? 1 : 0, &bytes,
                &length)
                == 0,
            let bytes
        else {
            throw ImagingError(.operation, "cannot encode \(format.rawValue)", cause: VipsRuntime.takeError())
        }
        defer { pd_free(bytes) }
        return Data(bytes: bytes, count: length)
    }

    /// The picture's difference hash (nil for a nearly uniform picture), from a 9x8 grey
    /// thumbnail of it as it is (the caller gives the upright picture).
    public func differenceHash() throws -> DifferenceHash? {
        var levels = [UInt8](repeating: 0, count: 72)
        guard pd_grey_9x8(pointer, &levels) == 0 else {
            throw ImagingError(
                .operation, "cannot make the grey thumbnail for the difference hash", cause: VipsRuntime.takeError())
        }
        return DifferenceHash.of(grey: levels)
    }

    /// Writes the image to a file, to a temporary name first and renamed into place.
    public func write(to path: String, as format: ImageFormat, quality: Int = 85, keepMetadata: Bool = false) throws {
        try AtomicFile.write(path) { temporary in
            guard
                pd_save_file(pointer, temporary, format.rawValue, Int32(clamping: quality), keepMetadata ? 0 : 1, 0)
                    == 0
            else {
                throw ImagingError.notWritten(path, systemError: nil, cause: VipsRuntime.takeError())
            }
        }
    }

    static func check(_ pointer: OpaquePointer?, _ reason: @autoclosure () -> String, path: String? = nil) throws
        -> VipsImage
    {
        guard let pointer else {
            throw ImagingError(.operation, reason(), path: path, cause: VipsRuntime.takeError())
        }
        return VipsImage(pointer)
    }
}

/// Building images in memory, for generated photos and tests.
extension VipsImage {
    /// An 8-bit image from interleaved pixel bytes.
    public static func fromPixels(_ bytes: [UInt8], width: Int, height: Int, bands: Int) throws -> VipsImage {
        try VipsRuntime.start()
        let (area, areaOverflow) = width.multipliedReportingOverflow(by: height)
        let (count, countOverflow) = area.multipliedReportingOverflow(by: bands)
        guard width > 0, height > 0, bands > 0, !areaOverflow, !countOverflow, count == bytes.count,
            let width32 = Int32(exactly: width), let height32 = Int32(exactly: height),
            let bands32 = Int32(exactly: bands)
        else {
            throw ImagingError(
                .operation, "\(bytes.count) bytes are not \(width)x\(height) pixels of \(bands) bands")
        }
        let pointer = bytes.withUnsafeBytes { pd_from_memory($0.baseAddress, $0.count, width32, height32, bands32) }
        return try check(pointer, "cannot make a \(width)x\(height) image")
    }

    /// Gaussian noise, one band, as a float image.
    public static func noise(width: Int, height: Int, mean: Double, sigma: Double, seed: Int) throws -> VipsImage {
        try VipsRuntime.start()
        return try check(
            pd_noise(Int32(clamping: width), Int32(clamping: height), mean, sigma, Int32(truncatingIfNeeded: seed)),
            "cannot make noise")
    }

    /// The pixel-wise sum of two images (a one-band image is added to every band).
    public func adding(_ other: VipsImage) throws -> VipsImage {
        try VipsImage.check(pd_add(pointer, other.pointer), "cannot add images")
    }

    /// The image cast to 8 bits per band, clipped.
    public func castToUInt8() throws -> VipsImage {
        try VipsImage.check(pd_cast_uchar(pointer), "cannot cast image")
    }

    /// The image turned clockwise by 90, 180 or 270 degrees.
    public func rotated(clockwise degrees: Int) throws -> VipsImage {
        guard [90, 180, 270].contains(degrees) else {
            throw ImagingError(.operation, "cannot rotate by \(degrees) degrees: only 90, 180 or 270")
        }
        return try VipsImage.check(pd_rotate(pointer, Int32(degrees)), "cannot rotate image")
    }

    /// The image mirrored left to right.
    public func flippedHorizontally() throws -> VipsImage {
        try VipsImage.check(pd_flip_horizontal(pointer), "cannot flip image")
    }

    /// The image scaled by a factor.
    public func resized(by scale: Double) throws -> VipsImage {
        try VipsImage.check(pd_resize(pointer, scale), "cannot resize image")
    }

    /// Decodes an encoded image held in memory, every pixel.
    public static func decode(_ data: Data) throws -> VipsImage {
        try VipsRuntime.start()
        let pointer = data.withUnsafeBytes { pd_load_buffer($0.baseAddress, $0.count) }
        return try check(pointer, "cannot decode image bytes")
    }

    /// Opens a file and decodes all of its pixels (for tests and checks, not for ingest).
    public static func load(path: String) throws -> VipsImage {
        try VipsRuntime.start()
        return try check(pd_load_file(path), "cannot be decoded", path: path)
    }
}

extension VipsImage {
    /// The image converted to an ICC profile's colour space ("cmyk", "srgb" or a file), the
    /// profile embedded.
    public func exported(toProfile profile: String) throws -> VipsImage {
        try VipsImage.check(pd_icc_export(pointer, profile), "cannot convert to the \(profile) profile")
    }

    /// The image computed once and held in memory, so that several pipelines built on it do not
    /// each compute it again.
    public func inMemory() throws -> VipsImage {
        try VipsImage.check(pd_copy_memory(pointer), "cannot compute image")
    }

    /// The image enlarged by whole factors, each pixel replicated.
    public func zoomed(x: Int, y: Int) throws -> VipsImage {
        try VipsImage.check(pd_zoom(pointer, Int32(clamping: x), Int32(clamping: y)), "cannot zoom image")
    }
}
