import Catalog
import Desk
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import PhotoModel

/// What became of one uploaded file: the answer's `files` entries and the page's list.
struct UploadResult: Encodable, Sendable, Equatable {
    /// The file's name as the client gave it (its last path component, sanitised).
    var name: String
    /// `ingested`, `duplicate` (the library already had these bytes) or `failed`.
    var status: UploadIngestOutcome.Status
    /// The photo's short id, unless the file failed.
    var id: String?
    /// Why the file was refused; only when it failed.
    var error: String?
    /// The address of the photo's smallest rendition, when it has one.
    var thumb: String?

    static func failed(_ name: String, _ reason: String) -> UploadResult {
        UploadResult(name: name, status: .failed, error: reason)
    }

    /// The file failed for want of room on the library's disk.
    var failedForRoom: Bool { status == .failed && error.map(WriteFailure.saysFull) == true }

    /// Whether a request's files all failed, at least one for want of room: the answer is then
    /// 507 Insufficient Storage, not a 200 listing failures.
    static func noRoom(_ results: [UploadResult]) -> Bool {
        !results.isEmpty && results.allSatisfy { $0.status == .failed } && results.contains(where: \.failedForRoom)
    }
}

/// Takes uploads: streams each file of a request's body to the library as it arrives (a
/// `multipart/form-data` body of files, or one file as the raw body), then moves the files into
/// `originals/` by content and has them ingested, answering one result per file.
struct UploadReceiver: Sendable {
    /// A file of a request, received whole or refused on the way.
    enum Received: Sendable {
        case file(IncomingFile)
        case refused(name: String, reason: String)

        var incoming: IncomingFile? {
            if case .file(let file) = self { return file }
            return nil
        }
    }

    let desk: Desk
    let ingesting: any UploadIngesting
    let gate: UploadGate
    var limits = MultipartParser.Limits()
    /// The most bytes of one plain form field (the CSRF token) kept.
    static let maxFieldBytes = 4 << 10

    var library: Library { desk.library }
    /// Where temporary files are written and originals kept.
    var folder: String { library.root + "/originals" }
    var maxBytes: Int { ingesting.maxBytes }

    /// Receives the files of a `multipart/form-data` body. `checkFields` sees the plain fields
    /// sent before the first file (a form's CSRF token) and may refuse the request before any
    /// file is stored; it is called once, at the first file or at the end. A malformed body is a
    /// 400 that names what is wrong, and nothing of it is kept.
    func multipart(
        _ request: Request, boundary: String, checkFields: ([String: String]) throws -> Void = { _ in }
    ) async throws -> [Received] {
        var parser = MultipartParser(boundary: boundary, limits: limits)
        var received: [Received] = []
        var fields: [String: String] = [:]
        var checked = false
        var part = PartInProgress.none
        do {
            for try await chunk in request.body {
                let events: [MultipartEvent]
                do { events = try parser.feed(chunk) } catch { throw Self.malformed(error) }
                for event in events {
                    switch event {
                    case .partStarted(let head):
                        guard let filename = head.filename else {
                            part = .field(name: head.name ?? "", value: ByteBuffer())
                            continue
                        }
                        if !checked {
                            try checkFields(fields)
                            checked = true
                        }
                        if filename.isEmpty {
                            // A file input left empty: it counts only if bytes come.
                            part = .file(name: UploadName.fallback, nil)
                        } else {
                            let file = try await IncomingFile.create(name: filename, in: folder, maxBytes: maxBytes)
                            part = .file(name: filename, file)
                        }
                    case .bytes(let bytes):
                        part = try await take(bytes, into: part, received: &received)
                    case .partEnded:
                        switch part {
                        case .file(_, let file?):
                            do {
                                try await file.complete()
                                received.append(.file(file))
                            } catch let error as UploadFileError {
                                await file.discard()
                                received.append(.refused(name: file.name, reason: error.message))
                            }
                        case .field(let name, let value):
                            if fields[name] == nil { fields[name] = String(buffer: value) }
                        case .file(_, nil), .skipped, .none:
                            break
                        }
                        part = .none
                    }
                }
            }
            do { try parser.finish() } catch { throw Self.malformed(error) }
            if !checked { try checkFields(fields) }
        } catch {
            if case .file(_, let file?) = part { await file.discard() }
            for file in received.compactMap(\.incoming) { await file.discard() }
            throw error
        }
        guard !received.isEmpty else {
            throw GalleryError(
                .invalid, "The body holds no file: send each file as a form-data part with a filename.")
        }
        return received
    }

    /// The part being read.
    private enum PartInProgress {
        case none
        case field(name: String, value: ByteBuffer)
        /// A file, opened at its first bytes when it came without a name.
        case file(name: String, IncomingFile?)
        /// A file refused on the way: the rest of its bytes are read and dropped.
        case skipped
    }

