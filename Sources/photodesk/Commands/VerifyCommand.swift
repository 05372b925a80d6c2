import ArgumentParser
import Catalog
import Foundation
import Ingest

/// `photodesk verify`
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the catalog against the files: renditions, originals, stray files.",
        discussion: """
            Reports renditions that are missing or damaged, files under renditions/ that no record
            names, and originals that are gone. --repair re-makes renditions from an original that
            is still there and removes stray files; a missing original cannot be re-made.

            Exit status: 0 when nothing is wrong (or everything was repaired), 1 otherwise.

            Examples:
              photodesk verify
              photodesk verify --repair --json
            """)

    @OptionGroup var libraryOptions: LibraryOptions

    @Flag(name: .long, help: "Re-make what can be re-made.")
    var repair = false

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let verifier = Verifier(desk: try await libraryOptions.openDesk(create: false))
        let report = try await repair ? verifier.repair() : verifier.check()
        if json {
            Output.line(JSONOutput.pretty(report))
        } else {
            for problem in report.problems {
                let state = problem.repaired ? "repaired  " : ""
                Output.line("\(state)\(problem.kind.rawValue): \(problem.path): \(problem.detail)")
            }
            Output.line(
                "Checked \(report.assets) photos, \(report.renditions) renditions, \(report.originals) originals: \(report.problems.count) problems, \(report.unresolved.count) unresolved"
            )
        }
        if !report.unresolved.isEmpty { throw ExitCode(1) }
    }
}
