import Catalog
import CatalogSQLite
import Desk
import Foundation
import Imaging
import Ingest
import Metadata
import PhotoFactory
import Testing

@Suite("Ingest")
struct IngesterTests {
    static let pipeline = Pipeline(
        name: "test",
        renditions: [
            RenditionSpec(name: "thumb", width: 120, height: 120, format: .webp, quality: 75),
            RenditionSpec(name: "large", width: 480, height: 480, format: .jpeg, quality: 80),
        ])

    let work: TemporaryFolder
    let library: Library
    let desk: Desk

    init() throws {
        work = try TemporaryFolder("ingest")
        library = Library(path: work.path + "/library")
        desk = Desk(store: try SQLiteCatalog(library: library), library: library)
    }

    func run(_ paths: [String], pipeline: Pipeline = IngesterTests.pipeline) async throws -> (IngestSummary, IngestLog)
    {
        let collected = IngestLog()
        var options = Ingester.Options()
        options.jobs = 2
        let summary = try await Ingester(desk: desk, pipeline: pipeline, options: options)
            .run(paths) { collected.add($0) }
        return (summary, collected)
    }

    func renditionFiles() -> [String] {
        (FileManager.default.enumerator(atPath: library.root + "/renditions")?.allObjects as? [String] ?? [])
            .filter { $0.contains(".") }
    }

    @Test("bad files are refused with reasons while every good file is ingested")
    func badInput() async throws {
        let folder = work.path + "/card"
        for index in 1...3 {
            var photo = SyntheticPhoto(width: 640, height: 480, orientation: index == 2 ? 6 : 1, seed: index)
            photo.exif.make = "Canon"
            try photo.write(to: work.file("card/good-\(index).jpg"))
        }
        try BrokenFiles.empty(at: work.file("card/zero.jpg"))
        try BrokenFiles.truncated(
            try SyntheticPhoto(width: 800, height: 600, seed: 9).encoded(), keeping: 0.4, at: work.file("card/cut.jpg"))
        try BrokenFiles.text(at: work.file("card/notes.jpg"))
        try BrokenFiles.hugePNG(width: 20000, height: 20000, at: work.file("card/huge.png"))
        try Data("sidecar".utf8).write(to: URL(fileURLWithPath: work.file("card/good-1.txt")))
        try Data().write(to: URL(fileURLWithPath: work.file("card/.DS_Store")))

        let (summary, collected) = try await run([folder])
        #expect(summary.ingested == 3)
        #expect(summary.failed == 4)
        #expect(summary.total == 7, "hidden files and sidecars are not photos")
        #expect(collected.result(named: "zero.jpg")?.error?.contains("empty") == true)
        #expect(collected.result(named: "cut.jpg")?.error?.contains("truncated") == true)
        #expect(collected.result(named: "notes.jpg")?.error?.contains("not an image") == true)
        let huge = try #require(collected.result(named: "huge.png")?.error)
        #expect(huge.contains("20000x20000") && huge.contains("100 MP limit"))
        for result in collected.results where result.status == .failed {
            #expect(result.id == nil)
            #expect(result.error?.contains(result.path) == false, "the reason does not repeat the path beside it")
        }
        #expect(try await desk.photoCount(audience: .editors) == 3)
        let good = try await desk.photo(work.path + "/card/good-1.jpg")
        #expect(try await desk.caption(of: good.sha256).fields.caption == "sidecar")
    }

    @Test("a second ingest of the same folder reports every file unchanged and makes no rendition")
    func unchanged() async throws {
        for index in 1...4 {
            try SyntheticPhoto(width: 300, height: 200, seed: index).write(to: work.file("in/\(index).jpg"))
        }
        let (first, _) = try await run([work.path + "/in"])
        #expect(first.ingested == 4)
        #expect(first.renditionsMade == 8)
        let before = try renditionFiles().map {
            try FileManager.default.attributesOfItem(atPath: library.root + "/renditions/" + $0)[.modificationDate]
                as? Date
        }

        let (second, collected) = try await run([work.path + "/in"])
        #expect(second.unchanged == 4)
        #expect(second.total == 4)
        #expect(second.renditionsMade == 0)
        #expect(collected.results.allSatisfy { $0.status == .unchanged && $0.id?.count == 16 })
        let after = try renditionFiles().map {
            try FileManager.default.attributesOfItem(atPath: library.root + "/renditions/" + $0)[.modificationDate]
                as? Date
        }
        #expect(before == after)
    }

