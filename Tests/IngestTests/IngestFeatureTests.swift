import Catalog
import CatalogSQLite
import Desk
import Foundation
import Imaging
import Ingest
import Metadata
import PhotoFactory
import Testing

@Suite("Ingest formats, verify and watch")
struct IngestFeatureTests {
    let work: TemporaryFolder
    let library: Library
    let desk: Desk

    init() throws {
        work = try TemporaryFolder("ingest-features")
        library = Library(path: work.path + "/library")
        desk = Desk(store: try SQLiteCatalog(library: library), library: library)
    }

    func ingester() -> Ingester {
        var options = Ingester.Options()
        options.jobs = 2
        return Ingester(desk: desk, pipeline: IngesterTests.pipeline, options: options)
    }

    @Test("JPEG, PNG, TIFF, WebP, HEIC, AVIF and GIF are found by content, whatever their names")
    func formats() async throws {
        let formats: [ImageFormat] = [.jpeg, .png, .tiff, .webp, .heic, .avif, .gif]
        for (index, format) in formats.enumerated() {
            let image = try SyntheticPhoto(width: 240, height: 160, seed: index + 1).uprightImage()
            // Misleading names on purpose: the content decides.
            try image.encoded(as: format, quality: 90).write(
                to: URL(fileURLWithPath: work.file("mixed/photo-\(index).dat")))
        }
        let collected = IngestLog()
        let summary = try await ingester().run([work.path + "/mixed"]) { collected.add($0) }
        #expect(summary.ingested == formats.count, "\(collected.results.filter { $0.status == .failed })")
        for (index, format) in formats.enumerated() {
            let photo = try await desk.photo(work.path + "/mixed/photo-\(index).dat")
            #expect(photo.format == format.rawValue)
            #expect(photo.width == 240 && photo.height == 160)
            let thumb = try #require(try await desk.renditions(of: photo.sha256).first { $0.preset == "thumb" })
            let image = try VipsImage.load(path: library.absolute(thumb.path))
            #expect(try SyntheticPhoto.isUpright(image, tolerance: 70), "\(format) rendition shows the picture")
        }
    }

    @Test("a CMYK JPEG with its ICC profile comes out as sRGB renditions of the same colours")
    func colourManaged() async throws {
        let cmyk = try SyntheticPhoto(width: 400, height: 300).uprightImage().exported(toProfile: "cmyk")
        #expect(cmyk.bands == 4)
        try cmyk.write(to: work.file("icc/cmyk.jpg"), as: .jpeg, quality: 92, keepMetadata: true)
        let summary = try await ingester().run([work.path + "/icc"]) { _ in }
        #expect(summary.ingested == 1)
        let photo = try await desk.photo(work.path + "/icc/cmyk.jpg")
        for rendition in try await desk.renditions(of: photo.sha256) {
            let image = try VipsImage.load(path: library.absolute(rendition.path))
            #expect(image.bands == 3, "\(rendition.preset) is RGB")
            // CMYK cannot hold the saturated green and blue, so exact values move; each quadrant
            // must keep its dominant colour (read as RGB without the profile, it would not).
            let (width, height) = (image.width, image.height)
            let red = try image.pixel(x: width / 4, y: height / 4)
            let green = try image.pixel(x: 3 * width / 4, y: height / 4)
            let blue = try image.pixel(x: width / 4, y: 3 * height / 4)
            let white = try image.pixel(x: 3 * width / 4, y: 3 * height / 4)
            #expect(red[0] > red[1] + 100 && red[0] > red[2] + 100, "\(rendition.preset) red: \(red)")
            #expect(green[1] > green[0] + 30 && green[1] > green[2] + 80, "\(rendition.preset) green: \(green)")
            #expect(blue[2] > blue[0] + 60 && blue[2] > blue[1] + 50, "\(rendition.preset) blue: \(blue)")
            #expect(white.allSatisfy { $0 > 190 }, "\(rendition.preset) white: \(white)")
        }
    }

