import Catalog
import CatalogPostgres
import Foundation
import Logging
import ObjectStorage
import PhotoFactory
import PostgresNIO
import Testing

/// Databases of their own on the test server (`$PHOTODESK_TEST_POSTGRES`, a role that may create
/// databases, as `scripts/with-postgres` sets up), for tests that run whole processes on them.
enum ScratchDatabase {
    static let variable = "PHOTODESK_TEST_POSTGRES"
    static let prefix = "pdmn_"

    /// Whether the multi-node tests run: with a server named, and always under CI (where a
    /// missing server is a failure, not a reason to skip).
    static var isRequired: Bool {
        let environment = ProcessInfo.processInfo.environment
        return !(environment[variable] ?? "").isEmpty || environment["CI"] == "true"
    }

    static let logger: Logger = {
        var logger = Logger(label: "photodesk.tests.multinode")
        logger.logLevel = .error
        return logger
    }()

    /// Makes an empty database (dropping those earlier runs of this test left behind); its URL
    /// and name.
    static func create() async throws -> (url: String, name: String) {
        guard let admin = ProcessInfo.processInfo.environment[variable], !admin.isEmpty else {
            throw CatalogError(
                .open,
                "\(variable) is not set: run the tests under scripts/with-postgres (make test does), "
                    + "or set it to postgres://user@host:port/db of a role that may create databases")
        }
        let name = prefix + "\(getpid())_\(UUID().uuidString.prefix(8).lowercased())"
        try await connect(admin) { connection in
            let stale = try await connection.query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'pdmn\\_%' AND datname NOT LIKE \(prefix + "\(getpid())\\_%")",
                logger: logger
            ).collect().map { try $0.decode(String.self) }
            for old in stale {
                _ = try await connection.query(
                    PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(old) WITH (FORCE)"), logger: logger
                ).collect()
            }
            _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
                .collect()
        }
        guard var components = URLComponents(string: admin) else {
            throw CatalogError(.open, "\(variable) is not a URL")
        }
        components.path = "/" + name
        guard let url = components.string else {
            throw CatalogError(.open, "cannot name the database \(name) in a URL")
        }
        return (url, name)
    }

    /// Drops a database made by `create`, its connections closed first.
    static func drop(_ name: String) async throws {
        guard let admin = ProcessInfo.processInfo.environment[variable] else { return }
        try await connect(admin) { connection in
            _ = try await connection.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger
            ).collect()
        }
    }

    private static func connect(_ url: String, _ body: (PostgresConnection) async throws -> Void) async throws {
        let configuration = try PostgresCatalog.Configuration(url: url).connectionConfiguration()
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await body(connection)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

@Suite("Many machines: one PostgreSQL, two gallery nodes, two workers", .serialized)
struct MultiNodeTests {
    static let photoCount = 200
    /// Worker A kills itself (SIGKILL) right after claiming this job, before doing any of it.
    static let crashClaim = 12
    /// Worker A's lease: short, so that its orphaned job is free again soon.
    static let crashLease = 5
    static let password = "correct horse battery"

    static func json(_ text: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    /// The JSON Lines a worker printed, one object per job it finished.
    static func jobLines(_ node: NodeProcess) throws -> [[String: Any]] {
        try node.output.split(separator: "\n").map { try json(String($0)) }
    }

    @Test(
        "200 queued photos are each ingested once by two workers though one dies mid-job; captions, publication, sessions and the login throttle cross from node A to node B",
        .enabled(
            if: ScratchDatabase.isRequired,
            "skipped: no PostgreSQL server. Set PHOTODESK_TEST_POSTGRES (scripts/with-postgres does; make test runs the tests under it)"
        ),
        .timeLimit(.minutes(5)))
    func twoNodesTwoWorkers() async throws {
        let started = ContinuousClock.now
        let work = try TemporaryFolder("e2e-multinode")
        let library = work.path + "/library"
        let database = try await ScratchDatabase.create()
        var nodes: [NodeProcess] = []
        defer { for node in nodes { node.stop() } }
        // Every process names the same catalog and the same library folder, as nodes on several
        // machines would with a shared mount; serve takes the catalog as an option, the others from
        // the environment.
        let environment = [
            "PHOTODESK_HOME": Binary.root.path, "PHOTODESK_CATALOG": database.url, "PHOTODESK_LOG": "warning",
        ]

        for index in 0..<Self.photoCount {
            try SyntheticPhoto(width: 96, height: 64, seed: index + 1).write(
                to: work.file(String(format: "in/photo-%03d.jpg", index)))
        }
        let added = try Binary.run(
            ["user", "add", "--library", library, "desk", "--role", "editor"], environment: environment,
            input: Self.password + "\n")
        try #require(added.status == 0, "\(added.stderr)")
        let issued = try Binary.run(["user", "token", "--library", library, "desk"], environment: environment)
        let token = issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(issued.status == 0 && !token.isEmpty, "\(issued.stderr)")

        let galleryA = try NodeProcess(
            "gallery-a",
            ["serve", "--library", library, "--catalog", database.url, "--port", "0", "--login-delay", "600"],
            environment: environment, folder: work.path)
        nodes.append(galleryA)
        let galleryB = try NodeProcess(
            "gallery-b",
            ["serve", "--library", library, "--catalog", database.url, "--port", "0", "--login-delay", "600"],
            environment: environment, folder: work.path)
        nodes.append(galleryB)
        let workerA = try NodeProcess(
            "worker-a",
            [
                "worker", "--library", library, "--jobs", "1", "--lease", "\(Self.crashLease)", "--poll", "0.5",
                "--name",
                "node-a", "--json",
            ],
            environment: environment.merging(["PHOTODESK_CRASH_AFTER_CLAIMS": "\(Self.crashClaim)"]) { $1 },
            folder: work.path)
        nodes.append(workerA)
        let workerB = try NodeProcess(
            "worker-b", ["worker", "--library", library, "--jobs", "1", "--poll", "0.5", "--name", "node-b", "--json"],
            environment: environment, folder: work.path)
        nodes.append(workerB)
        let portA = try await galleryA.galleryPort(within: .seconds(60))
        let portB = try await galleryB.galleryPort(within: .seconds(60))

        // The files arrive while both workers wait on the queue.
        let enqueued = try Binary.run(
            ["ingest", "--library", library, "--enqueue", "--copy", "--json", work.path + "/in"],
            environment: environment)
        try #require(enqueued.status == 0, "\(enqueued.stderr)")
        let enqueueSummary = try Self.json(String(enqueued.stdout.split(separator: "\n").last ?? ""))["summary"]
        let queued = try #require(enqueueSummary as? [String: Any])
        #expect(queued["queued"] as? Int == Self.photoCount, "every photo is queued once: \(queued)")

        // Worker A dies at its claim; its job stays running under its lease until the lease ends.
        let catalog = try await PostgresCatalog.open(url: database.url, logger: ScratchDatabase.logger)
        try await workerA.ended(within: 120)
        #expect(workerA.wasKilled, "worker A ends by SIGKILL. \(workerA.errorTail)")
        // It said which job it held and until when, just before it died (its lease may run out
        // and worker B take the job before this line runs, on a busy machine).
        let said = try #require(
            workerA.errors.firstMatch(of: /killed after claiming job (\d+), lease until ([0-9.]+)/),
            "worker A names the job it held. \(workerA.errorTail)")
        let orphaned = (id: try #require(Int64(said.output.1)), lease: try #require(Double(said.output.2)))
        let leaseEnd = Date(timeIntervalSince1970: orphaned.lease)
        #expect(try Self.jobLines(workerA).count == Self.crashClaim - 1, "worker A finished the jobs before it")

        // While that lease runs out: the gallery nodes share captions, sessions and the throttle.
        let listed = try Binary.run(["list", "--library", library, "--limit", "1", "--json"], environment: environment)
        let firstPhoto = try #require((try Self.json(listed.stdout)["photos"] as? [[String: Any]])?.first)
        let photoID = try #require(firstPhoto["id"] as? String)
        let published = try Binary.run(["publish", "--library", library, photoID], environment: environment)
        try #require(published.status == 0, "\(published.stderr)")
        let asset = "/api/v1/assets/\(photoID)"
        let bearer = ["Authorization": "Bearer \(token)"]

        // A session made by signing in on node A is good on node B.
        let loginPage = try await LoopbackHTTP.send(port: portA, "/login")
        let loginCookie = try #require(loginPage.cookie("pd_login"), "the login form sets its cookie")
        let csrf = String(try #require(loginPage.text.firstMatch(of: /name="csrf" value="([^"]+)"/)).output.1)
        func signIn(on port: Int, password: String) async throws -> LoopbackHTTP.Answer {
            try await LoopbackHTTP.send(
                "POST", port: port, "/login",
                headers: ["Cookie": "pd_login=\(loginCookie)", "Content-Type": "application/x-www-form-urlencoded"],
                body: LoopbackHTTP.form([("csrf", csrf), ("next", "/desk"), ("name", "desk"), ("password", password)]))
        }
        let signedIn = try await signIn(on: portA, password: Self.password)
        #expect(signedIn.status == 303, "\(signedIn.text)")
        let session = try #require(signedIn.cookie("pd_session"), "signing in on node A gives a session cookie")
        let deskOnB = try await LoopbackHTTP.send(port: portB, "/desk", headers: ["Cookie": "pd_session=\(session)"])
        #expect(deskOnB.status == 200, "\(deskOnB.status) \(deskOnB.header("Location") ?? "")")
        #expect(deskOnB.text.contains("Signed in as <strong>desk</strong>"), "node B shows the editor's desk")
        let strangerOnB = try await LoopbackHTTP.send(port: portB, "/desk")
        #expect(strangerOnB.status == 303, "without the cookie node B sends a reader to sign in")

        // Five wrong passwords on node A; the sixth attempt, on node B, waits (even with the right one).
        // The nodes wait 600 s after five (--login-delay), so a slow machine cannot outlast the wait.
        var failures: [Int] = []
        var fifthSent = ContinuousClock.now
        for _ in 0..<5 {
            fifthSent = ContinuousClock.now
            failures.append(try await signIn(on: portA, password: "not the password").status)
        }
        #expect(failures == [401, 401, 401, 401, 401])
        let sixth = try await signIn(on: portB, password: Self.password)
        print(
            "MultiNode: the sixth sign-in, on node B, answered \(sixth.status) (Retry-After \(sixth.header("Retry-After") ?? "none")) \(ContinuousClock.now - fifthSent) after the fifth was sent to node A"
        )
        #expect(sixth.status == 429, "the sixth sign-in, on node B, is throttled: \(sixth.status)")
        #expect((Int(sixth.header("Retry-After") ?? "") ?? 0) > 0, "with Retry-After")
        #expect(sixth.cookie("pd_session") == nil)

        // The orphaned job is free once its lease has ended; worker B takes it with the rest.
        try await Eventually.holds(within: .seconds(120), every: .milliseconds(200), "the queue to empty") {
            let counts = try await catalog.jobCounts()
            return counts[.queued, default: 0] + counts[.running, default: 0] == 0
        }

        // With the queue empty and the workers idle, the catalog is quiet: a reader's view of the
        // photo on node B is cached there before the edit (the second request is a hit of node
        // B's reader cache).
        let hitsBefore = try await Self.metric("photodesk_reader_cache_requests_total{result=\"hit\"}", port: portB)
        for _ in 0..<2 {
            let before = try await LoopbackHTTP.send(port: portB, asset)
            #expect(before.status == 200, "\(before.text)")
        }
        #expect(
            try await Self.metric("photodesk_reader_cache_requests_total{result=\"hit\"}", port: portB) > hitsBefore,
            "node B answers the reader's view from its cache")
        let current = try await LoopbackHTTP.send(port: portA, asset + "/caption", headers: bearer)
        let revision = try #require(current.header("ETag"), "\(current.status) \(current.text)")
        let marker = UUID().uuidString.prefix(8)
        let caption = "Đoàn công tác thăm xã biên giới Lũng Cú, Hà Giang (\(marker))"
        let saved = try await LoopbackHTTP.send(
            "PATCH", port: portA, asset + "/caption",
            headers: bearer.merging(["If-Match": revision, "Content-Type": "application/json"]) { $1 },
            body: try JSONSerialization.data(withJSONObject: ["caption": caption]))
        try #require(saved.status == 200, "\(saved.text)")
        // Node B hears of the write through the catalog's notification and drops what it cached:
        // waited for as an event (the new caption shows), however slow the machine. How soon is
        // a figure of `make bench`, not a test's.
        try await Eventually.holds(within: .seconds(60), every: .milliseconds(5), "node B to show the new caption") {
            try Self.json(try await LoopbackHTTP.send(port: portB, asset).text)["caption"] as? String == caption
        }
        // The new caption is cached on node B in turn: it came through the cache, not around it.
        let hitsAfterEdit = try await Self.metric(
            "photodesk_reader_cache_requests_total{result=\"hit\"}", port: portB)
        let again = try await LoopbackHTTP.send(port: portB, asset)
        #expect(try Self.json(again.text)["caption"] as? String == caption)
        #expect(
            try await Self.metric("photodesk_reader_cache_requests_total{result=\"hit\"}", port: portB)
                == hitsAfterEdit + 1, "node B answers the edited view from its cache")
        let page = try await LoopbackHTTP.send(port: portB, "/photos/\(photoID)")
        #expect(page.status == 200 && page.text.contains(String(marker)), "node B's photo page has the new caption")

        // A rendition both nodes hold in memory is answered from their event loops without asking
        // the catalog (their counts of renditions answered from memory grow); unpublished by
        // another process, it is refused once each node hears of the change.
        let thumbnail = "/r/\(photoID)/thumb.webp"
        for port in [portA, portB] {
            let fromMemory = try await Self.metric("photodesk_http_renditions_from_memory_total", port: port)
            for _ in 0..<3 {
                let served = try await LoopbackHTTP.send(port: port, thumbnail, keepAlive: true)
                #expect(served.status == 200, "a reader gets the published photo's thumbnail from port \(port)")
            }
            #expect(
                try await Self.metric("photodesk_http_renditions_from_memory_total", port: port) >= fromMemory + 2,
                "the node on port \(port) answers the thumbnail from memory")
        }
        let unpublished = try Binary.run(["unpublish", "--library", library, photoID], environment: environment)
        try #require(unpublished.status == 0, "\(unpublished.stderr)")
        for port in [portA, portB] {
            try await Eventually.holds(
                within: .seconds(60), every: .milliseconds(5), "port \(port) to refuse the unpublished thumbnail"
            ) {
                try await LoopbackHTTP.send(port: port, thumbnail, keepAlive: true).status == 404
            }
        }

        // A kill (here by another process, as an admin at the desk) withdraws the photo from every
        // surface of both nodes: its thumbnail (held in memory), its page and its API answer.
        let republished = try Binary.run(["publish", "--library", library, photoID], environment: environment)
        try #require(republished.status == 0, "\(republished.stderr)")
        for port in [portA, portB] {
            try await Eventually.holds(within: .seconds(60), every: .milliseconds(5), "port \(port) to serve it again")
            {
                try await LoopbackHTTP.send(port: port, thumbnail, keepAlive: true).status == 200
            }
        }
        let killedAt = ContinuousClock.now
        let killed = try Binary.run(
            ["kill", "--library", library, photoID, "--reason", "agency kill notice"], environment: environment)
        try #require(killed.status == 0, "\(killed.stderr)")
        for port in [portA, portB] {
            try await Eventually.holds(within: .seconds(60), every: .milliseconds(5), "port \(port) to withdraw it") {
                try await LoopbackHTTP.send(port: port, thumbnail, keepAlive: true).status == 404
            }
            #expect(try await LoopbackHTTP.send(port: port, asset).status == 404)
            #expect(try await LoopbackHTTP.send(port: port, "/photos/\(photoID)").status == 404)
        }
        print("MultiNode: a kill was seen on both nodes \(ContinuousClock.now - killedAt) after the command started")

        let jobs = try Binary.run(["jobs", "--library", library, "--json"], environment: environment)
        let listing = try Self.json(jobs.stdout)
        let counts = try #require(listing["counts"] as? [String: Int], "\(jobs.stdout)")
        #expect(counts["done"] == Self.photoCount && counts["dead"] == 0, "\(counts)")
        #expect((listing["dead"] as? [Any])?.isEmpty == true)
        let done = try await catalog.jobs(in: .done, limit: 1000)
        #expect(done.count == Self.photoCount)
        let retaken = try #require(done.first { $0.id == orphaned.id }, "the orphaned job is done")
        #expect(retaken.attempts == 2, "claimed by worker A, then by worker B")
        #expect(retaken.updatedAt.timeIntervalSince(leaseEnd) > -0.001, "finished after worker A's lease had ended")
        print(
            "MultiNode: worker A killed itself after claiming job \(orphaned.id); worker B finished it "
                + String(format: "%.2f", retaken.updatedAt.timeIntervalSince(leaseEnd))
                + " s after the \(Self.crashLease) s lease had ended")
        #expect(done.filter { $0.id != orphaned.id }.allSatisfy { $0.attempts == 1 }, "every other job ran once")
        let linesB = try Self.jobLines(workerB)
        #expect(
            linesB.contains {
                ($0["job"] as? Int).map(Int64.init) == orphaned.id && $0["status"] as? String == "ingested"
            },
            "worker B ingested the orphaned job")
        let statuses = (try Self.jobLines(workerA) + linesB).map { $0["status"] as? String ?? "?" }
        #expect(
            statuses.count == Self.photoCount && statuses.allSatisfy { $0 == "ingested" }, "each file ingested once")

        // The catalog and the library agree: 200 photos, each with its renditions, once.
        let all = try Binary.run(["list", "--library", library, "--limit", "1000", "--json"], environment: environment)
        let catalogListing = try Self.json(all.stdout)
        #expect(catalogListing["total"] as? Int == Self.photoCount)
        let ids = Set((catalogListing["photos"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        #expect(ids.count == Self.photoCount)
        let shown = try Self.json(
            try Binary.run(["show", "--library", library, "--json", photoID], environment: environment).stdout)
        let presets = (shown["renditions"] as? [Any])?.count ?? 0
        #expect(presets > 0)
        let renditions = try Self.files(under: library + "/renditions")
        #expect(renditions.count == Self.photoCount * presets, "\(renditions.count) rendition files")
        let perPhoto = Dictionary(grouping: renditions) { String(($0 as NSString).lastPathComponent.prefix(16)) }
        #expect(Set(perPhoto.keys) == ids && perPhoto.values.allSatisfy { $0.count == presets })
        let originals = try Self.files(under: library + "/originals")
        #expect(originals.count == Self.photoCount, "one copied original a photo")
        let leftovers = try Self.files(under: library).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty, "no temporary file is left: \(leftovers.prefix(5))")

        // Finished jobs are pruned; nothing else is.
        let pruned = try Binary.run(
            ["jobs", "prune", "--older-than", "0", "--library", library], environment: environment)
        #expect(pruned.stdout == "\(Self.photoCount) finished job(s) removed\n", "\(pruned.stdout)")
        #expect(try await catalog.jobCounts() == [.queued: 0, .running: 0, .done: 0, .dead: 0])

        for node in nodes { node.stop() }
        #expect(workerB.process.terminationStatus == 0, "worker B stops cleanly on SIGTERM. \(workerB.errorTail)")
        await catalog.shutdown()
        try await ScratchDatabase.drop(database.name)
        print("MultiNode: the whole run took \(ContinuousClock.now - started)")
    }

    @Test(
        "with S3 storage and no shared folder: two workers on folders of their own ingest through the queue into the bucket; two gallery nodes on empty folders serve the same renditions",
        .enabled(
            if: ScratchDatabase.isRequired,
            "skipped: no PostgreSQL server. Set PHOTODESK_TEST_POSTGRES (scripts/with-postgres does; make test runs the tests under it)"
        ),
        .timeLimit(.minutes(5)))
    func objectStorageNoSharedFolder() async throws {
        let count = 12
        let work = try TemporaryFolder("e2e-multinode-s3")
        let database = try await ScratchDatabase.create()
        let seaweed = try SeaweedServer()
        defer { seaweed.stop() }
        let bucket = S3Client(location: seaweed.location, credentials: SeaweedServer.credentials)
        try await bucket.createBucket()
        var nodes: [NodeProcess] = []
        defer { for node in nodes { node.stop() } }
        let environment = [
            "PHOTODESK_HOME": Binary.root.path, "PHOTODESK_CATALOG": database.url, "PHOTODESK_LOG": "warning",
            "AWS_ACCESS_KEY_ID": SeaweedServer.credentials.accessKey,
            "AWS_SECRET_ACCESS_KEY": SeaweedServer.credentials.secretKey,
        ]
        for index in 0..<count {
            try SyntheticPhoto(width: 96, height: 64, seed: 500 + index).write(
                to: work.file(String(format: "in/photo-%03d.jpg", index)))
        }
        // The catalog names the bucket (a copy of an empty library: nothing to send, the name kept).
        let named = try Binary.run(
            [
                "storage", "copy", "--library", work.path + "/enqueuer", "--to",
                "s3://photos/library?endpoint=http://127.0.0.1:\(seaweed.port)", "--json",
            ], environment: environment)
        try #require(named.status == 0 && named.stdout.contains("\"named\":true"), "\(named.stderr)")
        for name in ["worker-a", "worker-b"] {
            nodes.append(
                try NodeProcess(
                    name,
                    [
                        "worker", "--library", work.path + "/" + name, "--jobs", "1", "--poll", "0.5", "--name", name,
                        "--json",
                    ],
                    environment: environment, folder: work.path))
        }
        let enqueued = try Binary.run(
            ["ingest", "--library", work.path + "/enqueuer", "--enqueue", "--json", work.path + "/in"],
            environment: environment)
        try #require(enqueued.status == 0, "\(enqueued.stderr)")
        let catalog = try await PostgresCatalog.open(url: database.url, logger: ScratchDatabase.logger)
        try await Eventually.holds(within: .seconds(120), every: .milliseconds(200), "the queue to empty") {
            let counts = try await catalog.jobCounts()
            return counts[.queued, default: 0] + counts[.running, default: 0] == 0
        }
        #expect(try await catalog.jobCounts()[.done] == count)
        await catalog.shutdown()
        // Every rendition is in the bucket; each worker's folder holds only what it made.
        let objects = try await bucket.listAll(prefix: "renditions/")
        let made = try ["worker-a", "worker-b"].map { try Self.files(under: work.path + "/\($0)/renditions").count }
        #expect(objects.count == made.reduce(0, +) && objects.count >= count, "\(objects.count) objects, \(made)")
        let listed = try Binary.run(["list", "--library", work.path + "/enqueuer", "--json"], environment: environment)
        let ids = try #require(try Self.json(listed.stdout)["photos"] as? [[String: Any]]).compactMap {
            $0["id"] as? String
        }
        #expect(ids.count == count)
        for id in ids.prefix(count - 1) {
            #expect(
                try Binary.run(["publish", "--library", work.path + "/enqueuer", id], environment: environment).status
                    == 0)
        }
        // Two gallery nodes, each on an empty folder of its own.
        var ports: [Int] = []
        for name in ["gallery-a", "gallery-b"] {
            let node = try NodeProcess(
                name, ["serve", "--library", work.path + "/" + name, "--port", "0"], environment: environment,
                folder: work.path)
            nodes.append(node)
            ports.append(try await node.galleryPort(within: .seconds(60)))
        }
        for id in ids.prefix(count - 1) {
            let a = try await LoopbackHTTP.send(port: ports[0], "/r/\(id)/thumb.webp")
            let b = try await LoopbackHTTP.send(port: ports[1], "/r/\(id)/thumb.webp")
            #expect(a.status == 200 && b.status == 200 && a.body == b.body && !a.body.isEmpty, "\(id)")
        }
        let hidden = try #require(ids.last)
        #expect(try await LoopbackHTTP.send(port: ports[0], "/r/\(hidden)/thumb.webp").status == 404)
        for node in nodes { node.stop() }
        try await ScratchDatabase.drop(database.name)
    }

    /// A counter of a node's `/metrics`, by its line's name and labels.
    static func metric(_ name: String, port: Int) async throws -> Int {
        let metrics = try await LoopbackHTTP.send(port: port, "/metrics")
        let line = try #require(
            metrics.text.split(separator: "\n").first { $0.hasPrefix(name + " ") }, "no \(name) in /metrics")
        return try #require(Int(line.split(separator: " ").last ?? ""), "\(line)")
    }

    /// The regular files under a folder, by path relative to it.
    static func files(under folder: String) throws -> [String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: folder), "no folder \(folder)")
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + relative, isDirectory: &isFolder),
                !isFolder.boolValue
            {
                found.append(relative)
            }
        }
        return found
    }
}
