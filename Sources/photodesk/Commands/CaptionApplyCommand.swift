import ArgumentParser
import Catalog
import Foundation
import Imaging
import Ingest

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
    @Option(help: "The field to write (default: caption).") var field = "caption"
    @Option(help: "A TSV file of codes and their replacements.") var codes: String?
    @Option(help: "The locale dates are written in (en, vi, fr...).") var locale = "en"
    @Flag(help: "Show each before and after; change nothing.") var dryRun = false

    func validate() throws {
        guard [!ids.isEmpty, article != nil, query != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("name the photos one way: ids, --article SLUG or --query TEXT")
        }
        guard CaptionField(rawValue: field) != nil else {
            throw ValidationError(
                "--field must be one of: \(CaptionField.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: false)
        let parsed: CaptionTemplate
        var replacements = CodeReplacements()
        do {
            parsed = try CaptionTemplate(template, locale: Locale(identifier: locale))
            if let codes {
                let data: Data
                do throws(SafeFile.Refusal) { data = try SafeFile.read(path: codes, maxBytes: 1 << 20) } catch {
                    throw CommandError("cannot read the codes file \(error)")
                }
                replacements = try CodeReplacements(tsv: String(decoding: data, as: UTF8.self), name: codes)
            }
        } catch let error as CatalogError {
            throw ValidationError(error.message)
        }
        let targets = try photos(catalog)
        guard !targets.isEmpty else { throw CommandError("no photos to caption") }
        let target = CaptionField(rawValue: field) ?? .caption
        for (index, asset) in targets.enumerated() {
            let current = try catalog.caption(of: asset.sha256)
            let fields = current?.fields ?? CaptionFields()
            let text = parsed.render(
                fields: fields, takenAt: asset.takenAt, n: index + 1, id: asset.shortId, codes: replacements)
            let before = target.value(in: fields)
            if dryRun {
                Output.line(
                    "\(asset.shortId)\n  before: \(before ?? "(empty)")\n  after:  \(text.isEmpty ? "(empty)" : text)")
                continue
            }
            do {
                let record = try catalog.setCaption(
                    asset.sha256, changes: CaptionChanges([target: text]), basedOn: current?.revision,
                    author: Editor.name, source: "template")
                Output.line("\(asset.shortId): \(field) revision \(record.revision)")
            } catch let stale as StaleEdit {
                throw CommandError(stale.description)
            }
        }
    }

    func photos(_ catalog: SQLiteCatalog) throws -> [AssetRecord] {
        if let article {
            guard let document = try catalog.article(slug: article) else { throw CommandError("no article \(article)") }
            return try document.photos.compactMap { $0.id }.compactMap { try catalog.resolve($0) }
        }
        if let query {
            var found: [AssetRecord] = []
            var next: String?
            repeat {
                let page = try catalog.search(SearchQuery(text: query), limit: 200, after: next)
                found += try page.results.compactMap { try catalog.resolve($0.id) }
                next = page.next
            } while next != nil
            return found
        }
        return try ids.map { try libraryOptions.asset($0, in: catalog) }
    }
}

struct CaptionImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Set captions from a CSV manifest.",
        discussion: """
            The header row names the columns: file (a path relative to the CSV) or id, then any of
            caption, headline, byline, credit, copyright, keywords (separated by ; or ,), city,
            region, country, article (a slug: the photo is added to that article). Each row is one
            revision with source csv. Photos named by file are matched by content.
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "The CSV file.") var file: String

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: false)
        let data: Data
        do throws(SafeFile.Refusal) { data = try SafeFile.read(path: file, maxBytes: 16 << 20) } catch {
            throw CommandError("cannot read the caption sheet \(error)")
        }
        let folder = (URL(fileURLWithPath: file).standardizedFileURL.path as NSString).deletingLastPathComponent
        let sheet: CaptionSheet
        do { sheet = try CaptionSheet.parse(String(decoding: data, as: UTF8.self), name: file, folder: folder) } catch {
            throw ValidationError("\(error)")
        }
        var problems = 0
        for row in sheet.rows {
            var asset = try catalog.resolve(row.reference)
            if asset == nil, FileStat.of(row.reference) != nil {
                asset = try catalog.asset(sha256: try ContentHasher.sha256(path: row.reference))
            }
            guard let asset else {
                Output.error("\(file) line \(row.line): no photo matches \(row.reference) (ingest it first)")
                problems += 1
                continue
            }
            if !row.changes.isEmpty {
                _ = try catalog.setCaption(
                    asset.sha256, changes: row.changes, basedOn: nil, author: Editor.name, source: "csv")
            }
            if let slug = row.article {
                if try catalog.usages(of: asset.sha256).contains(where: { $0.slug == slug }) == false {
                    do { try catalog.link(slug: slug, photos: [asset.sha256], position: nil, caption: nil) } catch let
                        error as CatalogError
                    {
                        Output.error("\(file) line \(row.line): \(error.message)")
                        problems += 1
                    }
                }
            }
            Output.line("\(asset.shortId): line \(row.line) applied")
        }
        if problems > 0 { throw ExitCode(1) }
    }
}
