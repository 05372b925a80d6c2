import ArgumentParser
import Catalog
import Desk
import Foundation

/// `photodesk rights rules [FILE]`, `photodesk rights show ID`
struct RightsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rights",
        abstract: "The desk's rights rules, and what they make of a photo.",
        discussion: """
            The rules (one YAML file for the whole desk, kept in the catalog so every node and
            worker applies the same) give each photo a category (staff, commissioned, agency,
            pool, handout, social-media, screenshot, unknown) and a cost: free, conditional (free
            with its restrictions), pay (needs a lease), deny. A photo no rule matches is
            unknown and conditional. Restrictions come from the photo's special instructions
            and usage terms (EDITORIAL USE ONLY, NO ARCHIVE, MANDATORY CREDIT, EMBARGOED UNTIL
            ...).

            Examples:
              photodesk rights rules                 (print the rules in force)
              photodesk rights rules rights.yml      (load new rules, then derive every photo again)
              photodesk rights show 0123456789abcdef
            """,
        subcommands: [RightsRulesCommand.self, RightsShowCommand.self])
}

struct RightsRulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Print the rights rules in force, or load a rules file.",
        discussion: """
            A file with a mistake is refused whole, naming its line and field; the rules in force
            stay. The default set (Assets/rights/rules.yml, built in) applies until a file is loaded:
            copy it, edit it, load it.
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "A rules file (YAML) to load; without it, the rules in force are printed.") var file: String?

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        guard let file else {
            let (_, text, loaded) = try await desk.rightsRules()
            if let loaded {
                Output.line(
                    "# loaded by \(loaded.by) at \(PublicationTime.text(loaded.at)) (version \(loaded.version))")
            } else {
                Output.line("# the default rules: no rules file was loaded")
            }
            Output.line(text)
            return
        }
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            guard (attributes[.size] as? NSNumber)?.intValue ?? 0 <= 256 << 10 else {
                throw CommandError("\(file) is larger than 256 KiB: not a rules file", kind: .tooLarge)
            }
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch let error as CommandError { throw error } catch {
            throw CommandError("cannot read \(file): \(error.localizedDescription)", kind: .notFound)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandError("\(file): a rules file must be UTF-8 text", kind: .invalid)
        }
        // Every photo's rights are derived again: a progress line on a terminal.
        let changed = try await desk.loadRightsRules(text, source: file, by: Editor.name) { done in
            if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\(done) photos checked".utf8)) }
        }
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\n".utf8)) }
        Output.line("loaded \(file): the rights of \(changed) photo\(changed == 1 ? "" : "s") changed")
    }
}

struct RightsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a photo's rights: category, cost, restrictions, leases, kill, history.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Short id, hash prefix or file path.") var id: String
    @Flag(help: "Print the rights object as JSON.") var json = false

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let photo = try await desk.photo(id)
        let rights = try await desk.rights(of: photo.sha256)
        if json {
            Output.line(JSONOutput.pretty(rights))
            return
        }
        for line in RightsText.lines(rights, id: photo.shortId) { Output.line(line) }
    }
}

/// A photo's rights as lines of text.
enum RightsText {
    static func lines(_ rights: RightsReport, id: String) -> [String] {
        var lines = [
            "\(id)  \(rights.category), \(rights.cost)\(rights.rule.map { " (rule \($0))" } ?? " (default)")",
            rights.usableNow ? "  may run now" : "  may NOT run now: \(rights.whyNot ?? "")",
        ]
        if let credit = rights.mandatoryCredit { lines.append("  mandatory credit: \(credit)") }
        for restriction in rights.restrictions {
            lines.append("  restriction \(restriction.kind.rawValue): \(restriction.text)")
        }
        for lease in rights.leases {
            let period =
                "\(lease.from.map { PublicationTime.text($0) } ?? "always") to \(lease.until.map { PublicationTime.text($0) } ?? "no end")"
            lines.append(
                "  lease \(lease.id) \(lease.kind) \(period)\(lease.article.map { " for \($0)" } ?? "") [\(lease.status)] by \(lease.by): \(lease.note)"
            )
        }
        if let kill = rights.kill {
            lines.append("  KILLED at \(PublicationTime.text(kill.at)) by \(kill.by): \(kill.reason)")
        }
        for event in rights.history {
            lines.append(
                "  \(PublicationTime.text(event.at))  \(event.by)  \(event.action.rawValue)\(event.leaseId.map { " lease \($0)" } ?? ""): \(event.reason)"
            )
        }
        return lines.map { TerminalText.safe($0) }
    }
}

/// `photodesk lease ID --allow|--deny ...`
struct LeaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lease",
        abstract: "Allow or deny the use of a photo for a period, for one article or all; or revoke a lease.",
        discussion: """
            An allowing lease makes a "pay" photo usable for its period; a denying lease forbids
            the photo for its period whatever its cost. When a lease ends, readers stop seeing
            the photo at that second in every article, with nothing to run. Every lease, and its
            revocation, is kept in the photo's rights history with who and why.

            Times take their offset (2026-12-08T05:00:00Z, 2026-12-08T12:00:00+07:00) or are a
            date (midnight UTC).

            Examples:
              photodesk lease 0123456789abcdef --allow --until 2027-01-01 --note "Reuters invoice 4411"
              photodesk lease 0123456789abcdef --allow --article border-visit --note "one-off, AP 88"
              photodesk lease 0123456789abcdef --deny --from 2026-12-10 --note "subject withdrew consent"
              photodesk lease 0123456789abcdef --revoke 3 --note "contract cancelled"
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Short id, hash prefix or file path.") var id: String
    @Flag(help: "An allowing lease.") var allow = false
    @Flag(help: "A denying lease.") var deny = false
    @Option(help: ArgumentHelp("Revoke this lease (its number, from `rights show`).", valueName: "lease"))
    var revoke: Int64?
    @Option(help: "From when (default: always).") var from: String?
    @Option(help: "Until when, excluded (default: no end).") var until: String?
    @Option(help: "Only for this article (its slug); default: every use.") var article: String?
    @Option(help: "Why: the contract, the invoice, who agreed (required).") var note: String

    func validate() throws {
        guard [allow, deny, revoke != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give one of --allow, --deny or --revoke LEASE")
        }
        if revoke != nil, from != nil || until != nil || article != nil {
            throw ValidationError("--revoke takes only --note")
        }
    }

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let photo = try await desk.photo(id)
        if let revoke {
            try await desk.revokeLease(photo.sha256, id: revoke, note: note, by: Editor.name)
            Output.line("\(photo.shortId): lease \(revoke) revoked")
        } else {
            try await desk.lease(
                photo.sha256, allow: allow, from: try from.map { try PublicationTime.parse($0, name: "--from") },
                until: try until.map { try PublicationTime.parse($0, name: "--until") }, article: article, note: note,
                by: Editor.name)
            Output.line("\(photo.shortId): \(allow ? "allowing" : "denying") lease added")
        }
        for line in RightsText.lines(try await desk.rights(of: photo.sha256), id: photo.shortId).prefix(2) {
            Output.line(line)
        }
    }
}

