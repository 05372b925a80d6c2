import Foundation
import Imaging
import Metadata
import PhotoFactory
import Testing

@Suite("Renditions")
struct RenditionMakerTests {
    static let specs = [
        RenditionSpec(name: "thumb", width: 160, height: 160, format: .webp, quality: 80),
        RenditionSpec(name: "large", width: 400, height: 400, format: .jpeg, quality: 85),
    ]

    @Test("every EXIF orientation comes out upright", arguments: 1...8)
    func orientation(_ orientation: Int) throws {
        let folder = try TemporaryFolder()
        let photo = SyntheticPhoto(width: 600, height: 400, orientation: orientation)
        let path = folder.file("o\(orientation).jpg")
        try photo.write(to: path)

        let header = try ImageHeader.read(path: path)
        #expect(header.orientation == orientation)
        #expect(header.width == 600 && header.height == 400, "displayed size follows orientation")

        let results = try RenditionMaker().make(from: path, specs: Self.specs) {
            folder.file("out-\($0.name).\($0.format.fileExtension)")
        }
        #expect(results.map(\.spec.name) == ["thumb", "large"])
        for result in results {
            let image = try VipsImage.load(path: result.path)
            #expect(image.width > image.height, "\(result.spec.name) is landscape like the upright picture")
            #expect(try SyntheticPhoto.isUpright(image), "\(result.spec.name) of orientation \(orientation) is upright")
        }
        #expect(results[0].width == 160 && results[0].height == 107)
        #expect(results[1].width == 400 && results[1].height == 267)
    }

    @Test("renditions carry no metadata from the original")
    func stripped() throws {
        let folder = try TemporaryFolder()
        var photo = SyntheticPhoto(width: 300, height: 200)
        photo.exif.make = "Canon"
        photo.exif.latitude = 21.0
        photo.exif.longitude = 105.8
        var iptc = IPTCValues()
        iptc.caption = "private note"
        photo.iptc = iptc
        let path = folder.file("meta.jpg")
        try photo.write(to: path)
        #expect(try ImageHeader.read(path: path).exif != nil)
        let results = try RenditionMaker().make(from: path, specs: Self.specs) {
            folder.file("r-\($0.name).\($0.format.fileExtension)")
        }
        for result in results {
            let header = try ImageHeader.read(path: result.path)
            // libvips' WebP saver writes a minimal EXIF of its own (orientation, resolution);
            // nothing from the original may be in it.
            let exif = header.exif.flatMap(ExifReader.read)
            #expect(exif?.make == nil, "\(result.spec.name) keeps no camera")
            #expect(exif?.latitude == nil && exif?.longitude == nil, "\(result.spec.name) leaks no GPS")
            #expect(header.xmp == nil)
            #expect(header.iptc == nil)
        }
    }

    @Test("a small original is never enlarged")
    func noUpscale() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("small.jpg")
        try SyntheticPhoto(width: 120, height: 80).write(to: path)
        let results = try RenditionMaker().make(from: path, specs: Self.specs) {
            folder.file("s-\($0.name).\($0.format.fileExtension)")
        }
        #expect(results.allSatisfy { $0.width == 120 && $0.height == 80 })
    }

    @Test("a truncated JPEG is refused as truncated, naming the file")
    func truncated() throws {
        let folder = try TemporaryFolder()
        let data = try SyntheticPhoto(width: 800, height: 600).encoded()
        let path = folder.file("cut.jpg")
        try BrokenFiles.truncated(data, keeping: 0.5, at: path)
        #expect(throws: ImagingError.self) {
            _ = try RenditionMaker().make(from: path, specs: Self.specs) {
                folder.file("c-\($0.name).\($0.format.fileExtension)")
            }
        }
        do {
            _ = try RenditionMaker().make(from: path, specs: Self.specs) {
                folder.file("c-\($0.name).\($0.format.fileExtension)")
            }
        } catch let error as ImagingError {
            #expect(error.code == .corrupt)
            #expect(error.message == "\(path): cannot be decoded: the file is truncated (an incomplete copy?)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "cut.jpg" }
        #expect(leftovers.isEmpty, "no partial rendition is left behind")
    }
}

@Suite("Headers")
struct ImageHeaderTests {
    @Test("formats are found by content, not by name")
    func byContent() throws {
        let folder = try TemporaryFolder()
        let png = try SyntheticPhoto(width: 64, height: 48).uprightImage().encoded(as: .png)
        let misnamed = folder.file("really-a-png.jpg")
        try png.write(to: URL(fileURLWithPath: misnamed))
        let header = try ImageHeader.read(path: misnamed)
        #expect(header.format == .png)
        #expect(header.width == 64 && header.height == 48)
    }

    @Test("an empty file is refused with its name and what to do")
    func empty() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("zero.jpg")
        try BrokenFiles.empty(at: path)
        let error = #expect(throws: ImagingError.self) { try ImageHeader.read(path: path) }
        #expect(error?.code == .empty)
        #expect(error?.message == "\(path): empty file (0 bytes): copy it again from the card or camera")
    }

    @Test("a text file named .jpg is refused as not an image")
    func text() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("notes.jpg")
        try BrokenFiles.text(at: path)
        let error = #expect(throws: ImagingError.self) { try ImageHeader.read(path: path) }
        #expect(error?.code == .unsupported)
        #expect(
            error?.message == "\(path): not an image Photodesk can read (not JPEG, PNG, TIFF, WebP, HEIC/AVIF or GIF)")
    }

    @Test("a huge PNG's size is read from its header without decoding")
    func hugeHeader() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("bomb.png")
        try BrokenFiles.hugePNG(width: 20000, height: 20000, at: path)
        let header = try ImageHeader.read(path: path)
        #expect(header.pixels == 400_000_000)
    }
}

@Suite("Failure messages")
struct FailureMessageTests {
    static let specs = [RenditionSpec(name: "thumb", width: 200, height: 200, format: .webp, quality: 70)]

    /// The error making renditions of `path` gives, if any.
    static func failure(_ path: String, into folder: TemporaryFolder) -> ImagingError? {
        do {
            _ = try RenditionMaker().make(from: path, specs: specs) {
                folder.file("out/\(UUID().uuidString)-\($0.name).\($0.format.fileExtension)")
            }
            return nil
        } catch {
            return error as? ImagingError
        }
    }

    @Test("files failing at the same time each keep their own libvips message")
    func concurrent() async throws {
        let folder = try TemporaryFolder()
        let jpeg = folder.file("cut.jpg")
        try BrokenFiles.truncated(
            try SyntheticPhoto(width: 1600, height: 1200, seed: 3).encoded(), keeping: 0.5, at: jpeg)
        let png = folder.file("damaged.png")
        try BrokenFiles.corruptPNG(try SyntheticPhoto(width: 800, height: 600, seed: 4).encoded(as: .png), at: png)
        let alone = [jpeg: Self.failure(jpeg, into: folder), png: Self.failure(png, into: folder)]
        #expect(alone[jpeg]??.reason == "cannot be decoded: the file is truncated (an incomplete copy?)")
        #expect(alone[png]??.reason == "cannot be decoded: the image data is corrupt")
        let together = await withTaskGroup(of: (String, ImagingError?).self) { group in
            for index in 0..<16 {
                let path = index % 2 == 0 ? jpeg : png
                group.addTask { await Blocking.run { (path, Self.failure(path, into: folder)) } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(together.count == 16)
        for (path, error) in together {
            #expect(error == alone[path] ?? nil, "the same error, libvips' message included, as alone")
        }
    }
}
