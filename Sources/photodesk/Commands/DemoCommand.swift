import ArgumentParser
import Foundation
import PhotoFactory

/// `photodesk demo`
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Make the demo photos described in Assets/demo/photos.json.",
        discussion: """
            The photos are made in code: real JPEGs with EXIF (camera, date with offset, GPS),
            IPTC and XMP captions, some in Vietnamese. Photos already there are kept.

            Example:
              photodesk demo Assets/demo/photos && photodesk ingest Assets/demo/photos
            """)

    @Argument(help: "Folder to write the photos into.")
    var folder: String

    @Option(name: .long, help: "The demo description (default: Assets/demo/photos.json).")
    var spec: String?

    func run() async throws {
        let written = try DemoMaterial.generate(
            spec: spec ?? ProjectFolders.find("Assets") + "/demo/photos.json", into: folder)
        Output.line(
            written.isEmpty ? "Demo photos already in \(folder)" : "Wrote \(written.count) demo photos to \(folder)")
    }
}
