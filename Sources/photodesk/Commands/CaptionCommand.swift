import ArgumentParser
import Catalog
import Desk
import Foundation
import Ingest
import PhotoModel

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

/// Caption fields given as options: `--caption TEXT`, `--byline TEXT`, one per `CaptionField`
/// (so a new field needs no new option here). An empty value clears the field.
struct CaptionFieldOptions: ParsableArguments {
    @Argument(
        parsing: .allUnrecognized,
        help: ArgumentHelp(
            "Fields to set: \(CaptionField.allCases.map { "--\($0.optionName) TEXT" }.joined(separator: ", ")).",
            valueName: "--field text"))
    var given: [String] = []

    /// The edit the options ask for; a usage error names an unknown field or a missing value.
    func changes() throws -> CaptionChanges {
        var changes = CaptionChanges()
        var index = given.startIndex
        while index < given.endIndex {
            var name = given[index]
            var value: String?
            guard name.hasPrefix("--") else {
                throw ValidationError("unexpected \(name): give fields as --caption TEXT, --byline TEXT ...")
            }
            name.removeFirst(2)
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let field = CaptionField.allCases.first(where: { $0.optionName == name || $0.rawValue == name })
            else {
                throw ValidationError(
                    "unknown field --\(name); fields: \(CaptionField.allCases.map { "--" + $0.optionName }.joined(separator: " "))"
                )
            }
            if value == nil {
                index += 1
                guard index < given.endIndex else { throw ValidationError("--\(name) needs a value") }
                value = given[index]
            }
            changes.values[field] = .some(value)
            index += 1
        }
        return changes
    }
}

/// Caption fields as lines for people: name and value, in the schema's order.
enum CaptionFieldLines {
    static func lines(_ fields: CaptionFields) -> [(String, String?)] {
        CaptionField.allCases.map { ($0.rawValue, fields[$0]) }
    }
}

struct CaptionSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set caption fields of one photo (an empty value clears a field).",
        discussion: """
            Fields: \(CaptionField.allCases.map { "--\($0.optionName)" }.joined(separator: " ")).
            --revision N makes the edit conditional: it is refused, showing both values, when the
            caption has changed since revision N (another editor got there first).

            Example:
              photodesk caption set 0123456789abcdef --caption "Bộ trưởng thăm xã Lũng Cú" --byline "Nguyễn Văn An"
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Short id, hash prefix or file path.") var id: String
    @Option(help: "The revision this edit is based on.") var revision: Int?
    @OptionGroup var fields: CaptionFieldOptions

    func validate() throws {
        guard !(try fields.changes()).isEmpty else {
            throw ValidationError("give at least one field to set, for example --caption \"...\"")
        }
    }

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let photo = try await desk.photo(id)
        let saved = try await desk.setCaption(
            photo.sha256, changes: try fields.changes(), basedOn: revision, author: Editor.name, source: "cli")
        Output.line("\(photo.shortId): caption revision \(saved.revision)")
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
        let desk = try await libraryOptions.openDesk(create: false)
        let asset = try await desk.photo(id)
        let record = try await desk.caption(of: asset.sha256)
        var text =
            "# Photo \(asset.shortId), caption revision \(record.revision). One field a line; an empty value clears it.\n"
        for field in CaptionField.allCases {
            text += "\(field.rawValue): \((record.fields[field] ?? "").replacingOccurrences(of: "\n", with: " "))\n"
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
            throw CommandError("the editor (\(editor)) failed; nothing was changed", kind: .unavailable)
        }
        let edited = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
        var changes = CaptionChanges()
        for line in edited.components(separatedBy: .newlines) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":"),
                let field = CaptionField(rawValue: line[..<colon].trimmingCharacters(in: .whitespaces))
            else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value != (record.fields[field] ?? "") { changes.values[field] = value }
        }
        guard !changes.isEmpty else {
            Output.line("No change.")
            return
        }
        let saved = try await desk.setCaption(
            asset.sha256, changes: changes, basedOn: record.revision, author: Editor.name, source: "cli")
        Output.line("\(asset.shortId): caption revision \(saved.revision)")
    }
}

struct CaptionHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show every change of one photo's caption fields.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Short id, hash prefix or file path.") var id: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let asset = try await desk.photo(id)
        let history = try await desk.history(of: asset.sha256)
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
        let desk = try await libraryOptions.openDesk(create: false)
        let asset = try await desk.photo(id)
        let record = try await desk.revert(asset.sha256, to: to, author: Editor.name)
        Output.line("\(asset.shortId): restored revision \(to) as revision \(record.revision)")
    }
}
