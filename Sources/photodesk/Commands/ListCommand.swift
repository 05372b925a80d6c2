import ArgumentParser
import Catalog
import Desk
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

    @Option(name: .long, help: "How many photos at most (1 to 100000).")
    var limit = 100

    @Flag(name: .long, help: "Print JSON: {\"photos\": [...], \"total\": n}.")
    var json = false

    func validate() throws {
        guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be 1 to 100000") }
    }

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        var cards: [PhotoCard] = []
        var token: String?
        repeat {
            let page = try await desk.photos(limit: min(500, limit - cards.count), after: token, audience: .editors)
            cards += page.photos
            token = page.next
        } while token != nil && cards.count < limit
        let total = try await desk.photoCount(audience: .editors)
        let now = desk.clock()
        let items = cards.map { PhotoListItem($0, readersAt: now) }
        if json {
            struct Listing: Encodable {
                var photos: [PhotoListItem]
                var total: Int
            }
            Output.line(JSONOutput.pretty(Listing(photos: items, total: total)))
            return
        }
        for photo in items {
            let caption = photo.caption.map { $0.count > 70 ? String($0.prefix(69)) + "…" : $0 } ?? "(no caption)"
            Output.line(
                "\(photo.id)  \(String(format: "%5d x %-5d", photo.width, photo.height))  \(photo.published ? "public " : "private")  \(caption)"
            )
        }
        Output.line("\(items.count) of \(total) photos")
    }
}
