import CImaging
import Foundation

/// Makes every rendition of one photo from a single decode.
///
/// The file is decoded once, with shrink-on-load, at the size the largest preset needs; upright
/// per its EXIF orientation and in sRGB. Each smaller preset is made from that decoded image.
/// Renditions carry no metadata from the original.
public struct RenditionMaker: Sendable {
    /// Makes a rendition maker.
    public init() {}

    /// Decodes `path` once and writes one file per preset, each at `destination(spec)`.
    ///
    /// Nothing of the original's metadata is kept; `embedded` blobs ("exif-data", "xmp-data",
    /// "iptc-data") are written instead, so a rendition can still say who took it.
    /// A truncated or corrupt file is refused with an error naming it.
    /// `header` is the file's header when the caller has read it (it says whether the colours need
    /// converting); without it the header is read again.
    public func make(
        from path: String, specs: [RenditionSpec], embedded: [String: Data] = [:], header: ImageHeader? = nil,
        destination: (RenditionSpec) -> String
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
        // Savers differ in what `strip` removes (libvips 8.14's WebP saver keeps EXIF, GPS
        // included), so no metadata field is left on the image any saver could write.
        let base = try VipsImage.check(pd_copy_without_metadata(memory.pointer), "cannot be prepared", path: path)
        for (name, blob) in embedded { base.setBlob(name, blob) }
        var results: [RenditionResult] = []
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
            try image.write(to: output, as: spec.format, quality: spec.quality, keepMetadata: !embedded.isEmpty)
            // FileManager's attributes would look up the owner's name in /etc/passwd each time.
            let bytes = FileStat.of(output).map { Int($0.size) } ?? 0
            results.append(
                RenditionResult(spec: spec, width: image.width, height: image.height, bytes: bytes, path: output))
        }
        return results
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
