import CImaging
import Foundation
import PhotoModel

/// Makes every rendition of one photo from a single decode.
///
/// The file is decoded once, with shrink-on-load, at the size the largest preset needs; upright
/// per its EXIF orientation and in sRGB. Each smaller preset is made from that decoded image.
/// Renditions carry no metadata from the original.
public struct RenditionMaker: Sendable {
    /// Makes a rendition maker.
    public init() {}

    /// The difference hash of the picture in `path` (nil when it is nearly uniform), from a small
    /// upright decode: for photos catalogued before their look was kept.
    public func differenceHash(of path: String) throws -> DifferenceHash? {
        try VipsRuntime.start()
        guard let decoded = pd_decode_file(path, 64, 64, 1, -1) else {
            let cause = VipsRuntime.takeError()
            throw ImagingError(
                .corrupt, "cannot be decoded: \(RenditionMaker.reason(cause))", path: path, cause: cause)
        }
        return try VipsImage(decoded).differenceHash()
    }

    /// Decodes `path` once and writes one file per preset, each at `destination(spec)`.
    ///
    /// Nothing of the original's metadata is kept; `embedded` blobs ("exif-data", "xmp-data",
    /// "iptc-data") are written instead, so a rendition can still say who took it.
    /// A truncated or corrupt file is refused with an error naming it.
    /// `header` is the file's header when the caller has read it (it says whether the colours need
    /// converting); without it the header is read again.
    public func make(
        from path: String, specs: [RenditionSpec], embedded: [String: Data] = [:], header: ImageHeader? = nil,
        destination: (RenditionSpec) -> String, hashed: ((DifferenceHash?) -> Void)? = nil
    ) throws -> [RenditionResult] {
        try VipsRuntime.start()
        guard !specs.isEmpty else { return [] }
        let boxWidth = Int32(clamping: specs.map(\.width).max() ?? 1)
        let boxHeight = Int32(clamping: specs.map(\.height).max() ?? 1)
        // fail_on truncated: a cut-off file is refused instead of coming out half grey.
        let colour: Int32 = header.map { $0.needsColourConversion ? 1 : 0 } ?? -1
        guard let decoded = pd_decode_file(path, boxWidth, boxHeight, 1, colour) else {
            let cause = VipsRuntime.takeError()
            throw ImagingError(
                .corrupt, "cannot be decoded: \(RenditionMaker.reason(cause))", path: path, cause: cause)
        }
        let memory = VipsImage(decoded)
        // The twins' hash from the same decode (upright, sRGB): a hash that cannot be made
        // leaves the photo without one, never fails it.
        if let hashed { hashed((try? memory.differenceHash()) ?? nil) }
        // Savers differ in what `strip` removes (libvips 8.14's WebP saver keeps EXIF, GPS
        // included), so no metadata field is left on the image any saver could write.
        let base = try VipsImage.check(pd_copy_without_metadata(memory.pointer), "cannot be prepared", path: path)
        for (name, blob) in embedded { base.setBlob(name, blob) }
        var results: [RenditionResult] = []
        // Files this call made where none was: removed again if a later preset fails, so a
        // failure leaves nothing half-made (a file it replaced stays, as whole as before).
        var made: [String] = []
        do {
            try makeEach()
        } catch {
            for file in made { unlink(file) }
            throw error
        }
        return results

        func makeEach() throws {
            for spec in specs {
                let image: VipsImage
                if spec.width >= base.width && spec.height >= base.height {
                    image = base
                } else {
                    image = try VipsImage.check(
                        pd_thumbnail_image(base.pointer, Int32(clamping: spec.width), Int32(clamping: spec.height)),
                        "cannot be resized for preset \(spec.name)", path: path)
                    for (name, blob) in embedded { image.setBlob(name, blob) }
                }
                let output = destination(spec)
                let existed = access(output, F_OK) == 0
                try image.write(to: output, as: spec.format, quality: spec.quality, keepMetadata: !embedded.isEmpty)
                if !existed { made.append(output) }
                // FileManager's attributes would look up the owner's name in /etc/passwd each time.
                let bytes = FileStat.of(output).map { Int($0.size) } ?? 0
                results.append(
                    RenditionResult(spec: spec, width: image.width, height: image.height, bytes: bytes, path: output))
            }
        }
    }

