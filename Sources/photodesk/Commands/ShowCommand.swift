import ArgumentParser
import Catalog
import Desk
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
        let desk = try await libraryOptions.openDesk(create: false)
        let photo = try await desk.photo(id)
        guard var document = try await desk.document(sha256: photo.sha256, for: .editors) else {
            throw CommandError("no photo matches \(id)", kind: .notFound)
        }
        document.includeSources = sources
        if json {
            Output.line(JSONOutput.pretty(document))
            return
        }
        Output.line(
            "\(document.id)  \(document.format)  \(document.width) x \(document.height)  \(document.bytes) bytes")
        for path in document.paths ?? [] { Output.line("  file      \(path)") }
        var lines: [(String, String?)] = CaptionFieldLines.lines(document.fields)
        lines += [
            ("taken", document.takenAt),
            (
                "camera",
                [document.camera.make, document.camera.model, document.camera.lens].compactMap { $0 }.joined(
                    separator: " ")
            ),
            ("gps", document.gps.map { String(format: "%.6f, %.6f", $0.latitude, $0.longitude) }),
            ("public", document.publicFrom.map { PublicationTime.text($0) } ?? "no (private)"),
            ("c2pa", document.provenance.map { "Content Credentials " + $0.summary } ?? "not checked"),
        ]
        for (name, value) in lines {
            guard let value, !value.isEmpty else { continue }
            Output.line("  \(name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(value)")
        }
        for rendition in document.renditions {
            Output.line(
                "  rendition \(rendition.preset) \(rendition.width) x \(rendition.height) \(rendition.format)  \(rendition.path.map(libraryOptions.resolved.absolute) ?? "")"
            )
        }
        for use in document.articles { Output.line("  article   \(use.slug) #\(use.position)") }
    }
}
