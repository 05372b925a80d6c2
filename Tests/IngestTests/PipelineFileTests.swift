import Foundation
import Ingest
import Testing

@Suite("Pipeline files")
struct PipelineFileTests {
    static let good = """
        name: web
        renditions:
          - name: thumb
            width: 320
            height: 320
            format: webp
            quality: 80
          - name: large
            width: 2048
            height: 2048
            format: jpeg
            quality: 85
        limits:
          maxPixels: 100000000
          maxBytes: 2147483648
        metadata: [exif, iptc, xmp, sidecar]
        """

    /// The message a pipeline text is refused with.
    static func refusal(_ text: String) -> String? {
        do {
            _ = try Pipeline.parse(text, source: "Pipelines/x.yml")
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The good pipeline with one line replaced.
    static func changing(_ line: String, to replacement: String) -> String {
        good.replacingOccurrences(of: line, with: replacement)
    }

    @Test("a good pipeline reads")
    func good() throws {
        let pipeline = try Pipeline.parse(Self.good, source: "Pipelines/x.yml")
        #expect(pipeline.renditions.map(\.quality) == [80, 85])
        #expect(pipeline.limits.maxBytes == 2_147_483_648)
    }

    @Test(
        "a bad value is refused with the file, its line and the field",
        arguments: [
            ("    quality: 85", "    quality: 0", "Pipelines/x.yml line 12: renditions[1].quality must be 1 to 100"),
            (
                "    width: 320", "    width: wide",
                "Pipelines/x.yml line 4: renditions[0].width must be a whole number from 1 to 16384"
            ),
            ("    height: 2048", "    height: -5", "Pipelines/x.yml line 10: renditions[1].height must be 1 to 16384"),
            (
                "  maxBytes: 2147483648", "  maxBytes: 99999999999999999999999",
                "Pipelines/x.yml line 15: limits.maxBytes must be a whole number from 1 to 1099511627776"
            ),
            (
                "  maxPixels: 100000000", "  maxPixels: 1e999",
                "Pipelines/x.yml line 14: limits.maxPixels must be a whole number from 1 to 10000000000"
            ),
            (
                "    format: jpeg", "    format: bmp",
                "Pipelines/x.yml line 11: renditions[1].format must be jpeg, webp or avif"
            ),
            (
                "    format: webp", "    format: gif",
                "Pipelines/x.yml line 6: renditions[0].format must be jpeg, webp or avif"
            ),
            (
                "[exif, iptc, xmp, sidecar]", "[exif, gps]",
                "Pipelines/x.yml line 16: metadata[1] must be exif, iptc, xmp or sidecar"
            ),
            ("    quality: 80", "", "Pipelines/x.yml line 3: renditions[0] has no quality"),
            (
                "    quality: 80", "    qualty: 80",
                "Pipelines/x.yml line 7: renditions[0].qualty is not a pipeline field (known: format, height, name, quality, width)"
            ),
            (
                "  maxBytes: 2147483648", "  maxbytes: 5",
                "Pipelines/x.yml line 15: limits.maxbytes is not a pipeline field (known: maxBytes, maxPixels)"
            ),
            (
                "  - name: large", "  - name: thumb",
                "Pipelines/x.yml line 8: renditions[1].name must differ from the others (thumb is declared twice)"
            ),
            (
                "  - name: large", "  - name: Large!",
                "Pipelines/x.yml line 8: renditions[1].name must be lower-case letters, digits and - (\"Large!\" is not)"
            ),
        ])
    func badValue(_ line: String, _ replacement: String, _ message: String) {
        #expect(Self.refusal(Self.changing(line, to: replacement)) == message)
    }

    @Test("a file that is not a pipeline at all says so, with the line where it can")
    func notAPipeline() {
        #expect(
            Self.refusal("") == "Pipelines/x.yml is empty: a pipeline lists its renditions (see Pipelines/default.yml)")
        #expect(Self.refusal("hello") == "Pipelines/x.yml line 1: the pipeline must be a mapping of field: value")
        #expect(Self.refusal("name: x\nrenditions: 5\n") == "Pipelines/x.yml line 2: renditions must be a list")
        #expect(
            Self.refusal("name: x\nrenditions: []\n")
                == "Pipelines/x.yml line 2: renditions must list at least one rendition")
        #expect(
            Self.refusal("name: x\nrenditions:\n  - name: [a\n")
                == "Pipelines/x.yml line 4: not valid YAML (did not find expected ',' or ']')")
    }

    @Test("a pipeline file that is a FIFO, a device or too large is refused by name")
    func unreadable() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipelines-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(mkfifo(folder + "/fifo.yml", 0o600) == 0)
        #expect(throws: IngestError.self) { try Pipeline.load(path: folder + "/fifo.yml") }
        do {
            _ = try Pipeline.load(path: "/dev/zero")
        } catch {
            #expect("\(error)" == "cannot read the pipeline /dev/zero: a device, not a regular file")
        }
    }
}