    /// A person's reading of libvips' decode error.
    static func reason(_ cause: String) -> String {
        let lower = cause.lowercased()
        if lower.contains("premature end") || lower.contains("truncated") || lower.contains("unexpected end")
            || lower.contains("out of data") || lower.contains("not enough")
        {
            return "the file is truncated (an incomplete copy?)"
        }
        return "the image data is corrupt"
    }
}

/// A rectangle of a photo as displayed (after its EXIF orientation), in pixels.
public struct CropRectangle: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    /// Makes a rectangle.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

extension RenditionMaker {
    /// Makes a crop of a photo from its original: the rectangle (in the upright photo's pixels,
    /// the photo being `displayed` in size) fitted into `spec`'s box, upright, in sRGB, with only
    /// the `embedded` blobs as metadata. The original is decoded with shrink-on-load at the
    /// scale the box needs, never larger than it is.
    public func makeCrop(
        from path: String, rectangle: CropRectangle, displayed: (width: Int, height: Int), spec: RenditionSpec,
        embedded: [String: Data] = [:], destination: String
    ) throws -> RenditionResult {
        try VipsRuntime.start()
        guard rectangle.width > 0, rectangle.height > 0, displayed.width > 0, displayed.height > 0 else {
            throw ImagingError(.corrupt, "the crop is empty", path: path)
        }
        // The scale at which the rectangle just covers the box (at most 1: no enlarging).
        let scale = min(
            1, max(Double(spec.width) / Double(rectangle.width), Double(spec.height) / Double(rectangle.height)))
        let decodeWidth = max(1, Int((Double(displayed.width) * scale).rounded(.up)))
        let decodeHeight = max(1, Int((Double(displayed.height) * scale).rounded(.up)))
        guard let decoded = pd_decode_file(path, Int32(clamping: decodeWidth), Int32(clamping: decodeHeight), 1, -1)
        else {
            let cause = VipsRuntime.takeError()
            throw ImagingError(.corrupt, "cannot be decoded: \(RenditionMaker.reason(cause))", path: path, cause: cause)
        }
        let whole = VipsImage(decoded)
        // The decode's own scale, per axis (shrink-on-load rounds).
        let scaleX = Double(whole.width) / Double(displayed.width)
        let scaleY = Double(whole.height) / Double(displayed.height)
        let left = max(0, min(whole.width - 1, Int((Double(rectangle.x) * scaleX).rounded())))
        let top = max(0, min(whole.height - 1, Int((Double(rectangle.y) * scaleY).rounded())))
        let width = max(1, min(whole.width - left, Int((Double(rectangle.width) * scaleX).rounded())))
        let height = max(1, min(whole.height - top, Int((Double(rectangle.height) * scaleY).rounded())))
        let area = try VipsImage.check(
            pd_extract_area(whole.pointer, Int32(left), Int32(top), Int32(width), Int32(height)),
            "cannot be cropped", path: path)
        var image = try VipsImage.check(pd_copy_without_metadata(area.pointer), "cannot be prepared", path: path)
        if width > spec.width || height > spec.height {
            image = try VipsImage.check(
                pd_thumbnail_image(image.pointer, Int32(clamping: spec.width), Int32(clamping: spec.height)),
                "cannot be resized for the crop", path: path)
        }
        for (name, blob) in embedded { image.setBlob(name, blob) }
        try image.write(to: destination, as: spec.format, quality: spec.quality, keepMetadata: !embedded.isEmpty)
        let bytes = FileStat.of(destination).map { Int($0.size) } ?? 0
        return RenditionResult(spec: spec, width: image.width, height: image.height, bytes: bytes, path: destination)
    }
}
