import Foundation
import PhotoModel

/// Caption fields embedded in files Photodesk makes (renditions, exported JPEGs), so that a photo
/// downloaded from the gallery still says who took it and who owns it: every field in EXIF,
/// IPTC and XMP alike, where its metadata (`CaptionField.metadata`) says, as MWG asks.
public struct EmbeddedMetadata: Sendable, Equatable {
    /// The fields to embed.
    public var fields: CaptionFields

    /// Embeds the given fields.
    public init(_ fields: CaptionFields) {
        self.fields = fields
    }

    /// What a photo's renditions carry: the fields marked `isEmbeddedInRenditions` (byline,
    /// credit, copyright), not the caption, which changes and belongs to the page.
    public static func renditions(of fields: CaptionFields) -> EmbeddedMetadata {
        var kept = CaptionFields()
        for field in CaptionField.allCases where field.isEmbeddedInRenditions {
            if field.isList { kept.setList(field, fields.list(field)) } else { kept[field] = fields[field] }
        }
        return EmbeddedMetadata(kept)
    }

    /// Whether there is nothing to embed.
    public var isEmpty: Bool { fields.isEmpty }

    /// A field's values as metadata holds them: a list field's items, else its one text.
    func values(_ field: CaptionField) -> [String] {
        field.isList ? fields.list(field) : (fields[field].map { [$0] } ?? [])
    }

    /// The blobs by libvips' names, empty when there is nothing to say.
    public var blobs: [String: Data] {
        guard !isEmpty else { return [:] }
        var exif = ExifValues()
        var iptc = IPTCValues()
        var xmp = XMPValues()
        for field in CaptionField.allCases {
            let values = values(field)
            guard !values.isEmpty else { continue }
            let mapping = field.metadata
            if let tag = mapping.exif { exif[tag] = values.joined(separator: ", ") }
            if mapping.iim != nil { iptc.fields[field] = values }
            if mapping.xmp != nil { xmp.fields[field] = values }
        }
        return [
            "exif-data": ExifWriter.blob(exif), "iptc-data": IPTCWriter.photoshopBlock(iptc),
            "xmp-data": XMPWriter.packet(xmp),
        ]
    }
}
