import ArgumentParser
import Catalog
import CatalogSQLite
import Desk
import Foundation

/// `photodesk backup DEST`
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the library's catalog into a backup folder, safely while the desk runs.",
        discussion: """
            The catalog (photos, every caption revision, articles, rights, users) is copied as one
            consistent moment with SQLite's online backup API: serve, ingest and workers go on
            reading and writing meanwhile, and nothing they commit after the copy starts is in it.
            DEST is a new folder; it receives catalog.sqlite and, last, manifest.json (when, from
            which library, the counts, the checksum of every caption revision and of the file).
            A folder without its manifest is an interrupted backup, which `restore` refuses.

            Renditions are not copied: `verify --repair` re-makes them from the originals. Uploaded
            originals (library/originals) are files that never change once written: copy that
            folder beside the backup (rsync, cp -a). A PostgreSQL catalog is backed up with
            pg_dump: docs/OPERATIONS.md gives the commands.

            Examples:
              photodesk backup /backups/photodesk-$(date +%F)
              photodesk restore /backups/photodesk-2026-12-07 --library /srv/photos/library
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: ArgumentHelp("The backup folder to make (new or empty).", valueName: "dest")) var destination:
        String
    @Flag(help: "Print the manifest as JSON.") var json = false
    @Option(help: .hidden) var pagesPerStep: Int32 = 256

    func run() async throws {
        guard libraryOptions.catalogURL == nil else {
            throw CommandError(
                "backup copies a library's SQLite catalog; a PostgreSQL catalog is backed up with pg_dump (docs/OPERATIONS.md)",
                kind: .invalid)
        }
        let library = libraryOptions.resolved
        guard FileManager.default.fileExists(atPath: library.catalogPath) else {
            throw CommandError("no library at \(library.root): nothing to back up (give --library)", kind: .notFound)
        }
        let folder = URL(fileURLWithPath: destination).standardizedFileURL.path
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: folder), !existing.isEmpty {
            throw CommandError("\(folder) is not empty: back up into a new folder", kind: .conflict)
        }
        if folder == library.root || folder.hasPrefix(library.root + "/") {
            throw CommandError(
                "\(folder) is inside the library: back up to another folder, better another disk", kind: .invalid)
        }
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandError("cannot make the backup folder \(folder): \(Self.reason(error))", kind: .unavailable)
        }
        let copyPath = folder + "/" + BackupManifest.catalogFile
        let takenAt = Date()
        let catalog = try SQLiteCatalog(library: library)
        let crashAfter = ProcessInfo.processInfo.environment["PHOTODESK_CRASH_AFTER_BACKUP_STEPS"].flatMap { Int($0) }
        let terminal = isatty(STDERR_FILENO) == 1
        let steps = StepCounter()
        try catalog.backup(to: copyPath, pagesPerStep: pagesPerStep) { progress in
            let done = steps.next()
            if terminal, progress.totalPages > 0 {
                let percent = progress.copiedPages * 100 / progress.totalPages
                FileHandle.standardError.write(
                    Data(
                        "\rbacking up the catalog: \(percent)% (\(progress.copiedPages) of \(progress.totalPages) pages)"
                            .utf8))
            }
            // The crash-safety test's deterministic kill in the middle of a copy.
            if let crashAfter, done >= crashAfter, progress.copiedPages < progress.totalPages {
                kill(getpid(), SIGKILL)
            }
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        try catalog.close()
        // The census of the copy itself, through the same store code a restore uses.
        let copy = try SQLiteCatalog(path: copyPath)
        let census = try await CatalogCensus.take(copy)
        try copy.close()
        try SQLiteCatalog.seal(path: copyPath)
        let size = (try FileManager.default.attributesOfItem(atPath: copyPath)[.size] as? NSNumber)?.int64Value ?? 0
        let manifest = BackupManifest(
            takenAt: takenAt, library: library.root, bytes: size, sha256: try BackupManifest.fileSHA256(copyPath),
            census: census)
        try Self.writeDurably(try manifest.encoded(), to: folder + "/" + BackupManifest.manifestFile, syncing: copyPath)
        if json {
            Output.line(JSONOutput.pretty(manifest))
        } else {
            Output.line(
                "Backed up \(census.photos) photos (\(census.revisions) caption revisions), \(census.articles) articles, \(census.users) users to \(folder)"
            )
            Output.line(
                "catalog.sqlite \(size) bytes, sha256 \(manifest.sha256.prefix(16)); caption revisions checksum \(census.captionChecksum.prefix(16))"
            )
        }
        let originals = library.absolute("originals")
        if let uploaded = FileManager.default.enumerator(atPath: originals)?.allObjects, !uploaded.isEmpty {
            Output.error(
                "note: uploaded originals are files in \(originals), not in the catalog: copy that folder too (rsync -a \(originals) \(folder)/)"
            )
        }
    }

    /// Writes the manifest under a temporary name, flushes it and the catalog copy to the disk,
    /// then renames it into place: the manifest appears only over a complete, durable copy.
    static func writeDurably(_ data: Data, to path: String, syncing other: String) throws {
        let temporary = path + ".tmp"
        flush(other)
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw CommandError("cannot write \(temporary): \(String(cString: strerror(errno)))", kind: .unavailable)
        }
        flush(temporary)
        guard rename(temporary, path) == 0 else {
            throw CommandError("cannot write \(path): \(String(cString: strerror(errno)))", kind: .unavailable)
        }
    }

    /// Asks the disk to hold a file's bytes before going on.
    static func flush(_ path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}

/// Counts backup steps from the progress callback (called on one thread at a time).
final class StepCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int {
        lock.withLock {
            count += 1
            return count
        }
    }
}

/// `photodesk restore BACKUP`
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup's catalog back into a library.",
        discussion: """
            The backup is checked before anything is touched: its manifest must be there (a backup
            that was interrupted has none), the file's size and SHA-256 must match, and the copy's
            counts and caption checksum must be the manifest's. Only then does the restored catalog
            take the library's catalog's place, in one rename.

            A library that already has a catalog is not overwritten without --force; with it, the
            catalog that was there is kept in a catalog-replaced-TIME folder of the library. Stop
            serve, workers and ingests on the library first.

            Afterwards `photodesk verify` lists what changed since the backup (renditions of
            photos ingested later, which are no longer catalogued: ingest their folders again);
            `verify --repair` re-makes the renditions the restored catalog names.

            Examples:
              photodesk restore /backups/photodesk-2026-12-07 --library /srv/photos/library
              photodesk restore /backups/photodesk-2026-12-07 --library /srv/photos/library --force
            """)

    @OptionGroup var libraryOptions: LibraryOptions
    @Argument(help: ArgumentHelp("The backup folder (made by photodesk backup).", valueName: "backup")) var backup:
        String
    @Flag(help: "Replace the library's catalog (it is kept in a catalog-replaced-TIME folder).") var force = false
    @Flag(help: "Print the restored census as JSON.") var json = false

    func run() async throws {
        guard libraryOptions.catalogURL == nil else {
            throw CommandError(
                "restore puts back a library's SQLite catalog; a PostgreSQL catalog is restored with pg_restore (docs/OPERATIONS.md)",
                kind: .invalid)
        }
        let folder = URL(fileURLWithPath: backup).standardizedFileURL.path
        let manifest = try BackupManifest.read(backup: folder)
        let library = libraryOptions.resolved
        let existing = FileManager.default.fileExists(atPath: library.catalogPath)
        if existing && !force {
            throw CommandError(
                "\(library.root) already has a catalog: restoring would replace it; nothing was changed. Give --force to replace it (the current catalog is kept beside it)",
                kind: .conflict)
        }
        let access = libraryOptions.access
        umask(access.umask)
        try library.create(access: access)
        // No ingest or repair may run while the catalog changes under it.
        let lockPath = library.root + "/.ingest.lock"
        let lock = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o660)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            if lock >= 0 { close(lock) }
            throw CommandError(
                "an ingest or repair is running on \(library.root): wait for it to finish; nothing was changed",
                kind: .conflict)
        }
        defer {
            flock(lock, LOCK_UN)
            close(lock)
        }
        // A copy in the library, checked (and migrated when the backup is older) before it takes
        // the catalog's place.
        let staging = library.root + "/.catalog-restore-\(ProcessInfo.processInfo.processIdentifier).sqlite"
        Self.removeDatabase(staging)
        do {
            try FileManager.default.copyItem(atPath: folder + "/" + BackupManifest.catalogFile, toPath: staging)
        } catch {
            Self.removeDatabase(staging)
            throw CommandError(
                "cannot copy the backup into \(library.root): \(BackupCommand.reason(error)); nothing was changed",
                kind: .unavailable)
        }
        let census: CatalogCensus
        do {
            let copy = try SQLiteCatalog(path: staging)
            census = try await CatalogCensus.take(copy)
            try copy.close()
            try SQLiteCatalog.seal(path: staging)
        } catch {
            Self.removeDatabase(staging)
            throw error
        }
        let differences = manifest.census.differences(from: census)
        guard differences.isEmpty else {
            Self.removeDatabase(staging)
            throw CommandError(
                "the backup's catalog does not hold what its manifest says (\(differences.joined(separator: "; "))); nothing was changed",
                kind: .invalid)
        }
        var keptIn: String?
        if existing {
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
            let aside = library.root + "/catalog-replaced-\(stamp)"
            try FileManager.default.createDirectory(atPath: aside, withIntermediateDirectories: true)
            for suffix in ["", "-wal", "-shm"]
            where FileManager.default.fileExists(atPath: library.catalogPath + suffix) {
                guard rename(library.catalogPath + suffix, aside + "/catalog.sqlite" + suffix) == 0 else {
                    throw CommandError(
                        "cannot move the current catalog aside into \(aside): \(String(cString: strerror(errno)))",
                        kind: .unavailable)
                }
            }
            keptIn = aside
        }
        guard rename(staging, library.catalogPath) == 0 else {
            throw CommandError(
                "cannot put the restored catalog in place at \(library.catalogPath): \(String(cString: strerror(errno)))",
                kind: .unavailable)
        }
        Self.removeDatabase(staging)
        library.apply(access)
        if json {
            Output.line(JSONOutput.pretty(census))
            return
        }
        Output.line(
            "Restored \(census.photos) photos (\(census.revisions) caption revisions), \(census.articles) articles, \(census.users) users from the backup of \(ISO8601DateFormatter().string(from: manifest.takenAt)) into \(library.root)"
        )
        Output.line("Counts and caption checksum \(census.captionChecksum.prefix(16)) match the backup's manifest.")
        if let keptIn { Output.line("The catalog it replaced is kept in \(keptIn).") }
        Output.line(
            "Next: photodesk verify --library \(library.root) lists what changed since the backup; --repair re-makes missing renditions."
        )
    }

    /// Removes a SQLite file with its WAL and shared-memory files.
    static func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
    }
}
