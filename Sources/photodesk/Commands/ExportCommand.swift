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

    @Option(name: .long, help: "xmp, csv, json or jpeg.")
    var format: String

    @Option(name: .long, help: "Export this article's photos, in order, with the captions as used there.")
    var article: String?

    @Option(name: .long, help: "Folder to write into.")
    var out = "export"

    func validate() throws {
        guard Exporter.Format(rawValue: format) != nil else {
            throw ValidationError(
                "--format must be one of: \(Exporter.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let exporter = Exporter(desk: try await libraryOptions.openDesk(create: false))
        let written = try await exporter.export(
            ids: ids, article: article, format: Exporter.Format(rawValue: format) ?? .xmp, to: out)
        for path in written { Output.line(path) }
        Output.error("Wrote \(written.count) files to \(out)")
    }
}
