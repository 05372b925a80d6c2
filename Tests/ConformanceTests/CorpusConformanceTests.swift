import Catalog
import CatalogSQLite
import Desk
import Foundation
import Imaging
import Ingest
import Metadata
import PhotoFactory
import Testing

/// The shared corpus of real camera files, broken files and ExifTool's reference output, named
/// by `$PHOTODESK_CORPUS`. These tests run only when it is set (`make conformance`).
enum Corpus {
    static let path: String? = ProcessInfo.processInfo.environment["PHOTODESK_CORPUS"].flatMap {
        FileManager.default.fileExists(atPath: $0) ? URL(fileURLWithPath: $0).standardizedFileURL.path : nil
    }

    /// ExifTool's MWG-reconciled values (`mwg.json`), by path relative to the corpus.
    static func reference() throws -> [String: [String: Any]] {
        let root = try #require(path)
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/mwg.json"))
        let entries = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return Dictionary(entries.compactMap { entry in (entry["SourceFile"] as? String).map { ($0, entry) } }) {
            first, _ in first
        }
    }

    /// Ingests the whole corpus once into a fresh library; every test reads the same run.
    static let ingest = Task<Run, any Error> {
        let root = try #require(path)
        let work = try TemporaryFolder("conformance")
        let library = Library(path: work.path + "/library")
        let desk = Desk(store: try SQLiteCatalog(library: library), library: library)
        let pipeline = Pipeline(
            name: "conformance",
            renditions: [
                RenditionSpec(name: "thumb", width: 240, height: 240, format: .webp, quality: 85),
                RenditionSpec(name: "large", width: 600, height: 600, format: .jpeg, quality: 90),
            ])
        let collected = IngestLog()
        let started = Date()
        let summary = try await Ingester(desk: desk, pipeline: pipeline).run([root]) {
            collected.add($0)
        }
        return Run(
            work: work, library: library, desk: desk, summary: summary, results: collected.results,
            seconds: Date().timeIntervalSince(started))
    }

    struct Run: Sendable {
        let work: TemporaryFolder
        let library: Library
        let desk: Desk
        let summary: IngestSummary
        let results: [FileResult]
        let seconds: Double
    }
}

@Suite("Conformance over the shared corpus", .enabled(if: Corpus.path != nil), .serialized)
struct CorpusConformanceTests {
    @Test("every file is accounted for, with a reason for each refusal, and nothing crashes or hangs")
    func accounted() async throws {
        let root = try #require(Corpus.path)
        let run = try await Corpus.ingest.value
        let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { path in
                var isFolder: ObjCBool = false
                FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isFolder)
                let name = (path as NSString).lastPathComponent
                return !isFolder.boolValue && !name.hasPrefix(".") && !path.contains("/.")
                    && !["xmp", "txt"].contains((name as NSString).pathExtension.lowercased())
            }
        let reported = Set(run.results.map { String($0.path.dropFirst(root.count + 1)) })
        #expect(Set(files) == reported, "missing: \(Set(files).subtracting(reported).sorted())")
        #expect(run.results.count == reported.count, "each file reported once")
        for result in run.results {
            switch result.status {
            case .failed:
                #expect(result.id == nil)
                let reason = result.error ?? ""
                #expect(!reason.isEmpty, "\(result.path) is refused with a reason")
                #expect(!reason.contains(result.path), "the reason does not repeat the path: \(reason)")
                let others = run.results.map { ($0.path as NSString).lastPathComponent }.filter {
                    $0 != (result.path as NSString).lastPathComponent && $0.count > 8
                }
                #expect(!others.contains { reason.contains($0) }, "\(result.path): the reason names another file")
            default:
                #expect(result.id?.count == 16)
                #expect(result.error == nil)
            }
        }
        print(
            "corpus: \(run.results.count) files in \(String(format: "%.1f", run.seconds)) s: \(run.summary.ingested) ingested, \(run.summary.duplicate) duplicate, \(run.summary.failed) refused"
        )
    }

    @Test("Landscape_N and Portrait_N renditions all match the upright N = 1 picture")
    func orientations() async throws {
        let root = try #require(Corpus.path)
        let run = try await Corpus.ingest.value
        for shape in ["Landscape", "Portrait"] {
            let reference = try await rendition(run, root + "/exif-orientation-examples/\(shape)_1.jpg")
            for n in 2...8 {
                let turned = try await rendition(run, root + "/exif-orientation-examples/\(shape)_\(n).jpg")
                #expect(turned.width == reference.width && turned.height == reference.height, "\(shape)_\(n) size")
                if turned.width == reference.width && turned.height == reference.height {
                    let difference = try turned.meanDifference(from: reference)
                    print(
                        "\(shape)_\(n): mean difference from \(shape)_1: \(String(format: "%.2f", difference)) levels")
                    #expect(difference < 8, "\(shape)_\(n) differs from \(shape)_1 by \(difference) levels on average")
                }
            }
        }
    }

    func rendition(_ run: Corpus.Run, _ path: String) async throws -> VipsImage {
        let photo = try #require(try await run.desk.findPhoto(path), "\(path) was ingested")
        let large = try #require(try await run.desk.renditions(of: photo.sha256).first { $0.preset == "large" })
        return try VipsImage.load(path: run.library.absolute(large.path))
    }

    @Test("stored dimensions agree with ExifTool's for every file both read")
    func dimensions() async throws {
        let root = try #require(Corpus.path)
        let reference = try Corpus.reference()
        var agree = 0
        var disagreements: [String] = []
        for (file, values) in reference.sorted(by: { $0.key < $1.key }) {
            guard let width = values["ImageWidth"] as? Int, let height = values["ImageHeight"] as? Int,
                let header = try? ImageHeader.read(path: root + "/" + file)
            else { continue }
            if header.storedWidth == width && header.storedHeight == height {
                agree += 1
            } else {
                disagreements.append(
                    "\(file): \(header.storedWidth)x\(header.storedHeight), ExifTool \(width)x\(height)")
            }
        }
        print("dimensions: \(agree) of \(agree + disagreements.count) agree")
        for line in disagreements { print("  \(line)") }
        #expect(agree > 0)
        #expect(Double(agree) >= 0.98 * Double(agree + disagreements.count), "\(disagreements)")
    }
}
