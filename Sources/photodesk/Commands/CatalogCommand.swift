import ArgumentParser
import Catalog
import CatalogPostgres
import Desk
import Foundation

/// `photodesk catalog ...`
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "Move a desk's catalog between backends.",
        subcommands: [CatalogCopyCommand.self])
}

/// `photodesk catalog copy --to URL`
struct CatalogCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy this library's catalog into an empty PostgreSQL database.",
        discussion: """
            Everything comes along: photos with their locations, renditions and caption revisions,
            articles with their uses and crops, users and API tokens (sessions do not: editors sign
            in again). The target must be empty; afterwards the counts are compared and the caption
            revisions checksummed on both sides. The files (renditions, originals) stay in the
            library folder, which every node then mounts at the same path.

            Example:
              photodesk catalog copy --library /srv/photos/library --to postgres://desk@db/photos
              PHOTODESK_CATALOG=postgres://desk@db/photos photodesk serve --library /srv/photos/library
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Option(help: "The PostgreSQL catalog to copy into (an empty database).") var to: String
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        guard libraryOptions.catalogURL == nil else {
            throw ValidationError("copy reads the library's SQLite catalog: give --to, not --catalog")
        }
        let source = try await libraryOptions.openDesk(create: false)
        let target = try await PostgresCatalog.open(url: to)
        defer { Task { await target.shutdown() } }
        let report = try await CatalogCopy(from: source, to: target).run { done in
            if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\(done) photos copied".utf8)) }
        }
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\n".utf8)) }
        if json {
            Output.line(JSONOutput.pretty(report))
            return
        }
        Output.line(
            "Copied \(report.photos) photos (\(report.locations) locations, \(report.renditions) renditions, \(report.revisions) caption revisions), \(report.articles) articles (\(report.uses) photos in them), \(report.users) users, \(report.tokens) API tokens."
        )
        Output.line("Counts match; caption revisions checksum \(report.targetChecksum.prefix(16)) on both sides.")
    }
}
