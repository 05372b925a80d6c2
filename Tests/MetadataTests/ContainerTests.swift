import Foundation
import Imaging
import Metadata
import PhotoFactory
import Testing

@Suite("Metadata libvips does not hand over")
struct ContainerTests {
    @Test("a TIFF whose IFD0 lies past the first 64 KB still gives its Artist, Copyright and date")
    func tiffFarIFD() throws {
        let folder = try TemporaryFolder()
        // Big-endian TIFF: 8-byte header, 80 KB of 8-bit grey strip, then IFD0.
        let width = 320, height = 256
        var bytes: [UInt8] = Array("MM".utf8) + [0, 42]
        let strip = width * height
        let ifdOffset = 8 + strip
        bytes += be32(ifdOffset)
        bytes += (0..<strip).map { UInt8($0 % 251) }
        let artist = Array("Nguyễn Văn An\0".utf8)
        let copyright = Array("© 2020 Demo\0".utf8)
        let entries: [(UInt16, UInt16, Int, [UInt8])] = [
            (256, 3, 1, be16(width) + [0, 0]), (257, 3, 1, be16(height) + [0, 0]), (258, 3, 1, be16(8) + [0, 0]),
            (259, 3, 1, be16(1) + [0, 0]), (262, 3, 1, be16(1) + [0, 0]), (273, 4, 1, be32(8)),
            (277, 3, 1, be16(1) + [0, 0]), (278, 3, 1, be16(height) + [0, 0]), (279, 4, 1, be32(strip)),
            (315, 2, artist.count, artist), (33432, 2, copyright.count, copyright),
        ]
        var data: [UInt8] = []
        let dataStart = ifdOffset + 2 + 12 * entries.count + 4
        var ifd = be16(entries.count)
        for (tag, type, count, value) in entries {
            ifd += be16(Int(tag)) + be16(Int(type)) + be32(count)
            if value.count <= 4 {
                ifd += value + [UInt8](repeating: 0, count: 4 - value.count)
            } else {
                ifd += be32(dataStart + data.count)
                data += value
            }
        }
        bytes += ifd + be32(0) + data
        let path = folder.file("far.tif")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let header = try ImageHeader.read(path: path)
        #expect(header.format == .tiff && header.width == width)
        let exif = try #require(header.exif.flatMap(ExifReader.read))
        #expect(exif.artist == "Nguyễn Văn An")
        #expect(exif.copyright == "© 2020 Demo")
    }

    @Test("XMP in a PNG iTXt chunk after the image data is read")
    func pngXMP() throws {
        let folder = try TemporaryFolder()
        var png = [UInt8](try SyntheticPhoto(width: 40, height: 30).uprightImage().encoded(as: .png))
        var xmp = XMPValues()
        xmp.creator = ["Trần Thị Bình"]
        let chunk = BrokenFiles.pngChunk(
            "iTXt", Array("XML:com.adobe.xmp\0\0\0\0\0".utf8) + [UInt8](XMPWriter.packet(xmp)))
        png.insert(contentsOf: chunk, at: png.count - 12)
        let path = folder.file("xmp.png")
        try Data(png).write(to: URL(fileURLWithPath: path))
        let header = try ImageHeader.read(path: path)
        let metadata = MetadataReader.read(exif: header.exif, iptc: header.iptc, xmp: header.xmp)
        #expect(metadata.creators == ["Trần Thị Bình"])
    }

    @Test("a JPEG's extended XMP is read with its main packet")
    func extendedXMP() throws {
        let folder = try TemporaryFolder()
        var jpeg = [UInt8](try SyntheticPhoto(width: 40, height: 30).uprightImage().encoded(as: .jpeg))
        var main = XMPValues()
        main.headline = "Main packet"
        var extended = XMPValues()
        extended.description = String(repeating: "Phiên chợ Đồng Văn. ", count: 10)
        let extensionBytes = [UInt8](XMPWriter.packet(extended))
        func segment(_ body: [UInt8]) -> [UInt8] { [0xFF, 0xE1] + be16(body.count + 2) + body }
        let guid = Array("0123456789ABCDEF0123456789ABCDEF".utf8)
        let half = extensionBytes.count / 2
        var segments = segment(Array("http://ns.adobe.com/xap/1.0/\0".utf8) + [UInt8](XMPWriter.packet(main)))
        // The extension in two parts, the second first: offsets put them back in order.
        for (offset, part) in [(half, Array(extensionBytes[half...])), (0, Array(extensionBytes[..<half]))] {
            segments += segment(
                Array("http://ns.adobe.com/xmp/extension/\0".utf8) + guid + be32(extensionBytes.count) + be32(offset)
                    + part)
        }
        jpeg.insert(contentsOf: segments, at: 2)
        let path = folder.file("extended.jpg")
        try Data(jpeg).write(to: URL(fileURLWithPath: path))
        let header = try ImageHeader.read(path: path)
        let metadata = MetadataReader.read(
            exif: header.exif, iptc: header.iptc, xmp: header.xmp, xmpExtension: header.xmpExtension)
        #expect(metadata.headline == "Main packet")
        #expect(metadata.caption == extended.description?.trimmingCharacters(in: .whitespaces))
    }

    @Test("EXIF without its header (WebP, TIFF) or behind HEIF's offset is read")
    func exifPrefixes() throws {
        var values = ExifValues()
        values.artist = "me"
        let blob = ExifWriter.blob(values)
        let tiff = blob.dropFirst(6)
        #expect(ExifReader.read(Data(tiff))?.artist == "me")
        #expect(ExifReader.read(Data([0, 0, 0, 6]) + blob)?.artist == "me")
    }

    @Test("TIFF's word-swapped IPTC is read")
    func swappedIPTC() throws {
        var values = IPTCValues()
        values.caption = "Lũng Cú"
        var iim = IPTCWriter.iim(values, declareUTF8: true)
        while iim.count % 4 != 0 { iim.append(0) }
        let swapped = stride(from: 0, to: iim.count, by: 4).flatMap { iim[$0..<($0 + 4)].reversed() }
        #expect(IPTCReader.read(Data(swapped))?.caption == "Lũng Cú")
    }

    func be16(_ value: Int) -> [UInt8] { [UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }
    func be32(_ value: Int) -> [UInt8] {
        [UInt8((value >> 24) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
