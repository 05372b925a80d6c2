import ArgumentParser
import Foundation
import Gallery
import Logging

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
            """,
        subcommands: [
            IngestCommand.self, ListCommand.self, ShowCommand.self, SearchCommand.self, CaptionCommand.self,
            ArticleCommand.self,
            UsagesCommand.self, RemoveCommand.self, VerifyCommand.self, ExportCommand.self, ServeCommand.self,
            UserCommand.self, DemoCommand.self,
        ]
    )

    /// Runs the command; usage errors exit with status 2, as the JSON contract says.
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
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
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Errors a command reports to the person at the terminal, with exit status 1.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
