import Foundation

/// Who took a photo and who owns it, embedded in files Photodesk makes (renditions, exports) so
/// that a photo downloaded from the gallery still says so. EXIF, IPTC and XMP carry the same
/// values, as MWG asks.
public struct CreditMetadata: Sendable, Equatable {
    public var byline: String?
    public var credit: String?
    public var copyright: String?
    /// The caption, for exports; renditions leave it out.
    public var caption: String?

    /// Makes credit metadata.
    public init(byline: String? = nil, credit: String? = nil, copyright: String? = nil, caption: String? = nil) {
        self.byline = byline
        self.credit = credit
        self.copyright = copyright
        self.caption = caption
    }

    /// Whether there is nothing to embed.
    public var isEmpty: Bool { byline == nil && credit == nil && copyright == nil && caption == nil }

    /// The blobs by libvips' names, empty when there is nothing to say.
    public var blobs: [String: Data] {
        guard !isEmpty else { return [:] }
        var exif = ExifValues()
        exif.artist = byline
        exif.copyright = copyright
        exif.imageDescription = caption
        var iptc = IPTCValues()
        iptc.byline = byline.map { [$0] } ?? []
        iptc.credit = credit
        iptc.copyrightNotice = copyright
        iptc.caption = caption
        var xmp = XMPValues()
        xmp.creator = byline.map { [$0] } ?? []
        xmp.credit = credit
        xmp.rights = copyright
        xmp.description = caption
        return [
            "exif-data": ExifWriter.blob(exif), "iptc-data": IPTCWriter.photoshopBlock(iptc),
            "xmp-data": XMPWriter.packet(xmp),
        ]
    }
}
