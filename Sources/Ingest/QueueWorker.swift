import Catalog
import Desk
import Foundation
import Imaging
import Logging

/// Runs queued ingest jobs until told to stop: each of `slots` claims a job, ingests its file
/// with the same code as `photodesk ingest`, renews its lease while it works, and completes it
/// (or records the failure: retried with backoff, dead after the last attempt). Wakes when jobs
/// are queued, and polls besides, so a lost wake-up only delays. Stopping lets the jobs in hand
/// finish; a worker killed mid-job leaves its lease to expire, and another worker takes the job.
public struct QueueWorker: Sendable {
    /// Settings of a worker.
    public struct Options: Sendable {
        /// Jobs run at once.
        public var slots = 1
        /// Object storage the renditions also go to (see `Ingester.Options.uploader`).
        public var uploader: (any RenditionUploader)?
        /// How long a claim holds a job before another worker may take it, unless renewed.
        public var lease: TimeInterval = 60
        /// Time between two looks at the queue when nothing wakes the worker.
        public var poll: Duration = .seconds(2)
        /// The folder of pipelines jobs name.
        public var pipelines: String
        /// How long finished jobs are kept: older ones are removed when the worker starts and
        /// every `pruneEvery` after (nil keeps them). Dead jobs are kept until retried.
        public var keepDone: TimeInterval? = 7 * 24 * 3600
        /// Time between two prunings of finished jobs.
        public var pruneEvery: Duration = .seconds(3600)

        /// Makes options.
        public init(pipelines: String) {
            self.pipelines = pipelines
        }
    }

    let desk: Desk
    let queue: any JobQueue
    let name: String
    let options: Options
    static let logger = Logger(label: "photodesk.worker")

    /// Makes a worker; `name` must be unique among the workers of a queue (host and process).
    public init(desk: Desk, queue: any JobQueue, name: String, options: Options) {
        self.desk = desk
        self.queue = queue
        self.name = name
        self.options = options
    }