    private func take(_ bytes: ByteBuffer, into part: PartInProgress, received: inout [Received]) async throws
        -> PartInProgress
    {
        switch part {
        case .file(let name, let opened):
            let file: IncomingFile
            if let opened {
                file = opened
            } else {
                file = try await IncomingFile.create(name: name, in: folder, maxBytes: maxBytes)
            }
            do {
                try await file.append(bytes)
                return .file(name: name, file)
            } catch let error as UploadFileError {
                await file.discard()
                received.append(.refused(name: name, reason: error.message))
                return .skipped
            }
        case .field(let name, var value):
            guard value.readableBytes + bytes.readableBytes <= Self.maxFieldBytes else {
                throw GalleryError(
                    .invalid, "The form field \(name.prefix(64)) is over \(Self.maxFieldBytes) bytes.")
            }
            value.writeImmutableBuffer(bytes)
            return .field(name: name, value: value)
        case .skipped, .none:
            return part
        }
    }

    static func malformed(_ error: MultipartError) -> GalleryError {
        GalleryError(.invalid, "The multipart body is malformed: \(error.message).")
    }

    /// Receives one file sent as the raw body. Over the cap (by its `Content-Length`, or as it
    /// arrives) it is a 413 and nothing is kept.
    func raw(_ request: Request, name: String) async throws -> [Received] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBytes {
            throw GalleryError(
                .tooLarge,
                "Refused \(name): \(length) bytes is over the \(maxBytes)-byte limit (set limits.maxBytes in the pipeline to allow it)."
            )
        }
        let file = try await IncomingFile.create(name: name, in: folder, maxBytes: maxBytes)
        do {
            for try await chunk in request.body { try await file.append(chunk) }
            try await file.complete()
        } catch let error as UploadFileError {
            await file.discard()
            guard error.code == .tooLarge else { return [.refused(name: name, reason: error.message)] }
            throw GalleryError(.tooLarge, "Refused \(name): \(error.message).")
        } catch {
            await file.discard()
            throw error
        }
        return [.file(file)]
    }

    /// Places the received files by content and ingests them, one request at a time (the ingest
    /// holds the library's lock, and a file removed after a failed ingest must not be one that
    /// another request is placing). Files that failed are not kept, unless the library had them.
    func ingest(_ received: [Received], uploader: String) async -> [UploadResult] {
        var results = received.map { item -> UploadResult in
            switch item {
            case .file(let file): UploadResult.failed(file.name, "not ingested")
            case .refused(let name, let reason): UploadResult.failed(name, reason)
            }
        }
        var placed: [(index: Int, path: String, created: Bool)] = []
        await gate.enter()
        for (index, item) in received.enumerated() {
            guard case .file(let file) = item else { continue }
            do {
                let spot = try await file.place(in: library)
                placed.append((index, spot.path, spot.created))
            } catch {
                await file.discard()
                results[index].error = (error as? UploadFileError)?.message ?? "\(error)"
            }
        }
        let outcomes = placed.isEmpty ? [] : await ingesting.ingest(paths: placed.map(\.path), uploader: uploader)
        for (position, spot) in placed.enumerated() {
            let outcome =
                position < outcomes.count
                ? outcomes[position] : UploadIngestOutcome(status: .failed, error: "the ingest reported nothing for it")
            if outcome.status == .failed, spot.created {
                let path = spot.path
                _ = try? await NIOThreadPool.singleton.runIfActive {
                    unlink(path)
                    // Its folder too, when nothing else is in it (rmdir refuses otherwise).
                    rmdir((path as NSString).deletingLastPathComponent)
                }
            }
            // An upload never has the same path as before: bytes the library had are a duplicate.
            results[spot.index].status = outcome.status == .unchanged ? .duplicate : outcome.status
            results[spot.index].id = outcome.status == .failed ? nil : outcome.id
            results[spot.index].error = outcome.status == .failed ? outcome.error ?? "the ingest failed" : nil
        }
        await gate.leave()
        for index in results.indices {
            guard let id = results[index].id, let file = received[index].incoming, let sha = file.sha256 else {
                continue
            }
            results[index].thumb = await thumbnail(sha256: sha, id: id)
        }
        return results
    }

    /// The address of a photo's smallest rendition (not a crop).
    func thumbnail(sha256: String, id: String) async -> String? {
        guard let renditions = try? await desk.renditions(of: sha256) else { return nil }
        return
            renditions.filter { !$0.preset.hasPrefix(Crops.prefix) }.min { $0.width * $0.height < $1.width * $1.height }
            .map { RenditionRoutes.url(id: id, $0) }
    }
}

/// One upload's placing and ingest at a time, in the order they asked.
actor UploadGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Waits for the turn.
    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the turn to the next in line.
    func leave() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
