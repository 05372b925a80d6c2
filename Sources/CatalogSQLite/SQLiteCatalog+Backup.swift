import Catalog
import Foundation
import GRDB

extension SQLiteCatalog {
    /// How far an online backup has come: pages copied of the catalog's pages.
    public struct BackupProgress: Sendable {
        public var copiedPages: Int
        public var totalPages: Int
    }

    /// Copies the catalog, as one consistent moment, into a new SQLite file at `destination`
    /// with SQLite's online backup API, `pagesPerStep` pages at a time: the copy reads one
    /// snapshot of the WAL while `serve`, `ingest` and workers go on writing (they never wait
    /// for it). The copy is left in rollback-journal mode with nothing beside it, one file that
    /// stands alone. `progress` is told after each step; an error it throws stops the backup.
    public func backup(
        to destination: String, pagesPerStep: Int32 = 256,
        progress: @escaping @Sendable (BackupProgress) throws -> Void = { _ in }
    ) throws {
        do {
            let copy = try DatabaseQueue(path: destination)
            try pool.backup(to: copy, pagesPerStep: max(1, pagesPerStep)) { step in
                try progress(BackupProgress(copiedPages: step.completedPageCount, totalPages: step.totalPageCount))
            }
            try copy.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                let check = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "no answer"
                guard check == "ok" else {
                    throw CatalogError(.database, "the copy does not pass SQLite's check: \(check)")
                }
            }
            try copy.close()
        } catch let error as CatalogError { throw error } catch {
            throw CatalogError(.database, "cannot back up the catalog to \(destination)", cause: "\(error)")
        }
    }

    /// Leaves a catalog file that no one else has open standing alone: whatever its WAL holds
    /// folded into it, in rollback-journal mode, with no file beside it. A backup is sealed
    /// before it is hashed, a restored copy before it takes the catalog's place.
    public static func seal(path: String) throws {
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
                guard mode == "delete" else {
                    throw CatalogError(
                        .inUse, "the catalog \(path) is open elsewhere (journal mode stays \(mode ?? "unknown"))")
                }
            }
            try queue.close()
        } catch let error as CatalogError { throw error } catch {
            throw CatalogError(.database, "cannot seal the catalog copy \(path)", cause: "\(error)")
        }
    }

    /// Closes the catalog's connections (the last one folds the WAL into the file and removes
    /// it). Nothing may use the catalog afterwards.
    public func close() throws {
        do { try pool.close() } catch {
            throw CatalogError(.database, "cannot close the catalog \(path)", cause: "\(error)")
        }
    }
}
