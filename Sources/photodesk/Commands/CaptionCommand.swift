import ArgumentParser
import Catalog
import Foundation
import Ingest

/// `photodesk caption ...`
struct CaptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caption",
        abstract: "Write and correct captions, bylines, credits and keywords, with full history.",
        discussion: """
            Every change is a revision: who, when, from where, the old and the new value.

            Examples:
              photodesk caption set 0123456789abcdef --caption "Bộ trưởng thăm xã Lũng Cú" --byline "Nguyễn Văn An"
              photodesk caption edit 0123456789abcdef
              photodesk caption history 0123456789abcdef
              photodesk caption revert 0123456789abcdef --to 2
              photodesk caption apply --article border-province-visit --template "{city}, {date:d MMMM yyyy}: {caption}"
              photodesk caption import captions.csv
            """,
        subcommands: [
            CaptionSetCommand.self, CaptionEditCommand.self, CaptionHistoryCommand.self, CaptionRevertCommand.self,
            CaptionApplyCommand.self, CaptionImportCommand.self,
        ])
}

/// The person making a change from the command line.
enum Editor {
    static var name: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["PHOTODESK_USER"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "cli"
    }
}

/// Caption field options shared by `set`.
struct CaptionFieldOptions: ParsableArguments {
    @Option(help: "The caption (description).") var caption: String?
    @Option(help: "The headline.") var headline: String?
    @Option(help: "The photographer(s).") var byline: String?
    @Option(help: "The credit line (agency, desk).") var credit: String?
    @Option(help: "The copyright notice.") var copyright: String?
    @Option(help: "Keywords, separated by commas.") var keywords: String?
    @Option(help: "City.") var city: String?
    @Option(help: "Province or state.") var region: String?
    @Option(help: "Country.") var country: String?
    @Option(help: "Special instructions.") var instructions: String?

    var changes: CaptionChanges {
        var changes = CaptionChanges()
        let given: [(CaptionField, String?)] = [
            (.caption, caption), (.headline, headline), (.byline, byline), (.credit, credit), (.copyright, copyright),
            (.keywords, keywords), (.city, city), (.region, region), (.country, country), (.instructions, instructions),
        ]
        for (field, value) in given where value != nil { changes.values[field] = value }
        return changes
    }
}

extension LibraryOptions {
    /// An asset by reference, or an error a person can act on.
    func asset(_ reference: String, in catalog: any CatalogStore) throws -> AssetRecord {
        guard let asset = try catalog.resolve(reference) else {
            throw CommandError("no photo matches \(reference) in \(resolved.root)")
        }
        return asset
    }
}

struct CaptionSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set caption fields of one photo (an empty value clears a field).",
        discussion: """
            --revision N makes the edit conditional: it is refused, showing both values, when the
            caption has changed since revision N (another editor got there first).
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Short id, hash prefix or file path.") var id: String
    @OptionGroup var fields: CaptionFieldOptions
    @Option(help: "The revision this edit is based on.") var revision: Int?

    func validate() throws {
        guard !fields.changes.isEmpty else {
            throw ValidationError("give at least one field to set, for example --caption \"...\"")
        }
    }

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: false)
        let asset = try libraryOptions.asset(id, in: catalog)
        do {
            let record = try catalog.setCaption(
                asset.sha256, changes: fields.changes, basedOn: revision, author: Editor.name, source: "cli")
            Output.line("\(asset.shortId): caption revision \(record.revision)")
        } catch let stale as StaleEdit {
            throw CommandError(stale.description)
        }
    }
}

struct CaptionEditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit", abstract: "Edit one photo's caption fields in $EDITOR.",
        discussion:
            "The file lists one field a line (field: value). Saving applies the changes as one revision, refused if someone else changed the caption meanwhile."
    )

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Short id, hash prefix or file path.") var id: String

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: false)
        let asset = try libraryOptions.asset(id, in: catalog)
        let record =
            try catalog.caption(of: asset.sha256)
            ?? CaptionRecord(sha256: asset.sha256, fields: CaptionFields(), revision: 0)
        var text =
            "# Photo \(asset.shortId), caption revision \(record.revision). One field a line; an empty value clears it.\n"
        for field in CaptionField.allCases {
            text +=
                "\(field.rawValue): \((field.value(in: record.fields) ?? "").replacingOccurrences(of: "\n", with: " "))\n"
        }
        let file = NSTemporaryDirectory() + "photodesk-\(asset.shortId)-\(UUID().uuidString.prefix(6)).txt"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let editor =
            ProcessInfo.processInfo.environment["VISUAL"] ?? ProcessInfo.processInfo.environment["EDITOR"] ?? "vi"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$1\"", "editor", file]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandError("the editor (\(editor)) failed; nothing was changed")
        }
        let edited = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
        var changes = CaptionChanges()
        for line in edited.components(separatedBy: .newlines) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":"),
                let field = CaptionField(rawValue: line[..<colon].trimmingCharacters(in: .whitespaces))
            else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value != (field.value(in: record.fields) ?? "") { changes.values[field] = value }
        }
        guard !changes.isEmpty else {
            Output.line("No change.")
            return
        }
        do {
            let saved = try catalog.setCaption(
                asset.sha256, changes: changes, basedOn: record.revision, author: Editor.name, source: "cli")
            Output.line("\(asset.shortId): caption revision \(saved.revision)")
        } catch let stale as StaleEdit {
            throw CommandError(stale.description)
        }
    }
}

struct CaptionHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show every change of one photo's caption fields.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Short id, hash prefix or file path.") var id: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: false)
        let asset = try libraryOptions.asset(id, in: catalog)
        let history = try catalog.captionHistory(of: asset.sha256)
        if json {
            Output.line(JSONOutput.pretty(["revisions": history]))
            return
        }
        let formatter = ISO8601DateFormatter()
        for change in history {
            Output.line(
                "r\(change.revision)  \(formatter.string(from: change.at))  \(change.author) (\(change.source))  \(change.field): \(change.oldValue.map { "\"\($0)\"" } ?? "(empty)") → \(change.newValue.map { "\"\($0)\"" } ?? "(empty)")"
            )
        }
        if history.isEmpty { Output.line("No caption changes for \(asset.shortId).") }
    }
}

struct CaptionRevertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revert", abstract: "Restore the caption fields as they were at a revision, as a new revision.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Short id, hash prefix or file path.") var id: String
    @Option(help: "The revision to restore.") var to: Int

    func run() async throws {
        let catalog = try libraryOptions.openCatalog(create: false)
        let asset = try libraryOptions.asset(id, in: catalog)
        do {
            let record = try catalog.revertCaption(asset.sha256, to: to, author: Editor.name)
            Output.line("\(asset.shortId): restored revision \(to) as revision \(record.revision)")
        } catch let error as CatalogError where error.code == .notFound {
            throw CommandError(error.message)
        }
    }
}
