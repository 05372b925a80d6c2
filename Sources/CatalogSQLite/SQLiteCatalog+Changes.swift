import Catalog
import Foundation
import GRDBSQLite

extension SQLiteCatalog {
    /// The change counter, read through the connection kept for the change signal: `PRAGMA
    /// data_version` tells whether any other connection committed since its last reading, and
    /// only then is the counter read again. No wait for the pool's threads.
    public func currentVersion() -> VersionReading {
        guard let counter = commits.counter() else { return .unreadable }
        return .current(CatalogVersion(counter))
    }

    public func changeCounter() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT changes FROM catalogState WHERE id = 1") ?? 0 }
    }

    /// The counter each time it moves, read by asking SQLite's data version every `pollInterval`
    /// (a question answered from shared memory, costing microseconds) on a task that ends with
    /// the stream.
    public func changes() -> AsyncStream<CatalogVersion> {
        let commits = self.commits
        let interval = changePollInterval
        return AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let task = Task {
                var last: Int64?
                while !Task.isCancelled {
                    if let counter = commits.counter(), counter != last {
                        last = counter
                        continuation.yield(CatalogVersion(counter))
                    }
                    do { try await Task.sleep(for: interval) } catch { break }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A connection of its own to the catalog, kept to tell commits: SQLite's documented `PRAGMA
/// data_version` changes on a connection whenever another connection (of this process or
/// another) commits, so the change counter is read again only after a commit. Every call is
/// a statement or two on this connection under a lock: no thread switch, no pool.
///
/// Asking `data_version` starts a read transaction, whose shared-memory locks are system calls:
/// on the thumbnail row of `make bench` that cost a fifth of the requests a second (the rendition
/// fast path asks for every answer). So the write-ahead log's index header is read first, one
/// `pread` (`WALIndexMark`): while it is the one read before the last answer, no commit happened
/// in between and the answer stands; only when it moved (or cannot be read) is `data_version`
/// asked. The documented mechanism decides; the header only says when it need not be asked.
/// `PHOTODESK_WAL_INDEX=off` leaves the header unread (every answer asks `data_version`): for a
/// SQLite whose WAL-index differs, and for the bench row that prices the shortcut.
final class CommitWatch: @unchecked Sendable {
    // @unchecked: the connection, its statements and the last readings are only touched with
    // `lock` held; the connection is opened without SQLite's own mutex and used by no one else.
    private let lock = NSLock()
    private let path: String
    /// Nil when the shortcut is off.
    private let walIndex: WALIndexMark?
    /// The header read before `lastCounter` was established.
    private var markAtCounter: WALIndexMark.Mark?
    private var connection: OpaquePointer?
    private var dataVersionStatement: OpaquePointer?
    private var counterStatement: OpaquePointer?
    private var dataVersion: Int64 = -1
    private var lastCounter: Int64 = -1

    init(path: String, readingWALIndex: Bool = ProcessInfo.processInfo.environment["PHOTODESK_WAL_INDEX"] != "off") {
        self.path = path
        walIndex = readingWALIndex ? WALIndexMark(catalog: path) : nil
    }

    deinit {
        close()
    }

    /// The change counter now; nil when the catalog cannot be read (then the connection is
    /// opened again at the next call).
    func counter() -> Int64? {
        lock.withLock {
            // Read before the version: a commit after it moves the header, and the next call
            // asks again.
            let mark = walIndex?.read()
            if let mark, mark == markAtCounter, lastCounter >= 0 { return lastCounter }
            guard open(), let version = step(dataVersionStatement) else {
                close()
                return nil
            }
            if version != dataVersion || lastCounter < 0 {
                // The counter is read after the data version: a commit between the two moves the
                // version again, so the next call reads the counter once more.
                guard let counter = step(counterStatement) else {
                    close()
                    return nil
                }
                dataVersion = version
                lastCounter = counter
            }
            markAtCounter = mark
            return lastCounter
        }
    }

    /// Opens the connection and prepares its two statements, once.
    private func open() -> Bool {
        if connection != nil { return true }
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            sqlite3_close_v2(handle)
            return false
        }
        connection = handle
        sqlite3_busy_timeout(handle, 1000)
        guard sqlite3_prepare_v2(handle, "PRAGMA data_version", -1, &dataVersionStatement, nil) == SQLITE_OK,
            sqlite3_prepare_v2(
                handle, "SELECT changes FROM catalogState WHERE id = 1", -1, &counterStatement, nil) == SQLITE_OK
        else {
            close()
            return false
        }
        return true
    }

    /// The first column of the statement's one row.
    private func step(_ statement: OpaquePointer?) -> Int64? {
        guard let statement else { return nil }
        defer { sqlite3_reset(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else { return nil }
        return sqlite3_column_int64(statement, 0)
    }

    private func close() {
        sqlite3_finalize(dataVersionStatement)
        sqlite3_finalize(counterStatement)
        sqlite3_close_v2(connection)
        dataVersionStatement = nil
        counterStatement = nil
        connection = nil
        dataVersion = -1
        lastCounter = -1
        markAtCounter = nil
    }
}

/// The header at the start of the catalog's `-shm` file (SQLite's "WAL-Index Format", the
/// layout of its own unix VFS): every commit rewrites it, its change and frame counts, before any
/// reader can see the commit. Two copies of 48 bytes that SQLite writes one after the other; a
/// read that finds them different caught a commit midway and gives no mark. A `pread` of shared
/// memory already in the page cache: no disk, no lock.
final class WALIndexMark: @unchecked Sendable {
    // @unchecked: `descriptor` is only touched by `CommitWatch` with its lock held.
    /// The change count, the frame and page counts, the checksum and the salts.
    struct Mark: Equatable {
        let words: (UInt64, UInt64, UInt64, UInt64)

        static func == (left: Mark, right: Mark) -> Bool { left.words == right.words }
    }

    private let path: String
    /// The open file, -1 until it could be opened.
    private var descriptor: Int32 = -1

    init(catalog: String) {
        path = catalog + "-shm"
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// The header now; nil when it cannot be read whole.
    func read() -> Mark? {
        if descriptor < 0 {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
        }
        return withUnsafeTemporaryAllocation(byteCount: 96, alignment: 8) { header -> Mark? in
            guard let base = header.baseAddress, pread(descriptor, base, 96, 0) == 96,
                memcmp(base, base + 48, 48) == 0, header[12] == 1
            else { return nil }
            let word = { (index: Int) in header.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) }
            return Mark(words: (word(1), word(2), word(3), word(4)))
        }
    }
}