    @Test("a progressive JPEG is ingested")
    func progressive() async throws {
        var photo = SyntheticPhoto(width: 1200, height: 800)
        photo.progressive = true
        try photo.write(to: work.file("p/progressive.jpg"))
        let summary = try await ingester().run([work.path + "/p"]) { _ in }
        #expect(summary.ingested == 1)
    }

    @Test("renditions keep the byline, credit and copyright, and nothing else")
    func creditsKept() async throws {
        var photo = SyntheticPhoto(width: 600, height: 400)
        photo.exif.latitude = 23.36
        photo.exif.longitude = 105.31
        photo.exif.make = "Canon"
        var iptc = IPTCValues()
        iptc.caption = "Cột cờ Lũng Cú"
        iptc.byline = ["Nguyễn Văn An"]
        iptc.credit = "Cổng Thông tin Demo"
        iptc.copyrightNotice = "© 2020 Demo"
        iptc.specialInstructions = "internal: do not publish before 20/9"
        photo.iptc = iptc
        try photo.write(to: work.file("c/credit.jpg"))
        _ = try await ingester().run([work.path + "/c"]) { _ in }
        let credited = try await desk.photo(work.path + "/c/credit.jpg")
        for rendition in try await desk.renditions(of: credited.sha256) {
            let header = try ImageHeader.read(path: library.absolute(rendition.path))
            let metadata = MetadataReader.read(exif: header.exif, iptc: header.iptc, xmp: header.xmp)
            #expect(metadata.creators == ["Nguyễn Văn An"], "\(rendition.preset)")
            #expect(metadata.credit == "Cổng Thông tin Demo", "\(rendition.preset)")
            #expect(metadata.copyright == "© 2020 Demo", "\(rendition.preset)")
            #expect(metadata.gps == nil, "\(rendition.preset) leaks no GPS")
            #expect(metadata.camera.make == nil)
            #expect(metadata.instructions == nil, "\(rendition.preset) leaks no internal instructions")
        }
    }

