import Foundation
import NIOCore

/// A bounded cache on local disk of objects read from a bucket: a gallery node serving from
/// object storage keeps the renditions it was asked for here (its memory cache in front), and
/// reads the bucket only for those it has not got. Keys are immutable (content-addressed), so a
/// file once here is never stale. When the files pass `maxBytes`, the least recently used go;
/// one download per key at a time, however many ask at once; a download lands under a temporary
/// name and is renamed into place, so a reader never sees half a file.
public actor ObjectCache {
    public nonisolated let client: S3Client
    public nonisolated let folder: String
    public nonisolated let maxBytes: Int64
    /// Objects larger than this are not cached (nor served through the cache).
    public nonisolated let maxObjectBytes: Int

    private var entries: [String: (size: Int64, used: UInt64)] = [:]
    private var total: Int64 = 0
    private var clock: UInt64 = 0
    private var loading: [String: Task<String?, any Error>] = [:]
    private var scanned = false
    /// Reads from the bucket, for /metrics and the tests.
    public private(set) var fetched = 0

    public init(client: S3Client, folder: String, maxBytes: Int64, maxObjectBytes: Int = 64 << 20) {
        self.client = client
        self.folder = folder
        self.maxBytes = max(1 << 20, maxBytes)
        self.maxObjectBytes = maxObjectBytes
    }

    /// The local path of the object `key`, read from the bucket when not here; nil when the
    /// bucket has no such object.
    public func file(for key: String) async throws -> String? {
        if !scanned { scan() }
        clock += 1
        let path = folder + "/" + key
        if var entry = entries[key] {
            if FileManager.default.fileExists(atPath: path) {
                entry.used = clock
                entries[key] = entry
                return path
            }
            total -= entry.size
            entries[key] = nil
        }
        if let running = loading[key] { return try await running.value }
        let task = Task { try await self.download(key, to: path) }
        loading[key] = task
        defer { loading[key] = nil }
        guard let done = try await task.value else { return nil }
        let size = ((try? FileManager.default.attributesOfItem(atPath: done))?[.size] as? NSNumber)?.int64Value ?? 0
        entries[key] = (size, clock)
        total += size
        evict(keeping: key)
        return done
    }

    /// The bytes on disk now and the number of files.
    public var usage: (bytes: Int64, files: Int) { (total, entries.count) }

    private func download(_ key: String, to path: String) async throws -> String? {
        let bytes: ByteBuffer
        do {
            fetched += 1
            bytes = try await client.get(key, limit: maxObjectBytes)
        } catch let error as S3Error where error.cause == .notFound {
            return nil
        }
        let folderPath = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folderPath, withIntermediateDirectories: true)
        let temporary = folderPath + "/.partial-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes.readableBytesView)) else {
            throw S3Error(.refused, "the cache folder \(folder) cannot be written: \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw S3Error(.refused, "the cache folder \(folder) cannot be written: \(reason)")
        }
        return path
    }

    /// Drops the least recently used files until the cache fits (never the one just added).
    private func evict(keeping kept: String) {
        guard total > maxBytes else { return }
        for (key, entry) in entries.sorted(by: { $0.value.used < $1.value.used }) where total > maxBytes {
            guard key != kept, loading[key] == nil else { continue }
            try? FileManager.default.removeItem(atPath: folder + "/" + key)
            entries[key] = nil
            total -= entry.size
        }
    }

    /// What an earlier run left in the folder, oldest first (by modification time); partial
    /// downloads are removed.
    private func scan() {
        scanned = true
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return }
        var found: [(String, Int64, Date)] = []
        while let relative = walker.nextObject() as? String {
            let path = folder + "/" + relative
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            if (relative as NSString).lastPathComponent.hasPrefix(".partial-") {
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            found.append(
                (
                    relative, (attributes[.size] as? NSNumber)?.int64Value ?? 0,
                    attributes[.modificationDate] as? Date ?? .distantPast
                ))
        }
        for (key, size, _) in found.sorted(by: { $0.2 < $1.2 }) {
            clock += 1
            entries[key] = (size, clock)
            total += size
        }
        if let newest = found.max(by: { $0.2 < $1.2 }) { evict(keeping: newest.0) }
    }
}
