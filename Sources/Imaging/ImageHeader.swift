import CImaging
import Foundation

/// What an image file's header says, read before any pixel is decoded.
public struct ImageHeader: Sendable {
    /// The format, found from the content rather than the name.
    public var format: ImageFormat
    /// Stored width in pixels (before orientation).
    public var storedWidth: Int
    /// Stored height in pixels (before orientation).
    public var storedHeight: Int
    /// The EXIF orientation as libvips read it, 1 to 8.
    public var orientation: Int
    /// Pages or frames (GIF, HEIF); only the first is used.
    public var pages: Int
    /// The raw EXIF blob ("Exif\0\0" then TIFF), if any.
    public var exif: Data?
    /// The raw XMP packet, if any.
    public var xmp: Data?
    /// The extended XMP of a JPEG (assembled from its APP1 extension segments), if any.
    public var xmpExtension: Data?
    /// The raw IPTC block (Photoshop APP13 resources), if any.
    public var iptc: Data?
    /// The embedded ICC profile, if any.
    public var iccProfile: Data?
    /// Whether the pixels need a colour conversion to become sRGB (an ICC profile, or CMYK).
    public var needsColourConversion = false

    /// Width as displayed, after orientation.
    public var width: Int { swapsAxes ? storedHeight : storedWidth }
    /// Height as displayed, after orientation.
    public var height: Int { swapsAxes ? storedWidth : storedHeight }
    /// Whether orientation turns the picture a quarter turn (values 5 to 8).
    public var swapsAxes: Bool { (5...8).contains(orientation) }
    /// Stored pixel count (Int.max when the product does not fit).
    public var pixels: Int {
        let (product, overflow) = storedWidth.multipliedReportingOverflow(by: storedHeight)
        return overflow ? .max : product
    }

    /// Reads the header of a file: format by content, dimensions, orientation, metadata blobs.
    ///
    /// Refuses empty files and files that are not a photo format, each with a reason.
    public static func read(path: String) throws -> ImageHeader {
        try VipsRuntime.start()
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ImagingError(.io, "cannot be read: \(String(cString: strerror(errno)))", path: path)
        }
        guard info.st_size > 0 else {
            throw ImagingError(.empty, ImagingError.emptyReason, path: path)
        }
        // One open: libvips sniffs the format once (each sniff opens the file once per loader it
        // tries) and names the loader it chose. Only a file it cannot open is sniffed again, to
        // tell "not an image" from "a broken one".
        let image = pd_open(path).map(VipsImage.init)
        let cause = image == nil ? VipsRuntime.takeError() : ""
        let loader = (image.flatMap { pd_image_loader($0.pointer) } ?? pd_loader_for_file(path))
            .map { String(cString: $0) }
        guard let loader else {
            throw ImagingError(
                .unsupported,
                "not an image Photodesk can read (not JPEG, PNG, TIFF, WebP, HEIC/AVIF or GIF)",
                path: path)
        }
        guard var format = ImageFormat(loader: loader) else {
            throw ImagingError(
                .unsupported,
                "a format Photodesk does not ingest (\(ImageFormat.readableLoaderName(loader)))",
                path: path)
        }
        guard let image else {
            throw ImagingError(
                .corrupt, "unreadable header: \(RenditionMaker.reason(cause))", path: path, cause: cause)
        }
        let pointer = image.pointer
        if format == .heic, let compression = image.stringField("heif-compression"), compression == "av1" {
            format = .avif
        }
        var header = ImageHeader(
            format: format, storedWidth: image.width, storedHeight: image.height,
            orientation: (1...8).contains(image.orientation) ? image.orientation : 1,
            pages: max(1, Int(pd_n_pages(pointer))),
            exif: image.blob("exif-data"), xmp: image.blob("xmp-data"), iptc: image.blob("iptc-data"),
            iccProfile: image.blob("icc-profile-data"))
        header.needsColourConversion = pd_needs_colour_conversion(pointer) != 0
        ContainerMetadata.complete(&header, path: path)
        return header
    }
}

extension VipsImage {
    func stringField(_ name: String) -> String? {
        guard let value = pd_get_string(pointer, name) else { return nil }
        return String(cString: value)
    }
}