    @Test("verify finds missing, damaged and stray renditions and missing originals; repair re-makes them")
    func verifyAndRepair() async throws {
        for index in 1...3 {
            try SyntheticPhoto(width: 400, height: 300, seed: index).write(to: work.file("v/\(index).jpg"))
        }
        _ = try await ingester().run([work.path + "/v"]) { _ in }
        let verifier = Verifier(desk: desk)
        #expect(try await verifier.check().problems.isEmpty)

        let inventory = try await desk.inventory()
        let renditions = inventory.renditions
        unlink(library.absolute(renditions[0].path))
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: library.absolute(renditions[1].path)))
        try Data("stray".utf8).write(to: URL(fileURLWithPath: library.root + "/renditions/stray.webp"))
        let gone = inventory.locations.first { !renditions.prefix(2).map(\.sha256).contains($0.sha256) }
        let goneOriginal = try #require(gone)
        unlink(goneOriginal.path)

        let report = try await verifier.check()
        let kinds = report.problems.map(\.kind)
        #expect(kinds.filter { $0 == .missingRendition }.count == 1)
        #expect(kinds.filter { $0 == .corruptRendition }.count == 1)
        #expect(kinds.filter { $0 == .extraFile }.count == 1)
        #expect(kinds.filter { $0 == .missingOriginal }.count == 1)

        let repaired = try await verifier.repair()
        #expect(repaired.unresolved.map(\.kind) == [.missingOriginal], "a gone original cannot be re-made")
        let after = try await verifier.check()
        #expect(after.problems.map(\.kind) == [.missingOriginal])
        let remade = try VipsImage.load(path: library.absolute(renditions[1].path))
        #expect(remade.width == renditions[1].width)
    }

    @Test("repair re-makes a rendition only from an original that still has the asset's bytes, not only its size")
    func repairByHash() async throws {
        let data = try SyntheticPhoto(width: 400, height: 300, seed: 7).encoded()
        try data.write(to: URL(fileURLWithPath: work.file("h/a.jpg")))
        try data.write(to: URL(fileURLWithPath: work.file("h/b.jpg")))
        _ = try await ingester().run([work.path + "/h"]) { _ in }
        let rendition = try #require(try await desk.inventory().renditions.first)
        unlink(library.absolute(rendition.path))
        // a.jpg keeps its size and its place in the catalog, but holds other bytes now.
        try Data(repeating: 0x5A, count: data.count).write(to: URL(fileURLWithPath: work.path + "/h/a.jpg"))

        let verifier = Verifier(desk: desk)
        let repaired = try await verifier.repair()
        #expect(repaired.unresolved.isEmpty, "made again from b.jpg, whose bytes are the asset's")
        #expect(FileStat.of(library.absolute(rendition.path)) != nil)

        unlink(library.absolute(rendition.path))
        unlink(work.path + "/h/b.jpg")
        let impostorOnly = try await verifier.repair()
        #expect(
            impostorOnly.unresolved.map(\.kind) == [.missingRendition, .missingOriginal],
            "nothing is made from a file that only has the right size")
    }

    @Test("repair holds the library's lock: beside a running ingest it is refused with the reason")
    func repairLocks() async throws {
        try SyntheticPhoto(width: 400, height: 300).write(to: work.file("l/a.jpg"))
        _ = try await ingester().run([work.path + "/l"]) { _ in }
        let held = open(library.root + "/.ingest.lock", O_RDWR)
        #expect(held >= 0 && flock(held, LOCK_EX | LOCK_NB) == 0)
        defer { close(held) }
        let verifier = Verifier(desk: desk)
        #expect(try await verifier.check().problems.isEmpty, "checking alone needs no lock")
        await #expect {
            _ = try await verifier.repair()
        } throws: { error in
            "\(error)" == "another ingest or repair is running on \(library.root); wait for it to finish"
        }
    }

    @Test("watch ingests a file only once it has stopped growing")
    func watch() async throws {
        let folder = work.path + "/incoming"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let data = try SyntheticPhoto(width: 500, height: 300).encoded()
        let path = folder + "/arriving.jpg"
        let collected = IngestLog()
        let watcher = FolderWatcher(ingester: ingester(), folder: folder)
        var state = FolderWatcher.State()

        // Half a file, grown between every two looks: never ingested.
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let step = data.count / 8
        for index in 0..<6 {
            try handle.write(contentsOf: data[(index * step)..<((index + 1) * step)])
            #expect(try await watcher.look(&state) { collected.add($0) } == 0)
            #expect(collected.results.isEmpty, "nothing is ingested while the file grows")
        }
        try handle.write(contentsOf: data[(6 * step)...])
        try handle.close()
        #expect(try await watcher.look(&state) { collected.add($0) } == 0, "complete, but just changed")
        #expect(collected.results.isEmpty)
        #expect(try await watcher.look(&state) { collected.add($0) } == 1, "unchanged since the last look")
        #expect(collected.results.map(\.status) == [.ingested])
        #expect(try await watcher.look(&state) { collected.add($0) } == 0, "ingested once, not at every look")
        #expect(try await desk.photoCount(audience: .editors) == 1)
    }

    @Test("the progress line shows done/total, rate, ETA and the current file")
    func progressLine() {
        let start = Date(timeIntervalSince1970: 0)
        var line = ProgressLine(started: start)
        line.update(.scanned(total: 100))
        line.update(.started(path: "/card/DSC_0042.jpg"))
        line.update(
            .finished(
                FileResult(path: "/card/DSC_0041.jpg", status: .ingested, id: "0123456789abcdef"), done: 25, total: 100)
        )
        let text = line.render(now: Date(timeIntervalSince1970: 5), width: 80)
        #expect(text.hasPrefix("25/100  5.0 files/s  ETA 0:15  "))
        #expect(text.hasSuffix("/card/DSC_0042.jpg"))
        #expect(line.render(now: Date(timeIntervalSince1970: 5), width: 40).count <= 40)
    }
}