    @Test("the same bytes at a second path are one asset with two locations")
    func duplicates() async throws {
        let data = try SyntheticPhoto(width: 300, height: 200, seed: 5).encoded()
        try data.write(to: URL(fileURLWithPath: work.file("dup/a.jpg")))
        try data.write(to: URL(fileURLWithPath: work.file("dup/b/a-copy.jpg")))
        let (summary, collected) = try await run([work.path + "/dup"])
        #expect(summary.ingested == 1)
        #expect(summary.duplicate == 1)
        #expect(Set(collected.results.compactMap(\.id)).count == 1)
        #expect(try await desk.photoCount(audience: .editors) == 1)
        let photo = try await desk.photo(work.path + "/dup/a.jpg")
        #expect(try await desk.details(sha256: photo.sha256)?.locations.count == 2)
        #expect(summary.renditionsMade == 2, "processed once")
    }

    @Test("a changed file at a known path is re-ingested and keeps its captions")
    func changedFile() async throws {
        var photo = SyntheticPhoto(width: 300, height: 200, seed: 1)
        var iptc = IPTCValuesFactory.caption("Ảnh gốc")
        photo.iptc = iptc
        let path = work.file("edit/photo.jpg")
        try photo.write(to: path)
        _ = try await run([path])
        photo.seed = 2
        iptc.caption = nil
        photo.iptc = iptc
        try photo.write(to: path)
        let (summary, collected) = try await run([path])
        #expect(summary.ingested == 1)
        let id = try #require(collected.results.first?.id)
        let edited = try await desk.photo(id)
        #expect(try await desk.caption(of: edited.sha256).fields.caption == "Ảnh gốc")
    }

    @Test("changing one preset re-makes only that preset's renditions")
    func presetChange() async throws {
        try SyntheticPhoto(width: 300, height: 200, seed: 3).write(to: work.file("p/1.jpg"))
        _ = try await run([work.path + "/p"])
        var changed = IngesterTests.pipeline
        changed.renditions[0].width = 100
        changed.renditions[0].height = 100
        let thumbPath = try #require(renditionFiles().first { $0.contains("thumb") })
        let largePath = try #require(renditionFiles().first { $0.contains("large") })
        let largeBefore =
            try FileManager.default.attributesOfItem(atPath: library.root + "/renditions/" + largePath)[
                .modificationDate] as? Date
        let (summary, _) = try await run([work.path + "/p"], pipeline: changed)
        #expect(summary.renditionsMade == 1)
        let thumb = try VipsImage.load(path: library.root + "/renditions/" + thumbPath)
        #expect(thumb.width == 100)
        let largeAfter =
            try FileManager.default.attributesOfItem(atPath: library.root + "/renditions/" + largePath)[
                .modificationDate] as? Date
        #expect(largeBefore == largeAfter)
    }

    @Test(
        "a preset changed is re-made for every photo, whether the files are looked up one by one (a few) or with the whole catalog (many)",
        arguments: [2, Ingester.fewFiles + 6])
    func presetChangeAtScale(_ count: Int) async throws {
        for index in 0..<count {
            try SyntheticPhoto(width: 64, height: 48, seed: index + 100).write(to: work.file("s/\(index).jpg"))
        }
        let (first, _) = try await run([work.path + "/s"])
        #expect(first.ingested == count)
        var changed = IngesterTests.pipeline
        changed.renditions[0].width = 50
        let stale = try await desk.photosNeedingRenditions(fingerprints: changed.fingerprints)
        #expect(stale.count == count)
        for sha256 in stale {
            #expect(try await desk.needsRenditions(sha256, fingerprints: changed.fingerprints))
            #expect(try await !desk.needsRenditions(sha256, fingerprints: IngesterTests.pipeline.fingerprints))
        }
        let (second, _) = try await run([work.path + "/s"], pipeline: changed)
        #expect(second.renditionsMade == count && second.ingested == count)
        let (third, _) = try await run([work.path + "/s"], pipeline: changed)
        #expect(third.unchanged == count && third.renditionsMade == 0)
        #expect(try await desk.photosNeedingRenditions(fingerprints: changed.fingerprints).isEmpty)
    }

