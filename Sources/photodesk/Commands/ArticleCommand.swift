import ArgumentParser
import Catalog
import Foundation
import Ingest

/// `photodesk article ...`
struct ArticleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "article",
        abstract: "Import articles and attach photos to them, each with its caption for that use.",
        discussion: """
            An article file is Markdown with a front matter (slug, headline, dateline, published,
            byline). Its images, ![caption as used here](photos/x.jpg) or ![](asset:0123456789abcdef),
            are its photos in order; an empty alt text uses the photo's own caption.

            Examples:
              photodesk article import Assets/demo/article.md
              photodesk article show border-province-visit --json
              photodesk article link border-province-visit 0123456789abcdef --position 2 --caption "..."
            """,
        subcommands: [
            ArticleImportCommand.self, ArticleListCommand.self, ArticleShowCommand.self, ArticleLinkCommand.self,
            ArticleUnlinkCommand.self,
        ])
}

struct ArticleImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import (or update, by slug) articles from Markdown files; new photos are ingested first.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Markdown files.") var files: [String]
    @Flag(help: "Accept photos outside the article's folder (an absolute path, .. or a link out of it).")
    var allowOutside = false

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: true)
        let pipeline = try Pipeline.load(nameOrPath: "default", folder: ProjectFolders.find("Pipelines"))
        let importer = ArticleImporter(
            catalog: catalog, ingester: Ingester(catalog: catalog, library: libraryOptions.resolved, pipeline: pipeline)
        )
        for file in files {
            do {
                let outcome = try await importer.importFile(file, allowOutside: allowOutside)
                Output.line(
                    "\(outcome.created ? "created" : "updated") \(outcome.slug): \(outcome.photos) photos (\(outcome.ingested) ingested)"
                )
            } catch let error as IngestError {
                throw CommandError(error.message)
            }
        }
    }
}

struct ArticleListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the articles, newest first.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let articles = try libraryOptions.openCatalog(create: false).articles(limit: 1000)
        if json {
            Output.line(JSONOutput.pretty(["articles": articles]))
            return
        }
        for article in articles {
            Output.line(
                "\(article.published ?? "----------")  \(article.slug)  \(article.photos) photos  \(article.headline)")
        }
    }
}

struct ArticleShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show an article with its photos in order.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "The article's slug.") var slug: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        guard let article = try libraryOptions.openCatalog(create: false).article(slug: slug) else {
            throw CommandError("no article \(slug)")
        }
        if json {
            Output.line(JSONOutput.pretty(article))
            return
        }
        Output.line(
            "\(article.headline)\n\(article.dateline ?? "")  \(article.published ?? "")  \(article.byline ?? "")")
        for photo in article.photos {
            Output.line("  \(photo.position). \(photo.id ?? "(removed)")  \(photo.caption ?? "(no caption)")")
        }
    }
}

struct ArticleLinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "link", abstract: "Add photos to an article.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "The article's slug.") var slug: String
    @Argument(help: "Photos (short ids, prefixes or paths).") var ids: [String]
    @Option(help: "Where to insert them (1 is first; default: at the end).") var position: Int?
    @Option(help: "The caption for this use (default: the photo's own).") var caption: String?

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: false)
        let hashes = try ids.map { try libraryOptions.asset($0, in: catalog).sha256 }
        do { try catalog.link(slug: slug, photos: hashes, position: position, caption: caption) } catch let error
            as CatalogError
        {
            throw CommandError(error.message)
        }
        Output.line("linked \(hashes.count) photos to \(slug)")
    }
}

struct ArticleUnlinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unlink", abstract: "Take a photo out of an article.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "The article's slug.") var slug: String
    @Argument(help: "The photo.") var id: String

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: false)
        let asset = try libraryOptions.asset(id, in: catalog)
        do { try catalog.unlink(slug: slug, sha256: asset.sha256) } catch let error as CatalogError {
            throw CommandError(error.message)
        }
        Output.line("unlinked \(asset.shortId) from \(slug)")
    }
}
