import Catalog
import Desk
import Foundation
import Imaging

/// What an ingest job asks a worker to do: ingest one file with a pipeline.
public struct IngestJob: Codable, Sendable, Equatable {
    /// The file, as every node sees it (the shared library's `originals/` when copied).
    public var path: String
    /// A pipeline name in `Pipelines/`, or a path to one.
    public var pipeline: String
    /// Who asked for it (captions read from the file are attributed to them).
    public var author: String

    /// Makes a job.
    public init(path: String, pipeline: String, author: String) {
        self.path = path
        self.pipeline = pipeline
        self.author = author
    }
}

/// What `ingest --enqueue` did with each file it found.
public struct EnqueueReport: Sendable, Equatable {
    /// Files queued, with their job ids.
    public var queued: [(path: String, id: Int64)] = []
    /// Files already queued (a live job holds them) or seen unchanged since their last ingest.
    public var skipped: [(path: String, reason: String)] = []
    /// Files refused while scanning or copying, with the reason.
    public var refused: [(path: String, reason: String)] = []

    public static func == (left: EnqueueReport, right: EnqueueReport) -> Bool {
        left.queued.map(\.path) == right.queued.map(\.path) && left.skipped.map(\.path) == right.skipped.map(\.path)
            && left.refused.map(\.path) == right.refused.map(\.path)
    }
}

/// Ingest as queued jobs, for workers on any number of machines.
public enum IngestQueue {
    /// The job kind.
    public static let kind = "ingest"
    /// Priorities: an editor's own upload before a folder's bulk ingest before a re-render.
    public static let uploadPriority = 100
    public static let bulkPriority = 0

    /// Scans `paths` and queues one job per file that is new or changed since its last ingest.
    /// With `copy`, each file is first copied into the library's `originals/` (by content) so a
    /// worker on another machine can read it; without, workers read the file where it is, so
    /// every node must see it at the same path.
    public static func enqueue(
        _ paths: [String], desk: Desk, queue: any JobQueue, pipeline: String, copy: Bool, author: String,
        priority: Int = bulkPriority, now: Date = Date()
    ) async throws -> EnqueueReport {
        var report = EnqueueReport()
        let entries = try FolderScanner(excluding: [desk.library.root]).scan(paths)
        let known = try await desk.knownLocations()
        var jobs: [NewJob] = []
        var order: [String] = []
        for entry in entries {
            switch entry {
            case .refused(let path, let reason):
                report.refused.append((path, reason))
            case .file(let path, let stat):
                if let location = known[path], location.size == stat.size, location.modifiedAt == stat.modifiedAt,
                    location.inode == stat.inode
                {
                    report.skipped.append((path, "unchanged since it was ingested"))
                    continue
                }
                var target = path
                if copy {
                    do {
                        // Bytes the library has already need no job, wherever they come from.
                        let sha = try await Blocking.run { try ContentHasher.sha256(path: path) }
                        if try await desk.photo(sha256: sha) != nil {
                            report.skipped.append((path, "already in the library, as \(sha.prefix(16))"))
                            continue
                        }
                        target = try await Blocking.run {
                            try OriginalCopies.copy(path, sha256: sha, into: desk.library)
                        }
                    } catch {
                        report.refused.append((path, "\(error)"))
                        continue
                    }
                }
                let job = IngestJob(path: target, pipeline: pipeline, author: author)
                let payload = String(decoding: try JSONEncoder().encode(job), as: UTF8.self)
                jobs.append(
                    NewJob(
                        kind: kind, payload: payload, key: "ingest:\(target):\(stat.size):\(stat.modifiedAt)",
                        priority: priority))
                order.append(path)
            }
        }
        // One job a call, so each file's fate is known: added, or held by a live job already.
        for (path, job) in zip(order, jobs) {
            if let id = try await queue.enqueue([job], now: now).first {
                report.queued.append((path, id))
            } else {
                report.skipped.append((path, "already queued"))
            }
        }
        return report
    }
}

/// Originals copied into the library (`originals/ab/<sha256>.<ext>`), by content, so that every
/// node reads them from the shared library folder.
public enum OriginalCopies {
    /// Copies a file whose hash is `sha256` in (atomically: a temporary name, then a rename), or
    /// finds the copy there already; its path in the library.
    public static func copy(_ path: String, sha256 sha: String, into library: Library) throws -> String {
        let head =
            FileHandle(forReadingAtPath: path).flatMap { handle in
                defer { try? handle.close() }
                return try? handle.read(upToCount: ImageFormat.sniffedByteCount)
            } ?? Data()
        let fileExtension =
            ImageFormat(sniffing: head)?.fileExtension
            ?? (path as NSString).pathExtension.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(8).description
        let destination = library.absolute(
            Library.originalPath(sha256: sha, fileExtension: fileExtension.isEmpty ? "bin" : fileExtension))
        if let existing = FileStat.of(destination), existing.size == FileStat.of(path)?.size { return destination }
        try FileManager.default.createDirectory(
            atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let temporary = destination + ".tmp-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: path, toPath: temporary)
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw IngestError(.usage, "cannot copy \(path) into the library: \(reason)")
        }
        return destination
    }
}
