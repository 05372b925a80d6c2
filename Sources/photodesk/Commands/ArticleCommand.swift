import ArgumentParser
import Catalog
import Desk
import Foundation
import Ingest

/// `photodesk article ...`
struct ArticleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "article",
        abstract: "Import articles, attach photos to them, publish them.",
        discussion: """
            An article file is Markdown with a front matter (slug, headline, dateline, byline,
            status, published). Its images, ![caption as used here](photos/x.jpg) or
            ![](asset:0123456789abcdef), are its photos in order; an empty alt text uses the
            photo's own caption. status: is draft, scheduled or published; without it an article
            with published: (a date, or a date-time with its offset) is published, one without is a
            draft. Readers see an article from its publication time on.

            Examples:
              photodesk article import Assets/demo/article.md
              photodesk article show border-province-visit --json
              photodesk article link border-province-visit 0123456789abcdef --position 2 --caption "..."
              photodesk article publish border-province-visit --at 2020-09-21T08:00:00+07:00
              photodesk article unpublish border-province-visit
            """,
        subcommands: [
            ArticleImportCommand.self, ArticleListCommand.self, ArticleShowCommand.self, ArticleLinkCommand.self,
            ArticleUnlinkCommand.self, ArticleCropCommand.self, ArticlePublishCommand.self,
            ArticleUnpublishCommand.self,
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
        let desk = try await libraryOptions.openDesk(create: true)
        let pipeline = try Pipeline.load(nameOrPath: "default", folder: ProjectFolders.find("Pipelines"))
        let importer = ArticleImporter(desk: desk, ingester: Ingester(desk: desk, pipeline: pipeline))
        for file in files {
            let outcome = try await importer.importFile(file, allowOutside: allowOutside)
            Output.line(
                "\(outcome.created ? "created" : "updated") \(outcome.slug): \(outcome.photos) photos (\(outcome.ingested) ingested)"
            )
        }
    }
}

struct ArticleListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the articles, newest first.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let now = desk.clock()
        let articles = try await desk.articles(limit: 1000, audience: .editors).map {
            ArticleListItem($0, now: now)
        }
        if json {
            Output.line(JSONOutput.pretty(["articles": articles]))
            return
        }
        for article in articles {
            Output.line(
                "\(article.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(article.published ?? "----------")  \(article.slug)  \(article.photos) photos  \(article.headline)"
            )
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
        guard
            let (article, _) = try await libraryOptions.openDesk(create: false).article(slug: slug, audience: .editors)
        else { throw CommandError("no article \(slug)", kind: .notFound) }
        if json {
            Output.line(JSONOutput.pretty(article))
            return
        }
        Output.line(
            "\(article.headline)\n\(article.dateline ?? "")  \(article.published ?? "")  \(article.byline ?? "")  \(article.status)"
        )
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
        let desk = try await libraryOptions.openDesk(create: false)
        var hashes: [String] = []
        for id in ids { hashes.append(try await desk.photo(id).sha256) }
        try await desk.link(slug, photos: hashes, position: position, caption: caption)
        Output.line("linked \(hashes.count) photos to \(slug)")
    }
}

struct ArticleUnlinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unlink", abstract: "Take a photo out of an article.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "The article's slug.") var slug: String
    @Argument(help: "The photo.") var id: String

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let photo = try await desk.photo(id)
        try await desk.unlink(slug, photo: photo.sha256)
        Output.line("unlinked \(photo.shortId) from \(slug)")
    }
}

struct ArticleCropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crop",
        abstract: "Crop a photo for its use in an article (the photo and its other uses stay as they are).",
        discussion: """
            POSITION is the photo's place in the article (1 is first). --preset takes an aspect of
            the pipeline (hero 16:9, square 1:1, portrait 4:5 in the default one): alone it crops the
            largest centred rectangle of that aspect; with --rect it checks the rectangle has it.
            --rect X,Y,WIDTH,HEIGHT is in the pixels of the photo as displayed. The crop rendition
            is made at once from the original.

            Examples:
              photodesk article crop border-province-visit 1 --preset hero
              photodesk article crop border-province-visit 2 --rect 200,0,1600,1600
              photodesk article crop border-province-visit 2 --clear
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "The article's slug.") var slug: String
    @Argument(help: "The photo's place in the article (1 is first).") var position: Int
    @Option(help: "An aspect of the pipeline (hero, square, portrait in the default one).") var preset: String?
    @Option(help: "The rectangle X,Y,WIDTH,HEIGHT, in the photo's displayed pixels.") var rect: String?
    @Flag(help: "Remove the crop.") var clear = false
    @Option(help: "The pipeline whose aspects --preset names.") var pipeline = "default"

    func validate() throws {
        guard (1...100_000).contains(position) else { throw ValidationError("POSITION must be 1 to 100000") }
        guard clear || preset != nil || rect != nil else {
            throw ValidationError("give --preset NAME, --rect X,Y,WIDTH,HEIGHT or --clear")
        }
    }

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        if clear {
            try await desk.setCrop(slug, position: position, crop: nil)
            Output.line("\(slug) #\(position): crop removed")
            return
        }
        let aspects = try Pipeline.load(nameOrPath: pipeline, folder: ProjectFolders.find("Pipelines")).crops
        let (crop, sha) = try await desk.crop(
            slug, position: position, try CropRequest(preset: preset, rectangle: rect), aspects: aspects)
        let rendition = try await CropRenditions(desk: desk).make(sha256: sha, crop: crop)
        Output.line(
            "\(slug) #\(position): cropped \(crop.width) x \(crop.height) at \(crop.x),\(crop.y)\(crop.preset.map { " (\($0))" } ?? ""), rendition \(rendition.width) x \(rendition.height)"
        )
    }
}

struct ArticlePublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish an article now, or from a time (an embargo): readers see it from then on.",
        discussion: """
            --at takes a date-time with its offset (2020-09-21T08:00:00+07:00) or a date (midnight
            UTC). A time in the future schedules the article: it turns public at that second with
            nothing to run.

            The rights guard refuses an article whose photos may not run at its time (a killed
            photo, a denied one, a pay photo without a lease covering that time, an embargo
            later than it), listing each with its reason; --override "REASON" publishes anyway
            and keeps the reason in each photo's history. When a scheduled article turns public,
            readers see only the photos that may run then; the others leave a gap that says so.
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "The article's slug.") var slug: String
    @Option(help: "When it becomes public (default: now).") var at: String?
    @Option(
        help: ArgumentHelp(
            "Publish although the rights guard refuses some photos, for this reason (kept in each photo's history).",
            valueName: "reason"))
    var override: String?

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let time = try at.map { try PublicationTime.parse($0, name: "--at") }
        let article = try await desk.setPublication(
            slug, Publication(state: .published, at: time, text: at), override: override, by: Editor.name)
        Output.line("\(slug): \(desk.status(of: article)) from \(article.published ?? "now")")
    }
}

struct ArticleUnpublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpublish", abstract: "Take an article back to draft: readers no longer see it.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "The article's slug.") var slug: String

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        _ = try await desk.setPublication(slug, Publication(state: .draft, at: nil, text: nil))
        Output.line("\(slug): draft")
    }
}
