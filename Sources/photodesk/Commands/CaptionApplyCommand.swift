import ArgumentParser
import Catalog
import Desk
import Foundation
import Imaging
import Ingest
import PhotoModel

struct CaptionApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Write a field of many photos from a template.",
        discussion: """
            Variables: {city} {region} {country} {date:PATTERN} {byline} {credit} {caption} {headline}
            {n} (the photo's number in the batch) {id}. The date pattern is ICU's, d MMMM yyyy by
            default, in the time zone where the photo was taken. --codes names a TSV file of code and
            replacement: "=lt=<TAB>Lê Thị Thu Hằng, Bộ trưởng" expands =lt= wherever it appears.

            Examples:
              photodesk caption apply 0123 4567 --template "{city}, {country}: {caption}"
              photodesk caption apply --article border-province-visit --codes desk.tsv \\
                --template "{caption} (Ảnh: {byline}/{credit}, {date:d/M/yyyy})" --dry-run
              photodesk caption apply --query "dong van" --field credit --template "Cổng Thông tin Demo"
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Photos (short ids, prefixes or paths).") var ids: [String] = []
    @Option(help: "The photos of this article, in article order.") var article: String?
    @Option(help: "The photos a search finds.") var query: String?
    @Option(help: "The template.") var template: String
    @Option(help: "The field to write: \(CaptionField.allCases.map(\.rawValue).joined(separator: ", ")).")
    var field: CaptionField = .caption
    @Option(help: "A TSV file of codes and their replacements.") var codes: String?
    @Option(help: "The locale dates are written in (en, vi, fr...).") var locale = "en"
    @Flag(help: "Show each before and after; change nothing.") var dryRun = false

    func validate() throws {
        guard [!ids.isEmpty, article != nil, query != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("name the photos one way: ids, --article SLUG or --query TEXT")
        }
    }

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let parsed = try CaptionTemplate(template, locale: Locale(identifier: locale))
        var replacements = CodeReplacements()
        if let codes {
            let data = try SafeRead.file(codes, limit: 1 << 20, what: "the codes file")
            replacements = try CodeReplacements(tsv: String(decoding: data, as: UTF8.self), name: codes)
        }
        var targets: [String] = []
        if let article {
            targets = try await desk.photosOfArticle(article)
        } else if let query {
            targets = try await desk.allMatches(SearchQuery(text: query))
        } else {
            for id in ids { targets.append(try await desk.photo(id).sha256) }
        }
        guard !targets.isEmpty else { throw CommandError("no photos to caption", kind: .notFound) }
        let outcomes = try await desk.applyTemplate(
            parsed, field: field, to: targets, codes: replacements, dryRun: dryRun, author: Editor.name)
        for outcome in outcomes {
            let id = outcome.sha256.prefix(16)
            if let revision = outcome.revision {
                Output.line("\(id): \(field.rawValue) revision \(revision)")
            } else {
                Output.line("\(id)\n  before: \(outcome.before ?? "(empty)")\n  after:  \(outcome.after ?? "(empty)")")
            }
        }
    }
}

struct CaptionImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Set captions from a CSV manifest.",
        discussion: """
            The header row names the columns: file (a path relative to the CSV) or id, then any of
            \(CaptionField.allCases.map(\.rawValue).joined(separator: ", ")) (keywords separated by ;
            or ,), and article (a slug: the photo is added to that article). Each row is one
            revision with source csv. Photos named by file are matched by content.
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "The CSV file.") var file: String

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let data = try SafeRead.file(file, limit: 16 << 20, what: "the caption sheet")
        let folder = (URL(fileURLWithPath: file).standardizedFileURL.path as NSString).deletingLastPathComponent
        let sheet = try CaptionSheet.parse(String(decoding: data, as: UTF8.self), name: file, folder: folder)
        let outcomes = try await desk.importCaptions(sheet, author: Editor.name) { reference in
            if let photo = try await desk.findPhoto(reference) { return photo.sha256 }
            guard FileStat.of(reference) != nil else { return nil }
            return try await desk.photo(sha256: try ContentHasher.sha256(path: reference))?.sha256
        }
        var problems = 0
        for outcome in outcomes {
            if let problem = outcome.problem {
                Output.error("\(file) line \(outcome.line): \(problem)")
                problems += 1
            }
            if let sha = outcome.sha256 { Output.line("\(sha.prefix(16)): line \(outcome.line) applied") }
        }
        if problems > 0 { throw ExitCode(1) }
    }
}

/// Reads a file a person named (a sheet, a codes file), capped and only when it is a regular
/// file, as one clear error when it cannot be read.
enum SafeRead {
    static func file(_ path: String, limit: Int, what: String) throws -> Data {
        do throws(SafeFile.Refusal) {
            return try SafeFile.read(path: path, maxBytes: limit)
        } catch {
            throw CommandError("cannot read \(what) \(error)", kind: .unavailable)
        }
    }
}
