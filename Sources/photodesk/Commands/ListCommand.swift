import ArgumentParser
import Catalog
import Foundation

/// `photodesk list`
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the photos in the library, newest first.",
        discussion: """
            Examples:
              photodesk list
              photodesk list --limit 500 --json | jq '.photos[].id'
            """)

    @OptionGroup var libraryOptions: LibraryOptions

    @Option(name: .long, help: "How many photos at most.")
    var limit = 100

    @Flag(name: .long, help: "Print JSON: {\"photos\": [...], \"total\": n}.")
    var json = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: false)
        let photos = try catalog.assets(limit: limit, after: nil)
        let total = try catalog.assetCount()
        if json {
            struct Listing: Encodable {
                var photos: [AssetSummary]
                var total: Int
            }
            Output.line(JSONOutput.pretty(Listing(photos: photos, total: total)))
            return
        }
        for photo in photos {
            let caption = photo.caption.map { $0.count > 70 ? String($0.prefix(69)) + "…" : $0 } ?? "(no caption)"
            Output.line("\(photo.id)  \(String(format: "%5d x %-5d", photo.width, photo.height))  \(caption)")
        }
        Output.line("\(photos.count) of \(total) photos")
    }
}
