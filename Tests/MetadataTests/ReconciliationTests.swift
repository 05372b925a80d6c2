import Foundation
import Metadata
import Testing

@Suite("MWG reconciliation")
struct ReconciliationTests {
    static func sources(exif: String?, iptc: String?, xmp: String?, digest: Bool? = nil) -> PhotoMetadata.Sources {
        var sources = PhotoMetadata.Sources()
        if let exif {
            var values = ExifValues()
            values.imageDescription = exif
            sources.exif = values
        }
        if let iptc {
            var values = IPTCValues()
            values.caption = iptc
            values.digestMatches = digest
            sources.iptc = values
        }
        if let xmp {
            var values = XMPValues()
            values.description = xmp
            sources.xmp = values
        }
        return sources
    }

    @Test("a non-blank EXIF description wins")
    func exifWins() {
        #expect(MetadataReader.reconcile(Self.sources(exif: "E", iptc: "I", xmp: "X")).caption == "E")
    }

    @Test("XMP wins over IPTC when the digest matches or is absent")
    func xmpWins() {
        #expect(MetadataReader.reconcile(Self.sources(exif: nil, iptc: "I", xmp: "X", digest: true)).caption == "X")
        #expect(MetadataReader.reconcile(Self.sources(exif: nil, iptc: "I", xmp: "X", digest: nil)).caption == "X")
    }

    @Test("IPTC wins when its digest shows it changed after the XMP")
    func staleIPTCWins() {
        #expect(MetadataReader.reconcile(Self.sources(exif: nil, iptc: "I", xmp: "X", digest: false)).caption == "I")
    }

    @Test("IPTC is used when XMP has no value")
    func iptcFallback() {
        #expect(MetadataReader.reconcile(Self.sources(exif: nil, iptc: "I", xmp: nil)).caption == "I")
    }

    @Test("a sidecar wins over everything embedded")
    func sidecarWins() {
        var sources = Self.sources(exif: "E", iptc: "I", xmp: "X")
        var sidecar = XMPValues()
        sidecar.description = "S"
        sidecar.creator = ["Sidecar Person"]
        sources.sidecar = sidecar
        let result = MetadataReader.reconcile(sources)
        #expect(result.caption == "S")
        #expect(result.creators == ["Sidecar Person"])
    }

    @Test("EXIF Artist holds several creators separated by semicolons")
    func artistList() {
        var sources = PhotoMetadata.Sources()
        var exif = ExifValues()
        exif.artist = "Nguyễn Văn An; Trần Thị Bình"
        sources.exif = exif
        #expect(MetadataReader.reconcile(sources).creators == ["Nguyễn Văn An", "Trần Thị Bình"])
    }

    @Test("a malformed embedded packet is a warning, and the rest is still read")
    func malformedIsWarning() {
        var exif = ExifValues()
        exif.make = "Canon"
        let result = MetadataReader.read(exif: ExifWriter.blob(exif), iptc: nil, xmp: Data("<broken".utf8))
        #expect(result.camera.make == "Canon")
        #expect(result.sources.warnings.count == 1)
    }
}
