import Catalog
import Desk
import Foundation
import Imaging
import Logging
import Metadata
import PhotoModel

/// Ingests files and folders into a library: every file is ingested, recognised as unchanged or
/// duplicate, or refused with a reason, and the run goes on whatever one file does.
public struct Ingester: Sendable {
    /// Settings of a run.
    public struct Options: Sendable {
        /// Files processed at once (libvips runs single-threaded inside each).
        public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
        /// Who the captions read from files are attributed to.
        public var author: String = ProcessInfo.processInfo.environment["USER"] ?? "photodesk"
        /// Whether the run holds the library's lock (one ingest at a time, which may then clear
        /// what a killed run left behind). Queue workers do not: the queue gives each file to one
        /// worker, and every write is atomic (a temporary name, then a rename).
        public var holdsLibraryLock = true
        /// Object storage the renditions also go to, before the catalog records them.
        public var uploader: (any RenditionUploader)?

        /// Default options.
        public init() {}
    }

    let desk: Desk
    let library: Library
    let pipeline: Pipeline
    let options: Options
    let maker = RenditionMaker()
    static let logger = Logger(label: "photodesk.ingest")

    /// Makes an ingester for a library.
    public init(desk: Desk, pipeline: Pipeline, options: Options = Options()) {
        self.desk = desk
        self.library = desk.library
        self.pipeline = pipeline
        self.options = options
    }

