import Catalog
import CatalogSQLite
import Desk
import Foundation
import Imaging
import Ingest
import Metadata
import PhotoFactory
import PhotoModel
import Testing

/// A freelancer's archive, as an attacker would prepare it.
@Suite("Hostile folders")
struct HostileFolderTests {
    let work: TemporaryFolder
    let library: Library
    let desk: Desk

    init() throws {
        work = try TemporaryFolder("hostile")
        library = Library(path: work.path + "/library")
        desk = Desk(store: try SQLiteCatalog(library: library), library: library)
    }

    func run(_ paths: [String], jobs: Int = 2) async throws -> (IngestSummary, IngestLog) {
        let collected = IngestLog()
        var options = Ingester.Options()
        options.jobs = jobs
        let summary = try await Ingester(desk: desk, pipeline: IngesterTests.pipeline, options: options).run(paths) {
            collected.add($0)
        }
        return (summary, collected)
    }

    /// A photo with an embedded caption, so a leaked sidecar would show in place of it.
    func photo(_ name: String) throws -> String {
        var photo = SyntheticPhoto(width: 320, height: 200)
        photo.iptc = IPTCValuesFactory.caption("Embedded caption")
        let path = work.file("card/\(name)")
        try photo.write(to: path)
        return path
    }

    func caption(of path: String) async throws -> String? {
        try await desk.caption(of: try await desk.photo(path).sha256).fields.caption
    }

