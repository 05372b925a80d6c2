import ArgumentParser
import Catalog
import Desk
import Foundation

/// `photodesk usages ID`
struct UsagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usages", abstract: "List the articles that use a photo.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Short id, hash prefix or file path.") var id: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let photo = try await desk.photo(id)
        let uses = try await desk.usages(of: photo.sha256)
        if json {
            Output.line(JSONOutput.pretty(["usages": uses]))
            return
        }
        for use in uses { Output.line("\(use.slug) #\(use.position)\(use.caption.map { ": \($0)" } ?? "")") }
        if uses.isEmpty { Output.line("\(photo.shortId) is used by no article.") }
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
        let desk = try await libraryOptions.openDesk(create: false)
        let photo = try await desk.photo(id)
        try await desk.remove(photo.sha256, force: force)
        Output.line("removed \(photo.shortId) from the library (originals untouched)")
    }
}

/// `photodesk publish ID`
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish photos on their own: readers see them even when no published article uses them.",
        discussion: """
            A new photo is private until an article that uses it is published, or until it is
            published here. Example:
              photodesk publish 0123456789abcdef
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Photos (short ids, prefixes or paths).") var ids: [String]

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        for id in ids {
            let photo = try await desk.photo(id)
            try await desk.setPublished(photo.sha256, true)
            Output.line("published \(photo.shortId)")
        }
    }
}

/// `photodesk unpublish ID`
struct UnpublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpublish",
        abstract: "Take back photos published on their own (they stay public while a published article uses them).")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Photos (short ids, prefixes or paths).") var ids: [String]

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        for id in ids {
            let photo = try await desk.photo(id)
            try await desk.setPublished(photo.sha256, false)
            Output.line("unpublished \(photo.shortId)")
        }
    }
}