    /// Scans `paths` and ingests every file found, reporting each as it finishes.
    public func run(_ paths: [String], report: @escaping @Sendable (IngestEvent) -> Void) async throws -> IngestSummary
    {
        let started = Date()
        try VipsRuntime.start()
        let lock = options.holdsLibraryLock ? try LibraryLock(library: library) : nil
        defer { lock?.release() }
        lock?.removeStaleTemporaryFiles()
        if lock == nil { try library.create(access: library.existingAccess ?? .owner) }
        let entries = try FolderScanner(excluding: [library.root]).scan(paths)
        report(.scanned(total: entries.count))
        let (credentials, notice) = await ProvenanceCheck.shared.credentials(for: desk)
        if let notice, entries.contains(where: { if case .file = $0 { true } else { false } }) {
            report(.notice(notice))
        }
        // A folder's worth of files: the catalog's locations and stale photos read once. A few
        // files (a queue worker's job, an upload): each looked up, whatever the catalog's size.
        let fileCount = entries.count { if case .file = $0 { true } else { false } }
        let few = fileCount <= Self.fewFiles
        var known: [String: FileLocation] = [:]
        let stale: StaleRenditions
        if few {
            for case .file(let path, _) in entries {
                if let location = try await desk.location(path: path) { known[path] = location }
            }
            stale = .asked(desk, pipeline.fingerprints)
        } else {
            known = try await desk.knownLocations()
            stale = .listed(try await desk.photosNeedingRenditions(fingerprints: pipeline.fingerprints))
        }
        let registry = InFlightAssets()
        var summary = IngestSummary()
        var done = 0
        // Set by the first file that fails for want of room: no new file is started after it.
        var diskFull = false
        var notTriedReason = Self.notTriedReason

        func finish(_ outcome: Outcome) {
            done += 1
            summary.count(outcome.result)
            summary.renditionsMade += outcome.renditionsMade
            if outcome.diskFull, !diskFull {
                diskFull = true
                if let place = outcome.fullPlace { notTriedReason = "not tried: \(place) is full" }
            }
            report(.finished(outcome.result, done: done, total: entries.count))
        }

        func notTried(_ path: String) {
            summary.notTried += 1
            finish(Outcome(FileResult(path: path, status: .failed, error: notTriedReason)))
        }

        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var running = 0
            for entry in entries {
                switch entry {
                case .refused(let path, let reason):
                    finish(Outcome(FileResult(path: path, status: .failed, error: reason)))
                    continue
                case .file(let path, let stat):
                    if diskFull {
                        notTried(path)
                        continue
                    }
                    if let location = known[path], location.size == stat.size, location.modifiedAt == stat.modifiedAt,
                        location.inode == stat.inode, try await !stale.contains(location.sha256)
                    {
                        finish(
                            Outcome(FileResult(path: path, status: .unchanged, id: String(location.sha256.prefix(16)))))
                        continue
                    }
                    if running >= max(1, options.jobs), let outcome = try await group.next() {
                        running -= 1
                        finish(outcome)
                    }
                    if diskFull {
                        notTried(path)
                        continue
                    }
                    running += 1
                    let previous = known[path]
                    group.addTask {
                        report(.started(path: path))
                        return await self.process(
                            path: path, stat: stat, previous: previous, stale: stale, registry: registry,
                            credentials: credentials)
                    }
                }
            }
            for try await outcome in group { finish(outcome) }
        }
        summary.seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
        return summary
    }

    /// What the files not started after a full disk are reported with.
    public static let notTriedReason = "not tried: the library's disk is full"

    /// At most this many files are looked up one by one rather than with the whole catalog's
    /// locations.
    public static let fewFiles = 64

    /// The photos whose renditions the pipeline would make again (missing a preset, or made with
    /// other settings): listed for the whole catalog, or asked photo by photo.
    enum StaleRenditions: Sendable {
        case listed(Set<String>)
        case asked(Desk, [String: String])

        func contains(_ sha: String) async throws -> Bool {
            switch self {
            case .listed(let set): return set.contains(sha)
            case .asked(let desk, let fingerprints):
                return try await desk.needsRenditions(sha, fingerprints: fingerprints)
            }
        }
    }

    struct Outcome: Sendable {
        var result: FileResult
        var renditionsMade = 0
        /// The file failed for want of room on the library's disk (or the catalog's).
        var diskFull = false
        /// What was full, when not the library's disk ("the bucket").
        var fullPlace: String?

        init(_ result: FileResult, renditionsMade: Int = 0) {
            self.result = result
            self.renditionsMade = renditionsMade
        }
    }

    /// One file, start to end. Never throws: every problem becomes a `failed` result.
    func process(
        path: String, stat: FileStat, previous: FileLocation?, stale: StaleRenditions, registry: InFlightAssets,
        credentials: ContentCredentials? = nil
    )
        async
        -> Outcome
    {
        // A reason never repeats the path: the report shows it beside the reason.
        guard stat.size > 0 else {
            return Outcome(FileResult(path: path, status: .failed, error: ImagingError.emptyReason))
        }
        guard stat.size <= pipeline.limits.maxBytes else {
            return Outcome(
                FileResult(
                    path: path, status: .failed,
                    error:
                        "\(stat.size) bytes is over the \(pipeline.limits.maxBytes)-byte limit (set limits.maxBytes in the pipeline to allow it)"
                ))
        }
        let sha: String
        do { sha = try await Blocking.run { try ContentHasher.sha256(path: path) } } catch let error
            as ContentHasher.HashError
        {
            return Outcome(FileResult(path: path, status: .failed, error: error.reason))
        } catch {
            return Outcome(FileResult(path: path, status: .failed, error: "\(error)"))
        }
        let first = await registry.claim(sha)
        var outcome: Outcome
        do {
            outcome = try await ingest(
                path: path, stat: stat, sha: sha, previous: previous, stale: stale, credentials: credentials)
        } catch let error as ImagingError {
            if let cause = error.cause, !cause.isEmpty { Ingester.logger.info("\(path): libvips: \(cause)") }
            // A write names where it failed; the report shows the photo's own path beside it.
            let reason = error.code == .io && error.path != path ? "renditions " + error.reason : error.reason
            outcome = Outcome(FileResult(path: path, status: .failed, error: reason))
            outcome.diskFull = error.kind == .noSpace
        } catch {
            outcome = Outcome(FileResult(path: path, status: .failed, error: "\(error)"))
            outcome.diskFull = (error as? any PhotodeskError)?.kind == .noSpace
            outcome.fullPlace = (error as? any PhotodeskError)?.fullPlace
        }
        if first { await registry.finish(sha) }
        return outcome
    }

    private func ingest(
        path: String, stat: FileStat, sha: String, previous: FileLocation?, stale: StaleRenditions,
        credentials: ContentCredentials?
    )
        async throws -> Outcome
    {
        let location = FileLocation(
            path: path, sha256: sha, size: stat.size, modifiedAt: stat.modifiedAt, inode: stat.inode)
        let shortId = String(sha.prefix(16))
        if try await desk.photo(sha256: sha) != nil {
            var made = 0
            if try await stale.contains(sha) {
                made = try await remakeStaleRenditions(sha: sha, from: path)
            }
            try await desk.touch(location)
            let sameFile = previous?.sha256 == sha
            let status: FileResult.Status = made > 0 ? .ingested : (sameFile ? .unchanged : .duplicate)
            return Outcome(FileResult(path: path, status: status, id: shortId), renditionsMade: made)
        }
        var (entry, warnings) = try await Blocking.run {
            var decoded = try self.decode(path: path, stat: stat, sha: sha, location: location)
            // The original's Content Credentials, verified from its bytes as they are.
            if let credentials, let format = ImageFormat(rawValue: decoded.0.photo.format) {
                decoded.0.provenance = credentials.read(path: path, format: format)
            }
            return decoded
        }
        entry.previousSha256 = previous.flatMap { $0.sha256 == sha ? nil : $0.sha256 }
        do {
            try await options.uploader?.upload(entry.renditions, from: library)
            try await desk.record([entry])
        } catch {
            // Nothing half-made: the renditions of a photo the catalog did not take go, unless
            // another worker recorded the same photo meanwhile (the names are the content's).
            if (try? await desk.photo(sha256: sha)) == nil {
                for rendition in entry.renditions { unlink(library.absolute(rendition.path)) }
            }
            throw error
        }
        CrashPoint.committed()
        return Outcome(
            FileResult(path: path, status: .ingested, id: shortId, warnings: warnings.isEmpty ? nil : warnings),
            renditionsMade: entry.renditions.count)
    }

    /// The blocking part of a new photo: header, metadata and renditions from one decode.
    private func decode(path: String, stat: FileStat, sha: String, location: FileLocation) throws -> (
        IngestedFile, [String]
    ) {
        let header = try ImageHeader.read(path: path)
        guard header.pixels <= pipeline.limits.maxPixels else {
            throw ImagingError(
                .tooLarge,
                "\(header.storedWidth)x\(header.storedHeight) pixels is over the \(Self.megapixels(pipeline.limits.maxPixels)) MP limit (set limits.maxPixels in the pipeline to allow it)",
                path: path)
        }
        let sources = Set(pipeline.metadata)
        var sideWarnings: [String] = []
        let sidecar = sources.contains(.sidecar) ? MetadataReader.sidecar(for: path, warnings: &sideWarnings) : nil
        var metadata = MetadataReader.read(
            exif: sources.contains(.exif) ? header.exif : nil, iptc: sources.contains(.iptc) ? header.iptc : nil,
            xmp: sources.contains(.xmp) ? header.xmp : nil,
            xmpExtension: sources.contains(.xmp) ? header.xmpExtension : nil,
            sidecar: sidecar)
        var captionSource = sidecar == nil ? "embedded" : "sidecar"
        if sources.contains(.sidecar), let text = Self.captionText(for: path, warnings: &sideWarnings) {
            metadata.fields.caption = text
            captionSource = "sidecar"
        }
        metadata.sources.warnings = sideWarnings + metadata.sources.warnings
        for warning in metadata.sources.warnings {
            Ingester.logger.warning("\(path): \(warning)")
        }
        var look = PhotoLook(sha256: sha, hash: nil)
        let results = try maker.make(
            from: path, specs: pipeline.renditions, embedded: EmbeddedMetadata.renditions(of: metadata.fields).blobs,
            header: header,
            destination: { spec in
                library.absolute(
                    Library.renditionPath(sha256: sha, preset: spec.name, fileExtension: spec.format.fileExtension))
            }, hashed: { look.hash = $0 })
        let photo = Photo(
            sha256: sha, format: header.format.rawValue, bytes: Int(stat.size), width: header.width,
            height: header.height, orientation: metadata.orientation, takenAt: metadata.takenAt,
            camera: metadata.camera, exposure: metadata.exposure, gps: metadata.gps,
            sources: Self.json(metadata.sources))
        var file = IngestedFile(
            photo: photo, location: location, captions: metadata.fields, captionSource: captionSource,
            renditions: results.map { record(sha: sha, $0) }, author: options.author)
        file.look = pipeline.renditions.isEmpty ? nil : look
        return (file, metadata.sources.warnings)
    }

    /// Re-makes the presets whose settings changed since the asset's renditions were made.
    private func remakeStaleRenditions(sha: String, from path: String) async throws -> Int {
        let existing = Dictionary(
            try await desk.renditions(of: sha).map { ($0.preset, $0.fingerprint) },
            uniquingKeysWith: { first, _ in first })
        let specs = pipeline.renditions.filter { existing[$0.name] != $0.fingerprint }
        let credits = try await credits(of: sha)
        let results = try await Blocking.run {
            try maker.make(from: path, specs: specs, embedded: credits) { spec in
                library.absolute(
                    Library.renditionPath(sha256: sha, preset: spec.name, fileExtension: spec.format.fileExtension))
            }
        }
        let renditions = results.map { record(sha: sha, $0) }
        try await options.uploader?.upload(renditions, from: library)
        try await desk.saveRenditions(renditions, of: sha)
        return results.count
    }

    /// The metadata renditions of a photo carry: from its current caption fields.
    func credits(of sha: String) async throws -> [String: Data] {
        EmbeddedMetadata.renditions(of: try await desk.caption(of: sha).fields).blobs
    }

    func record(sha: String, _ result: RenditionResult) -> Rendition {
        Rendition(
            sha256: sha, preset: result.spec.name, format: result.spec.format.rawValue, width: result.width,
            height: result.height, bytes: result.bytes,
            path: Library.renditionPath(
                sha256: sha, preset: result.spec.name, fileExtension: result.spec.format.fileExtension),
            fingerprint: result.spec.fingerprint)
    }

    /// The most bytes a caption sidecar may have.
    static let captionLimit = 64 * 1024

    /// A caption sidecar `NAME.txt` beside the photo, as photographers hand them in: read only
    /// when it is a regular file in the photo's own folder, up to `captionLimit` bytes; one that
    /// is refused is skipped with a warning naming it.
    static func captionText(for path: String, warnings: inout [String]) -> String? {
        let candidate = (path as NSString).deletingPathExtension + ".txt"
        let folder = (path as NSString).deletingLastPathComponent
        do throws(SafeFile.Refusal) {
            guard let data = try SafeFile.readIfPresent(path: candidate, maxBytes: captionLimit, within: folder)
            else { return nil }
            return TextDecoding.nonBlank(TextDecoding.decodeUnlabelled([UInt8](data)))
        } catch {
            warnings.append(MetadataReader.sidecarWarning(error))
            return nil
        }
    }

    static func megapixels(_ pixels: Int) -> String {
        pixels % 1_000_000 == 0 ? "\(pixels / 1_000_000)" : String(format: "%.1f", Double(pixels) / 1_000_000)
    }

    static func json<T: Encodable>(_ value: T) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Assets being processed in this run: a second file with the same bytes waits for the first,
/// so each asset is processed once.
actor InFlightAssets {
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// True when the caller is the first with this hash; otherwise waits until the first is done.
    func claim(_ sha: String) async -> Bool {
        guard waiting[sha] != nil else {
            waiting[sha] = []
            return true
        }
        await withCheckedContinuation { continuation in waiting[sha, default: []].append(continuation) }
        return false
    }

    /// Releases the files waiting on this hash.
    func finish(_ sha: String) {
        for continuation in waiting.removeValue(forKey: sha) ?? [] { continuation.resume() }
    }
}
