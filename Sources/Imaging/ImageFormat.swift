/// The image formats Photodesk reads as photos, and writes as renditions.
public enum ImageFormat: String, Codable, Sendable, CaseIterable {
    case jpeg, png, tiff, webp, heic, avif, gif

    /// The file extension renditions of this format get.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .tiff: "tif"
        default: rawValue
        }
    }

    /// The HTTP content type.
    public var mimeType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .tiff: "image/tiff"
        case .webp: "image/webp"
        case .heic: "image/heic"
        case .avif: "image/avif"
        case .gif: "image/gif"
        }
    }

    /// The format for a libvips loader ("jpegload" or its class name "VipsForeignLoadJpegFile"),
    /// or nil when it is not a photo format.
    init?(loader: String) {
        let name = loader.lowercased()
        if name.contains("jpeg") {
            self = .jpeg
        } else if name.contains("png") {
            self = .png
        } else if name.contains("tiff") {
            self = .tiff
        } else if name.contains("webp") {
            self = .webp
        } else if name.contains("heif") {
            self = .heic
        } else if name.contains("gif") {
            self = .gif
        } else {
            return nil
        }
    }

    /// A loader's readable name: "VipsForeignLoadSvgFile" becomes "svg".
    static func readableLoaderName(_ loader: String) -> String {
        loader.replacingOccurrences(of: "VipsForeignLoad", with: "").replacingOccurrences(of: "File", with: "")
            .replacingOccurrences(of: "load", with: "").lowercased()
    }
}