    @Test("IMG_1.txt linked to a private key: the photo is ingested, the key never becomes its caption")
    func captionLinkedToSecret() async throws {
        let path = try photo("IMG_1.jpg")
        try Data("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret".utf8).write(
            to: URL(fileURLWithPath: work.file("home/.ssh/id_ed25519")))
        try FileManager.default.createSymbolicLink(
            atPath: work.path + "/card/IMG_1.txt", withDestinationPath: work.path + "/home/.ssh/id_ed25519")
        let (summary, collected) = try await run([work.path + "/card"])
        #expect(summary.ingested == 1 && summary.failed == 0)
        #expect(try await caption(of: path) == "Embedded caption")
        let root = try #require(SafeFile.realPath(work.path + "/card"))
        #expect(
            collected.result(named: "IMG_1.jpg")?.warnings == [
                "sidecar IMG_1.txt not read: a link to a file outside \(root), not followed"
            ])
        let asset = try await desk.photo(path)
        let stored = try #require(try await desk.document(sha256: asset.sha256, for: .editors))
        #expect(!"\(stored)".contains("PRIVATE KEY"))
    }

    @Test("IMG_1.xmp linked to /dev/zero: refused at once, the photo ingested")
    func sidecarLinkedToDevZero() async throws {
        let path = try photo("IMG_1.jpg")
        try FileManager.default.createSymbolicLink(
            atPath: work.path + "/card/IMG_1.xmp", withDestinationPath: "/dev/zero")
        let (summary, collected) = try await run([work.path + "/card"])
        #expect(summary.ingested == 1 && summary.failed == 0)
        #expect(try await caption(of: path) == "Embedded caption")
        let root = try #require(SafeFile.realPath(work.path + "/card"))
        #expect(
            collected.result(named: "IMG_1.jpg")?.warnings == [
                "sidecar IMG_1.xmp not read: a link to a file outside \(root), not followed"
            ])
    }

    @Test("FIFOs named IMG_1.xmp and IMG_1.txt: nothing waits on them, the photo is ingested")
    func sidecarFIFOs() async throws {
        let path = try photo("IMG_1.jpg")
        #expect(mkfifo(work.path + "/card/IMG_1.xmp", 0o600) == 0)
        #expect(mkfifo(work.path + "/card/IMG_1.txt", 0o600) == 0)
        let (summary, collected) = try await run([work.path + "/card"])
        #expect(summary.ingested == 1 && summary.failed == 0 && summary.total == 1)
        #expect(try await caption(of: path) == "Embedded caption")
        #expect(
            collected.result(named: "IMG_1.jpg")?.warnings == [
                "sidecar IMG_1.xmp not read: a FIFO, not a regular file",
                "sidecar IMG_1.txt not read: a FIFO, not a regular file",
            ])
    }

    @Test("a caption sidecar over 64 KiB is skipped with a warning, never read whole")
    func oversizedCaption() async throws {
        let path = try photo("IMG_1.jpg")
        try Data(repeating: 0x41, count: 65_537).write(to: URL(fileURLWithPath: work.path + "/card/IMG_1.txt"))
        let (summary, collected) = try await run([work.path + "/card"])
        #expect(summary.ingested == 1)
        #expect(try await caption(of: path) == "Embedded caption")
        #expect(
            collected.result(named: "IMG_1.jpg")?.warnings == [
                "sidecar IMG_1.txt not read: 65537 bytes, over the 65536-byte limit"
            ])
    }

    @Test("a FIFO given by name is refused, not waited on")
    func fifoGiven() async throws {
        #expect(mkfifo(work.path + "/pipe.jpg", 0o600) == 0)
        let (summary, collected) = try await run([work.path + "/pipe.jpg"])
        #expect(summary.failed == 1)
        #expect(collected.results.first?.error == "not a regular file (a FIFO, device or socket): not read")
    }

    @Test("each failure reason is whole, names no path, and the report shows the path beside it")
    func reasons() async throws {
        try SyntheticPhoto(width: 320, height: 200).write(to: work.file("card/good.jpg"))
        try BrokenFiles.empty(at: work.file("card/zero.jpg"))
        try BrokenFiles.truncated(
            try SyntheticPhoto(width: 800, height: 600, seed: 9).encoded(), keeping: 0.4, at: work.file("card/cut.jpg"))
        try BrokenFiles.text(at: work.file("card/notes.jpg"))
        try BrokenFiles.hugePNG(width: 20000, height: 20000, at: work.file("card/huge.png"))
        try SyntheticPhoto(width: 200, height: 100).write(to: work.file("outside/x.jpg"))
        try FileManager.default.createSymbolicLink(
            atPath: work.path + "/card/link.jpg", withDestinationPath: work.path + "/outside/x.jpg")
        let (summary, collected) = try await run([work.path + "/card"])
        #expect(summary.ingested == 1 && summary.failed == 5)
        let reasons = Dictionary(
            uniqueKeysWithValues: collected.results.map { (($0.path as NSString).lastPathComponent, $0.error) })
        #expect(reasons["zero.jpg"] == "empty file (0 bytes): copy it again from the card or camera")
        #expect(reasons["cut.jpg"] == "cannot be decoded: the file is truncated (an incomplete copy?)")
        #expect(reasons["notes.jpg"] == "not an image Photodesk can read (not JPEG, PNG, TIFF, WebP, HEIC/AVIF or GIF)")
        #expect(
            reasons["huge.png"]
                == "20000x20000 pixels is over the 100 MP limit (set limits.maxPixels in the pipeline to allow it)")
        #expect(reasons["link.jpg"] == "a link out of the folder given; links are not followed out of it")
        #expect(reasons["good.jpg"] == .some(nil))
    }

    @Test("two broken files processed at once each get the reason of their own damage")
    func concurrentFailures() async throws {
        let jpeg = try SyntheticPhoto(width: 1600, height: 1200, seed: 3).encoded()
        let png = try SyntheticPhoto(width: 800, height: 600, seed: 4).encoded(as: .png)
        for index in 1...4 {
            try BrokenFiles.truncated(jpeg, keeping: 0.5, at: work.file("card/cut-\(index).jpg"))
            try BrokenFiles.corruptPNG(png, at: work.file("card/damaged-\(index).png"))
        }
        let (summary, collected) = try await run([work.path + "/card"], jobs: 2)
        #expect(summary.failed == 8)
        for result in collected.results {
            let expected =
                result.path.hasSuffix(".jpg")
                ? "cannot be decoded: the file is truncated (an incomplete copy?)"
                : "cannot be decoded: the image data is corrupt"
            #expect(result.error == expected, "\(result.path)")
        }
    }
}

@Suite("Caption sheets (formula guard)")
struct CaptionSheetTests {
    @Test("the ' an export puts before a formula-like cell is taken off on import")
    func formulaGuard() throws {
        let sheet = try CaptionSheet.parse(
            "file,caption,headline\na.jpg,'=1+2,'-30 °C in Sa Pa\nb.jpg,'plain quote,@home\n", name: "c.csv",
            folder: "/in")
        #expect(sheet.rows.map { $0.changes.values[CaptionField.caption] } == ["=1+2", "'plain quote"])
        #expect(sheet.rows.map { $0.changes.values[CaptionField.headline] } == ["-30 °C in Sa Pa", "@home"])
    }
}
