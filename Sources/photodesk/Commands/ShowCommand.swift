import ArgumentParser
import Catalog
import Foundation

/// `photodesk show ID`
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one photo: its metadata, captions, renditions and articles.",
        discussion: """
            ID is the 16-digit short id, a longer or shorter (at least 4 digits) prefix of the
            SHA-256, or the path of one of the photo's files.

            Examples:
              photodesk show 0123456789abcdef
              photodesk show ~/Assignments/visit/IMG_0042.jpg --json
              photodesk show 0123 --json --sources
            """)

    @OptionGroup var libraryOptions: LibraryOptions

    @Argument(help: "Short id, hash prefix or file path.")
    var id: String

    @Flag(name: .long, help: "Print the JSON document of the CLI contract.")
    var json = false

    @Flag(name: .long, help: "With --json: add the raw values of each metadata source (EXIF, IPTC, XMP, sidecar).")
    var sources = false

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: false)
        let asset: AssetRecord
        do {
            guard let found = try catalog.resolve(id) else {
                throw CommandError("no photo matches \(id) in \(libraryOptions.resolved.root)")
            }
            asset = found
        }
        guard let document = try catalog.document(sha256: asset.sha256) else {
            throw CommandError("no photo matches \(id)")
        }
        if json {
            var text = JSONOutput.pretty(document)
            if sources, let raw = asset.sourcesJSON, text.hasSuffix("}") {
                text =
                    String(text.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines)
                    + ",\n  \"sources\" : \(raw)\n}"
            }
            Output.line(text)
            return
        }
        Output.line(
            "\(document.id)  \(document.format)  \(document.width) x \(document.height)  \(document.bytes) bytes")
        for path in document.paths { Output.line("  file      \(path)") }
        let fields: [(String, String?)] = [
            ("caption", document.caption), ("headline", document.headline), ("byline", document.byline),
            ("credit", document.credit), ("copyright", document.copyright),
            ("keywords", document.keywords.isEmpty ? nil : document.keywords.joined(separator: ", ")),
            ("taken", document.takenAt),
            (
                "camera",
                [document.camera.make, document.camera.model, document.camera.lens].compactMap { $0 }.joined(
                    separator: " ")
            ),
            (
                "place",
                [document.location?.city, document.location?.region, document.location?.country].compactMap { $0 }
                    .joined(separator: ", ")
            ),
            ("gps", document.gps.map { String(format: "%.6f, %.6f", $0.latitude, $0.longitude) }),
        ]
        for (name, value) in fields {
            guard let value, !value.isEmpty else { continue }
            Output.line("  \(name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(value)")
        }
        for rendition in document.renditions {
            Output.line(
                "  rendition \(rendition.preset) \(rendition.width) x \(rendition.height) \(rendition.format)  \(libraryOptions.resolved.absolute(rendition.path))"
            )
        }
        for use in document.articles { Output.line("  article   \(use.slug) #\(use.position)") }
    }
}