    /// A unique name for this process's workers: host and process id.
    public static func defaultName() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(getpid())"
    }

    /// One job's end, for the report.
    public struct Done: Sendable {
        public var job: Job
        public var result: FileResult?
        public var error: String?
    }

    /// Runs until `stop` is set; reports each job as it ends.
    public func run(stop: StopSignal, report: @escaping @Sendable (Done) -> Void) async throws {
        let bell = Bell()
        let wakeups = Task {
            for await _ in queue.jobWakeups() { await bell.ring() }
        }
        let pruning = Task {
            guard let keep = options.keepDone else { return }
            while !Task.isCancelled {
                do {
                    let removed = try await queue.prune(doneBefore: Date().addingTimeInterval(-keep))
                    if removed > 0 { Self.logger.info("\(name): removed \(removed) finished job(s)") }
                } catch {
                    Self.logger.warning("\(name): cannot remove finished jobs: \(error)")
                }
                try? await Task.sleep(for: options.pruneEvery)
            }
        }
        defer {
            wakeups.cancel()
            pruning.cancel()
        }
        await stop.onStop { await bell.ring() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for slot in 0..<max(1, options.slots) {
                group.addTask {
                    try await self.slot("\(self.name)/\(slot)", stop: stop, bell: bell, report: report)
                }
            }
            try await group.waitForAll()
        }
    }

    /// One slot: claim, run, repeat until stopped.
    func slot(_ worker: String, stop: StopSignal, bell: Bell, report: @escaping @Sendable (Done) -> Void) async throws {
        var pipelines: [String: Pipeline] = [:]
        while await !stop.isStopped {
            let jobs: [Job]
            do {
                jobs = try await queue.claim(worker: worker, limit: 1, lease: options.lease, now: Date())
            } catch {
                Self.logger.warning("\(worker): cannot claim a job: \(error)")
                await bell.wait(upTo: options.poll)
                continue
            }
            guard let job = jobs.first else {
                await bell.wait(upTo: options.poll)
                continue
            }
            CrashPoint.claimed(job)
            report(await run(job, worker: worker, pipelines: &pipelines))
        }
    }

    /// Runs one job under its lease.
    func run(_ job: Job, worker: String, pipelines: inout [String: Pipeline]) async -> Done {
        let renewing = Task {
            let every = max(0.5, options.lease / 3)
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(every * 1000)))
                if Task.isCancelled { break }
                let lost = (try? await queue.renew([job.id], worker: worker, lease: options.lease, now: Date())) ?? []
                if lost.contains(job.id) {
                    Self.logger.warning("\(worker): lost the lease of job \(job.id); another worker may run it too")
                    break
                }
            }
        }
        defer { renewing.cancel() }
        do {
            guard job.kind == IngestQueue.kind else {
                _ = try await queue.fail(
                    job.id, worker: worker, error: "unknown job kind \(job.kind)", retryAt: nil, now: Date())
                return Done(job: job, result: nil, error: "unknown job kind \(job.kind)")
            }
            let arguments = try JSONDecoder().decode(IngestJob.self, from: Data(job.payload.utf8))
            let pipeline =
                try pipelines[arguments.pipeline]
                ?? Pipeline.load(nameOrPath: arguments.pipeline, folder: options.pipelines)
            pipelines[arguments.pipeline] = pipeline
            var settings = Ingester.Options()
            settings.jobs = 1
            settings.author = arguments.author
            settings.holdsLibraryLock = false
            settings.uploader = options.uploader
            let log = IngestLog()
            _ = try await Ingester(desk: desk, pipeline: pipeline, options: settings).run([arguments.path]) {
                log.add($0)
            }
            let result = log.results.first
            if let result, result.status == .failed {
                // The file itself is refused (corrupt, too large): trying again cannot help.
                _ = try await queue.fail(
                    job.id, worker: worker, error: "\(result.path): \(result.error ?? "failed")", retryAt: nil,
                    now: Date())
                return Done(job: job, result: result, error: result.error)
            }
            if try await !queue.complete(job.id, worker: worker, now: Date()) {
                Self.logger.warning("\(worker): job \(job.id) was done, but its lease had passed to another worker")
            }
            return Done(job: job, result: result, error: nil)
        } catch {
            // Something around the file failed (the catalog, the disk): try again later.
            let delay = min(3600, 5 * pow(2, Double(max(0, job.attempts - 1))))
            _ = try? await queue.fail(
                job.id, worker: worker, error: "\(error)", retryAt: Date().addingTimeInterval(delay), now: Date())
            return Done(job: job, result: nil, error: "\(error)")
        }
    }
}

/// Set once to stop a worker (SIGTERM, Ctrl-C): no new job is claimed; jobs in hand finish.
public actor StopSignal {
    private(set) var isStopped = false
    private var handlers: [@Sendable () async -> Void] = []

    /// A signal not yet set.
    public init() {}

    /// Stops.
    public func stop() async {
        guard !isStopped else { return }
        isStopped = true
        for handler in handlers { await handler() }
    }

    func onStop(_ handler: @escaping @Sendable () async -> Void) {
        handlers.append(handler)
    }
}

/// Wakes waiting slots when jobs are queued; each wait also ends after its time.
actor Bell {
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    /// Wakes every slot waiting now.
    func ring() {
        for (_, waiter) in waiters { waiter.resume() }
        waiters.removeAll()
    }

    /// Waits for a ring, at most `limit`.
    func wait(upTo limit: Duration) async {
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.suspend(id) }
            group.addTask {
                try? await Task.sleep(for: limit)
                await self.release(id)
            }
            await group.next()
            group.cancelAll()
            release(id)
        }
    }

    private func suspend(_ id: UUID) async {
        await withCheckedContinuation { waiters[id] = $0 }
    }

    private func release(_ id: UUID) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
