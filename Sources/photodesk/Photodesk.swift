import ArgumentParser
import Catalog
import Desk
import Foundation
import Gallery
import Imaging
import Ingest
import Logging
import PhotoModel

/// The `photodesk` command.
@main
struct Photodesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "photodesk",
        abstract: "A newsroom photo desk: ingest photo folders, caption them, serve a gallery.",
        discussion: """
            The library folder is --library DIR, else $PHOTODESK_LIBRARY, else ./library.

            Start with:
              photodesk ingest ~/Pictures/assignment      ingest a folder (renditions + metadata)
              photodesk list                              what the library holds
              photodesk show 0123456789abcdef --json      one photo, as JSON
              photodesk serve --port 8080                 the gallery on http://127.0.0.1:8080
              photodesk user add lan --role editor         let an editor sign in

            Exit status: 0 on success, 1 when something failed (the message says what), 2 when the
            command was given something it cannot use.
            """,
        subcommands: [
            IngestCommand.self, ListCommand.self, ShowCommand.self, SearchCommand.self, CaptionCommand.self,
            ArticleCommand.self, PublishCommand.self, UnpublishCommand.self, UsagesCommand.self, RemoveCommand.self,
            VerifyCommand.self, ExportCommand.self, ServeCommand.self, WorkerCommand.self, JobsCommand.self,
            CatalogCommand.self, UserCommand.self, DemoCommand.self, RightsCommand.self, LeaseCommand.self,
            KillCommand.self, UnkillCommand.self, KillsCommand.self, BackupCommand.self, RestoreCommand.self,
            TwinsCommand.self, ProvenanceCommand.self, StorageCommand.self,
        ]
    )

    /// Runs the command. Every error is turned into its message and exit status here, once.
    static func main() async {
        // Files at rest are the owner's alone unless the library is shared with a group
        // (LibraryOptions.openCatalog relaxes this for --shared-group): catalog, lock, exports.
        umask(Library.Access.owner.umask)
        LoggingSystem.bootstrap { label in
            var handler = TerminalLogHandler(label: label)
            handler.logLevel =
                Logger.Level(rawValue: ProcessInfo.processInfo.environment["PHOTODESK_LOG"] ?? "") ?? .warning
            return handler
        }
        do {
            var command = try parseAsRoot()
            // Still on the main thread, before any task: the gallery's requests then stay on the
            // event loop that read them. Other commands keep Swift's own pool.
            if command is ServeCommand { GalleryServer.runTasksOnEventLoops() }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // Printed here rather than by exit(withError:), so that an error quoting a file's name
            // or a caption cannot drive the terminal.
            if let (status, message) = failure(error) {
                Output.error(message)
                Foundation.exit(status)
            }
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code.isSuccess { Output.line(message) } else { Output.error(message) }
            }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }

    /// The exit status and message of the errors the modules throw; nil for the argument
    /// parser's own (usage, help, exit codes).
    static func failure(_ error: any Error) -> (Int32, String)? {
        guard let error = error as? any PhotodeskError else { return nil }
        return (error.kind.exitStatus, error.description)
    }
}

/// A failure a command itself reports to the person at the terminal (what the modules report
/// comes as their own errors).
struct CommandError: PhotodeskError {
    var kind: ErrorKind
    var message: String

    /// Makes an error of a kind.
    init(_ message: String, kind: ErrorKind) {
        self.kind = kind
        self.message = message
    }
}
