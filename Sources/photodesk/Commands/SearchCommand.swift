import ArgumentParser
import Catalog
import Desk
import Foundation
import PhotoModel

extension CaptionField: ExpressibleByArgument {}

/// `photodesk search QUERY`
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find photos by what their captions, keywords, places, people and articles say.",
        discussion: """
            Words match as prefixes (from two letters), diacritics folded: "dong van" finds Đồng Văn.
            Quotes and operators are read as plain words. Photos whose text holds the words
            together, in order ("ha giang"), come first (score 2), then those holding them apart
            (score 1); newest first within each.

            Examples:
              photodesk search "lung cu"
              photodesk search --missing caption          the desk's to-do list
              photodesk search ha giang --byline "Nguyễn" --from 2020-09-18 --to 2020-09-21 --json
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Words to find.") var words: [String] = []
    @Option(help: "Only photos missing this field: caption, headline, byline, credit or copyright.")
    var missing: CaptionField?
    @Option(help: "Byline contains.") var byline: String?
    @Option(help: "Taken on or after (YYYY-MM-DD).") var from: String?
    @Option(help: "Taken on or before (YYYY-MM-DD).") var to: String?
    @Option(help: "Used in this article.") var article: String?
    @Option(help: "Camera make or model contains.") var camera: String?
    @Option(
        help: ArgumentHelp(
            "Only photos with these rights: free, conditional, pay, deny (their cost), killed, or restricted (with restrictions).",
            valueName: "rights"))
    var rights: String?
    @Option(
        help: ArgumentHelp(
            "Only photos whose Content Credentials were: valid, untrusted, invalid or none (checked, with none).",
            valueName: "state"))
    var provenance: Provenance.State?
    @Flag(help: "Only photos whose Content Credentials declare them AI-generated.") var generated = false
    @Option(help: "Results a page (1 to 200).") var limit = 20
    @Option(help: "The page after this token (from a previous --json answer's next).") var after: String?
    @Flag(help: "Print JSON: {\"results\": [...], \"total\": n, \"next\": token}.") var json = false

    func validate() throws {
        if let missing, !SearchQuery.missingFields.contains(missing) {
            throw ValidationError(
                "--missing takes one of: \(SearchQuery.missingFields.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...200).contains(limit) else { throw ValidationError("--limit must be 1 to 200") }
        if let rights, RightsFilter(name: rights) == nil {
            throw ValidationError("--rights takes one of: \(RightsFilter.names.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let query = SearchQuery(
            text: words.joined(separator: " "),
            filters: SearchFilters(
                missing: missing, byline: byline, from: from, to: to, article: article, camera: camera,
                rights: rights.flatMap(RightsFilter.init(name:)), provenance: provenance, generated: generated))
        let page = try await desk.search(query, limit: limit, after: after, audience: .editors)
        if json {
            Output.line(JSONOutput.pretty(page))
            return
        }
        for result in page.results { Output.line("\(result.id)  \(result.caption ?? "(no caption)")") }
        Output.line("\(page.results.count) of \(page.total)\(page.next.map { " (next page: --after \($0))" } ?? "")")
    }
}

extension Provenance.State: ExpressibleByArgument {}
