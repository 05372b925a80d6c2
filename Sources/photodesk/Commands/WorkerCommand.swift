import ArgumentParser
import Catalog
import Desk
import Foundation
import Ingest

/// `photodesk worker`
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run queued ingest jobs (PostgreSQL catalog) until stopped.",
        discussion: """
            Claims jobs queued by `photodesk ingest --enqueue` (or uploads), ingests each file with the
            same code as `photodesk ingest`, and marks it done; a failure is retried with backoff and
            the job is dead after its last attempt (`photodesk jobs` lists them). Any number of
            workers, on any machines that mount the library folder at the same path, share the
            queue: each job is claimed by one worker; a worker that dies leaves its lease to expire
            and another worker takes the job. SIGTERM or Ctrl-C: no new job is claimed, the jobs in
            hand finish, then the worker exits.

            Examples:
              photodesk worker --catalog postgres://desk@db/photos --library /mnt/photos/library
              PHOTODESK_CATALOG=postgres://desk@db/photos photodesk worker --jobs 2
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @OptionGroup var storageOptions: StorageOptions
    @Option(help: "Jobs run at once (1 to 64).") var jobs = 1
    @Option(help: "Seconds a claim holds a job unless renewed (5 to 3600).") var lease = 60.0
    @Option(help: "Seconds between two looks at the queue when no wake-up comes (0.1 to 60).") var poll = 2.0
    @Option(help: "This worker's name in the queue (default: host and process id).") var name: String?
    @Option(
        help: ArgumentHelp(
            "Days finished jobs are kept (0 to 3650); older ones are removed at start and hourly.",
            discussion: "Dead jobs are kept with their errors until retried."))
    var keepDone = 7.0
    @Flag(help: "Print each job's end as JSON Lines.") var json = false

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1 to 64") }
        guard (5...3600).contains(lease) else { throw ValidationError("--lease must be 5 to 3600 seconds") }
        guard (0.1...60).contains(poll) else { throw ValidationError("--poll must be 0.1 to 60 seconds") }
        guard (0...3650).contains(keepDone) else { throw ValidationError("--keep-done must be 0 to 3650 days") }
    }

    func run() async throws {
        let desk = try await libraryOptions.openDesk(create: true)
        guard let queue = desk.jobQueue else {
            throw ValidationError(
                "a worker needs a PostgreSQL catalog (--catalog postgres://... or $PHOTODESK_CATALOG)")
        }
        var options = QueueWorker.Options(pipelines: ProjectFolders.find("Pipelines"))
        options.slots = jobs
        options.lease = lease
        options.poll = .milliseconds(Int(poll * 1000))
        options.keepDone = keepDone * 24 * 3600
        options.uploader = try await storageOptions.client(desk: desk).map { S3Uploader(client: $0) }
        let workerName = name ?? QueueWorker.defaultName()
        let worker = QueueWorker(desk: desk, queue: queue, name: workerName, options: options)
        let stop = StopSignal()
        let signals = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { Task { await stop.stop() } }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        Output.error("Worker \(workerName): \(jobs) job(s) at once; SIGTERM or Ctrl-C stops it after the jobs in hand")
        let json = self.json
        try await worker.run(stop: stop) { done in
            if json {
                struct Line: Encodable {
                    var job: Int64
                    var path: String?
                    var status: String
                    var id: String?
                    var error: String?
                }
                Output.line(
                    JSONOutput.line(
                        Line(
                            job: done.job.id, path: done.result?.path,
                            status: done.error == nil ? (done.result?.status.rawValue ?? "done") : "failed",
                            id: done.result?.id, error: done.error)))
            } else if let error = done.error {
                Output.line("job \(done.job.id) failed: \(error)")
            } else if let result = done.result {
                Output.line("job \(done.job.id) \(result.status.rawValue) \(result.path) \(result.id ?? "")")
            }
        }
        Output.error("Worker \(workerName) stopped.")
    }
}

/// `photodesk jobs`
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "The ingest queue (PostgreSQL catalog): jobs by state, the dead ones with their errors.",
        discussion: """
            Examples:
              photodesk jobs
              photodesk jobs --json
              photodesk jobs retry 42           queue a dead job again
              photodesk jobs retry --dead       queue every dead job again
              photodesk jobs prune --older-than 1   remove jobs finished more than a day ago
            """,
        subcommands: [JobsListCommand.self, JobsRetryCommand.self, JobsPruneCommand.self],
        defaultSubcommand: JobsListCommand.self)
}

/// The queue of a desk, or the reason there is none.
func jobQueue(_ desk: Desk) throws -> any JobQueue {
    guard let queue = desk.jobQueue else {
        throw ValidationError(
            "the job queue needs a PostgreSQL catalog (--catalog postgres://... or $PHOTODESK_CATALOG)")
    }
    return queue
}

struct JobsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Counts by state and the dead jobs.")
    @OptionGroup var libraryOptions: LibraryOptions
    @Flag(help: "Print JSON: {\"counts\": {...}, \"dead\": [...]}.") var json = false

    func run() async throws {
        let queue = try jobQueue(try await libraryOptions.openDesk(create: false))
        let counts = try await queue.jobCounts()
        let dead = try await queue.jobs(in: .dead, limit: 1000)
        if json {
            struct Dead: Encodable {
                var id: Int64
                var key: String
                var attempts: Int
                var error: String?
                var updatedAt: Date
            }
            struct Listing: Encodable {
                var counts: [String: Int]
                var dead: [Dead]
            }
            Output.line(
                JSONOutput.pretty(
                    Listing(
                        counts: Dictionary(
                            uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
                        dead: dead.map {
                            Dead(
                                id: $0.id, key: $0.key, attempts: $0.attempts, error: $0.lastError,
                                updatedAt: $0.updatedAt)
                        })))
            return
        }
        Output.line(JobState.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", "))
        for job in dead {
            Output.line("dead  job \(job.id)  after \(job.attempts) attempt(s): \(job.lastError ?? "no reason kept")")
        }
    }
}

struct JobsRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Queue dead jobs again (attempts reset).")
    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: "Job ids.") var ids: [Int64] = []
    @Flag(help: "Every dead job.") var dead = false

    func validate() throws {
        guard dead != !ids.isEmpty else { throw ValidationError("give job ids or --dead, not both") }
    }

    func run() async throws {
        let queue = try jobQueue(try await libraryOptions.openDesk(create: false))
        let count = try await queue.retry(dead ? nil : ids, now: Date())
        Output.line("\(count) job(s) queued again")
    }
}

struct JobsPruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove finished jobs (workers also do it, hourly, after --keep-done days).",
        discussion: "Only jobs in the done state are removed; queued, running and dead jobs stay.")
    @OptionGroup var libraryOptions: LibraryOptions
    @Option(help: "Remove jobs finished more than this many days ago (0 to 3650; 0 removes every finished job).")
    var olderThan = 7.0

    func validate() throws {
        guard (0...3650).contains(olderThan) else { throw ValidationError("--older-than must be 0 to 3650 days") }
    }

    func run() async throws {
        let queue = try jobQueue(try await libraryOptions.openDesk(create: false))
        let removed = try await queue.prune(doneBefore: Date().addingTimeInterval(-olderThan * 24 * 3600))
        Output.line("\(removed) finished job(s) removed")
    }
}
