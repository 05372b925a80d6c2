import ArgumentParser
import Catalog
import Desk
import Foundation
import Ingest

/// `photodesk ingest PATH...`
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest photo files and folders into the library.",
        discussion: """
            Folders are read recursively in a stable order. Photos are found by content (JPEG, PNG, TIFF,
            WebP, HEIC/HEIF, AVIF, GIF); hidden files and sidecars (.xmp, .txt) are not photos. Every
            file is reported: ingested, unchanged (skipped without reading), duplicate (the same bytes
            as a photo already in the library) or failed (with the reason). Originals are never changed.

            Exit status: 0 when no file failed, 1 when some failed (the others are kept), 2 for a
            usage error.

            Examples:
              photodesk ingest ~/Assignments/2020-09-18-ha-giang
              photodesk ingest --json card/ > report.jsonl
              photodesk ingest --pipeline web-only --jobs 4 folder/
              photodesk ingest --watch ~/Incoming      keep ingesting as files arrive (Ctrl-C stops)
              photodesk ingest --catalog postgres://desk@db/photos --enqueue --copy card/
                                                        queue the files for workers on other machines

            With --enqueue (a PostgreSQL catalog only) nothing is ingested here: each new or changed
            file becomes a job for `photodesk worker`, on this machine or another. With --copy the
            files are first copied into the library's originals/ (by content), which every node
            mounts; without it workers read each file where it is, so it must be at the same path
            on every worker.
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @OptionGroup var storageOptions: StorageOptions

    @Argument(help: "Files or folders to ingest.")
    var paths: [String]

    @Flag(name: .long, help: "Print JSON Lines: one object per file, then a summary object.")
    var json = false

    @Option(
        name: .long,
        help: ArgumentHelp("A pipeline name in Pipelines/ or a path to a .yml file.", valueName: "name|file"))
    var pipeline = "default"

    @Option(name: .long, help: "Files processed at once (default: the number of cores).")
    var jobs: Int?

    @Flag(name: .long, help: "List every file, not only the failed ones.")
    var verbose = false

    @Flag(name: .long, help: "Keep watching the folder and ingest files as they arrive, once each has stopped growing.")
    var watch = false

    @Option(name: .long, help: "With --watch: seconds between two looks at the folder.")
    var interval = 2.0

    @Flag(name: .long, help: "Queue one job per new or changed file for workers instead of ingesting here.")
    var enqueue = false

    @Flag(name: .long, help: "With --enqueue: copy each file into the library's originals/ first.")
    var copy = false

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one file or folder to ingest") }
        if let jobs, jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be 1 to 256") }
        if watch && paths.count != 1 { throw ValidationError("--watch takes exactly one folder") }
        if copy && !enqueue { throw ValidationError("--copy goes with --enqueue") }
        if watch && enqueue { throw ValidationError("--watch and --enqueue do not go together") }
        guard interval >= 0.1, interval <= 86_400 else {
            throw ValidationError("--interval must be 0.1 to 86400 seconds")
        }
    }

    func run() async throws {
        let chosen: Pipeline
        do { chosen = try Pipeline.load(nameOrPath: pipeline, folder: ProjectFolders.find("Pipelines")) } catch {
            throw ValidationError("\(error)")
        }
        let desk = try await libraryOptions.openDesk(create: true)
        if enqueue {
            try await queueFiles(desk)
            return
        }
        var options = Ingester.Options()
        if let jobs { options.jobs = jobs }
        options.uploader = try await storageOptions.client(desk: desk).map { S3Uploader(client: $0) }
        let ingester = Ingester(desk: desk, pipeline: chosen, options: options)
        let reporter = IngestReporter(json: json, verbose: verbose || watch, interactive: isatty(2) == 1 && !watch)
        if watch {
            Output.error("Watching \(paths[0]) (Ctrl-C stops)")
            let watcher = FolderWatcher(
                ingester: ingester, folder: paths[0], interval: .milliseconds(Int(interval * 1000)))
            try await watcher.run { reporter.handle($0) }
            return
        }
        let summary = try await ingester.run(paths) { reporter.handle($0) }
        reporter.finish(summary)
        if summary.failed > 0 { throw ExitCode(1) }
    }
}

extension IngestCommand {
    /// `--enqueue`: one job per new or changed file, and what was queued.
    func queueFiles(_ desk: Desk) async throws {
        guard let queue = desk.jobQueue else {
            throw ValidationError(
                "--enqueue needs a PostgreSQL catalog (--catalog postgres://... or $PHOTODESK_CATALOG)")
        }
        let report = try await IngestQueue.enqueue(
            paths, desk: desk, queue: queue, pipeline: pipeline, copy: copy, author: Editor.name)
        if json {
            struct Line: Encodable {
                var path: String
                var status: String
                var job: Int64?
                var reason: String?
            }
            for (path, id) in report.queued {
                Output.line(JSONOutput.line(Line(path: path, status: "queued", job: id)))
            }
            for (path, reason) in report.skipped {
                Output.line(JSONOutput.line(Line(path: path, status: "skipped", reason: reason)))
            }
            for (path, reason) in report.refused {
                Output.line(JSONOutput.line(Line(path: path, status: "refused", reason: reason)))
            }
            Output.line(
                JSONOutput.line([
                    "summary": [
                        "queued": report.queued.count, "skipped": report.skipped.count,
                        "refused": report.refused.count,
                    ]
                ]))
        } else {
            if verbose { for (path, id) in report.queued { Output.line("queued     \(path)  job \(id)") } }
            for (path, reason) in report.refused { Output.line("refused    \(path): \(reason)") }
            Output.line(
                "\(report.queued.count) files queued for workers, \(report.skipped.count) skipped (unchanged or already queued), \(report.refused.count) refused"
            )
        }
        if !report.refused.isEmpty { throw ExitCode(1) }
    }
}

/// Prints an ingest as it goes: JSON Lines, or failures and a progress line for people.
final class IngestReporter: @unchecked Sendable {
    // Safe: every mutable field is read and written only while holding `lock`.
    private let lock = NSLock()
    private var progress = ProgressLine()
    private var failures: [FileResult] = []
    private var lastDraw = Date.distantPast
    private let json: Bool
    private let verbose: Bool
    private let interactive: Bool

    init(json: Bool, verbose: Bool, interactive: Bool) {
        self.json = json
        self.verbose = verbose
        self.interactive = interactive
    }

    func handle(_ event: IngestEvent) {
        lock.lock()
        defer { lock.unlock() }
        progress.update(event)
        if case .notice(let text) = event {
            clearProgress()
            Output.error("note: \(text)")
        }
        if case .finished(let result, _, _) = event {
            if json {
                Output.line(JSONOutput.line(result))
            } else if result.status == .failed {
                failures.append(result)
                clearProgress()
                // One line per file: a line break in a name must not start a made-up record.
                let path = TerminalText.safe(result.path, keepingNewlines: false)
                Output.line("failed     \(path): \(result.error ?? "unknown error")")
            } else if verbose {
                clearProgress()
                Output.line(
                    "\(result.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(TerminalText.safe(result.path, keepingNewlines: false))  \(result.id ?? "")"
                )
            }
        }
        if interactive, Date().timeIntervalSince(lastDraw) > 0.1 {
            lastDraw = Date()
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + progress.render()).utf8))
        }
    }

    private func clearProgress() {
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }

    func finish(_ summary: IngestSummary) {
        lock.lock()
        defer { lock.unlock() }
        clearProgress()
        if json {
            Output.line(JSONOutput.line(["summary": SummaryLine(summary)]))
            return
        }
        Output.line(
            "\(summary.total) files in \(String(format: "%.1f", summary.seconds)) s: \(summary.ingested) ingested, \(summary.unchanged) unchanged, \(summary.duplicate) duplicate, \(summary.failed) failed"
                + (summary.notTried > 0 ? " (\(summary.notTried) of them not tried: the library's disk is full)" : "")
        )
    }

    /// The summary object of the JSON contract.
    struct SummaryLine: Encodable {
        var ingested, unchanged, duplicate, failed: Int
        /// Of the failed, the files not started after the disk was found full.
        var notTried: Int
        var seconds: Double
        init(_ summary: IngestSummary) {
            ingested = summary.ingested
            unchanged = summary.unchanged
            duplicate = summary.duplicate
            failed = summary.failed
            notTried = summary.notTried
            seconds = summary.seconds
        }
    }
}