    @Test("links out of the folder given are reported, not followed")
    func links() async throws {
        try SyntheticPhoto(width: 200, height: 100).write(to: work.file("outside/x.jpg"))
        try SyntheticPhoto(width: 200, height: 100, seed: 4).write(to: work.file("inside/y.jpg"))
        try FileManager.default.createSymbolicLink(
            atPath: work.path + "/inside/link.jpg", withDestinationPath: work.path + "/outside/x.jpg")
        let (summary, collected) = try await run([work.path + "/inside"])
        #expect(summary.ingested == 1)
        #expect(collected.result(named: "link.jpg")?.status == .failed)
        #expect(
            collected.result(named: "link.jpg")?.error
                == "a link out of the folder given; links are not followed out of it")
    }

    @Test("ingesting the folder that holds the library skips the library: its renditions are not photos")
    func libraryInsideFolder() async throws {
        try SyntheticPhoto(width: 200, height: 100).write(to: work.file("a.jpg"))
        try SyntheticPhoto(width: 200, height: 100, seed: 3).write(to: work.file("trip/b.jpg"))
        let (first, collected) = try await run([work.path])
        #expect(first.ingested == 2)
        #expect(first.failed == 0, "\(collected.results.map(\.path))")
        // Renditions now exist inside the library; a second pass still sees two photos, unchanged.
        let (second, _) = try await run([work.path])
        #expect(second.unchanged == 2)
        #expect(second.ingested == 0 && second.failed == 0 && second.duplicate == 0)
        // The library itself, given by name, is refused with the reason.
        await #expect {
            _ = try await run([library.root])
        } throws: { error in
            "\(error)".contains("is the library")
        }
    }

    @Test("a folder given through a link is followed; a link to nothing is refused by name")
    func linkedFolder() async throws {
        try SyntheticPhoto(width: 200, height: 100).write(to: work.file("disk/assignment/x.jpg"))
        try FileManager.default.createSymbolicLink(
            atPath: work.path + "/assignment", withDestinationPath: work.path + "/disk/assignment")
        let (summary, _) = try await run([work.path + "/assignment"])
        #expect(summary.ingested == 1)
        try FileManager.default.createSymbolicLink(
            atPath: work.path + "/gone", withDestinationPath: work.path + "/disk/nothing")
        await #expect {
            _ = try await run([work.path + "/gone"])
        } throws: { error in
            "\(error)".contains("gone") && "\(error)".contains("does not exist")
        }
    }

    @Test("the default pipeline file is valid, and bad pipelines are refused with the reason")
    func pipelines() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let pipeline = try Pipeline.load(path: root.appendingPathComponent("Pipelines/default.yml").path)
        #expect(pipeline.renditions.map(\.name) == ["thumb", "medium", "large"])
        #expect(pipeline.limits.maxPixels == 100_000_000)
        let bad = work.file("bad.yml")
        try Data("renditions:\n  - {name: Thumb!, width: 10, height: 10, format: webp, quality: 80}\n".utf8)
            .write(to: URL(fileURLWithPath: bad))
        #expect(throws: IngestError.self) { try Pipeline.load(path: bad) }
    }
}

/// IPTC values for tests.
enum IPTCValuesFactory {
    static func caption(_ text: String) -> Metadata.IPTCValues {
        var values = Metadata.IPTCValues()
        values.caption = text
        return values
    }
}
