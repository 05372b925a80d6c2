import ArgumentParser
import Catalog
import Exports
import Foundation

/// `photodesk export`
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export photos' captions as XMP sidecars, CSV or JSON, or as JPEGs that carry them.",
        discussion: """
            xmp   one NAME.xmp sidecar per photo, named after its original: ExifTool, Lightroom and
                  Photo Mechanic read the caption, headline, byline, credit, copyright, keywords
                  and location from it.
            csv   photos.csv, one row per photo.
            json  photos.json, the documents of `show --json`.
            jpeg  the large rendition of each photo with caption, byline, credit and copyright
                  embedded in EXIF, IPTC and XMP alike.

            Originals are never written to. Without ids, every photo is exported.

            Examples:
              photodesk export --format xmp --out sidecars/
              photodesk export 0123456789abcdef --format jpeg --out to-agency/
              photodesk export --article border-province-visit --format csv
            """)

    @OptionGroup var libraryOptions: LibraryOptions

    @Argument(help: "Photos to export (short ids, prefixes or paths); all when none is given.")
    var ids: [String] = []

    @Option(
        name: .long,
        help: "xmp, csv, json, jpeg, or ninjs (IPTC ninjs 3.1: each photo as a picture, an --article as a composite).")
    var format: String

    @Option(name: .long, help: "Export this article's photos, in order, with the captions as used there.")
    var article: String?

    @Option(name: .long, help: "Folder to write into.")
    var out = "export"

    @Option(
        name: .customLong("base-url"),
        help: "With --format ninjs: the gallery's address, which renditions' links start with.")
    var baseURL = "http://127.0.0.1:8080"

    func validate() throws {
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://"), URL(string: baseURL)?.host != nil else {
            throw ValidationError("--base-url must be an http(s) address, like https://photos.example.org")
        }
        guard Exporter.Format(rawValue: format) != nil else {
            throw ValidationError(
                "--format must be one of: \(Exporter.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let exporter = Exporter(desk: try await libraryOptions.openDesk(create: false))
        let written = try await exporter.export(
            ids: ids, article: article, format: Exporter.Format(rawValue: format) ?? .xmp, to: out,
            base: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL)
        for path in written { Output.line(path) }
        Output.error("Wrote \(written.count) files to \(out)")
    }
}