/// `photodesk kill ID --reason TEXT`
struct KillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill",
        abstract: "Withdraw a photo everywhere at once: renditions, its page, the API, search, every article.",
        discussion: """
            Articles that use it show "photo withdrawn" in its place. The original is kept for
            the record, but the photo cannot be published, leased or linked again until an admin
            runs `photodesk unkill ID --reason`. Example:
              photodesk kill 0123456789abcdef --reason "AFP kill notice 12/07: manipulated"
            """)

    @OptionGroup var options: KillOptions

    func run() async throws { try await options.set(killed: true) }
}

/// `photodesk unkill ID --reason TEXT`
struct UnkillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unkill", abstract: "Take back a kill: the photo may be published, leased and linked again.")

    @OptionGroup var options: KillOptions

    func run() async throws { try await options.set(killed: false) }
}

/// What `kill` and `unkill` take: the photo, and why.
struct KillOptions: ParsableArguments {
    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Short id, hash prefix or file path.") var id: String
    @Option(help: "Why (the agency's notice, or why the kill is lifted): kept with the photo.") var reason: String

    /// Kills or unkills the photo.
    func set(killed: Bool) async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let photo = try await desk.photo(id)
        try await desk.setKilled(photo.sha256, killed, reason: reason, by: Editor.name)
        Output.line("\(photo.shortId): \(killed ? "killed" : "unkilled")")
    }
}

/// `photodesk kills`
struct KillsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kills", abstract: "List the killed photos, newest kill first, with who, when and why.")

    @OptionGroup var libraryOptions: LibraryOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: false)
        let kills = try await desk.kills()
        if json {
            Output.line(
                JSONOutput.pretty(
                    kills.map {
                        [
                            "id": String($0.sha256.prefix(16)), "at": PublicationTime.text($0.at), "by": $0.by,
                            "reason": $0.reason,
                        ]
                    }))
            return
        }
        for kill in kills {
            Output.line(
                TerminalText.safe(
                    "\(kill.sha256.prefix(16))  \(PublicationTime.text(kill.at))  \(kill.by): \(kill.reason)"))
        }
        Output.line("\(kills.count) killed photo\(kills.count == 1 ? "" : "s")")
    }
}
