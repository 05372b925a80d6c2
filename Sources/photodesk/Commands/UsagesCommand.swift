import ArgumentParser
import Catalog
import Foundation

/// `photodesk usages ID`
struct UsagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usages", abstract: "List the articles that use a photo.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Short id, hash prefix or file path.") var id: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: false)
        let asset = try libraryOptions.asset(id, in: catalog)
        let uses = try catalog.usages(of: asset.sha256)
        if json {
            Output.line(JSONOutput.pretty(["usages": uses]))
            return
        }
        for use in uses { Output.line("\(use.slug) #\(use.position)\(use.caption.map { ": \($0)" } ?? "")") }
        if uses.isEmpty { Output.line("\(asset.shortId) is used by no article.") }
    }
}

/// `photodesk remove ID`
struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a photo from the library (never its original file).",
        discussion:
            "Refused while an article uses the photo, unless --force: the article then keeps a visible gap where the photo was."
    )

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Short id, hash prefix or file path.") var id: String
    @Flag(help: "Remove even when articles use it.") var force = false

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: false)
        let asset = try libraryOptions.asset(id, in: catalog)
        let files: [String]
        do { files = try catalog.removeAsset(asset.sha256, force: force) } catch let error as CatalogError
            where error.code == .inUse
        {
            throw CommandError(error.message)
        }
        for file in files { try? FileManager.default.removeItem(atPath: libraryOptions.resolved.absolute(file)) }
        Output.line("removed \(asset.shortId) from the library (originals untouched)")
    }
}
