import Catalog
import Foundation
import GRDB
import PhotoModel

extension SQLiteCatalog {
    public func rights(of sha256: String) async throws -> PhotoRights? {
        try await read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT rightsCategory, rightsCost, restricted, killed, usableFrom, usableUntil, rightsVersion
                        FROM asset WHERE sha256 = ?
                        """, arguments: [sha256])
            else { return nil }
            let state = PhotoRightsState(
                category: row["rightsCategory"], cost: row["rightsCost"], restricted: row["restricted"],
                killed: row["killed"], usableFrom: row["usableFrom"], usableUntil: row["usableUntil"],
                version: row["rightsVersion"])
            let leases = try Row.fetchAll(
                db, sql: "SELECT * FROM lease WHERE sha256 = ? ORDER BY id", arguments: [sha256]
            ).map(Self.lease)
            let events = try Row.fetchAll(
                db, sql: "SELECT * FROM rightsEvent WHERE sha256 = ? ORDER BY id", arguments: [sha256]
            ).map {
                RightsEvent(
                    sha256: $0["sha256"], action: RightsEvent.Action(rawValue: $0["action"]) ?? .lease, at: $0["at"],
                    by: $0["by"], reason: $0["reason"], leaseId: $0["leaseId"], article: $0["article"])
            }
            return PhotoRights(state: state, leases: leases, events: events)
        }
    }

    static func lease(_ row: Row) -> Lease {
        Lease(
            id: row["id"], sha256: row["sha256"], allow: row["allow"], from: row["startsAt"], until: row["endsAt"],
            article: row["article"], note: row["note"], by: row["by"], createdAt: row["createdAt"],
            revokedAt: row["revokedAt"], revokedBy: row["revokedBy"], revokeNote: row["revokeNote"])
    }

    @discardableResult
    public func commitRights(
        _ sha256: String, change: RightsChange?, state: PhotoRightsState, expectingVersion: Int
    ) async throws -> PhotoRightsState {
        try await write { db in
            guard
                let stored = try Int.fetchOne(
                    db, sql: "SELECT rightsVersion FROM asset WHERE sha256 = ?", arguments: [sha256])
            else { throw CatalogError(.notFound, "no photo \(sha256.prefix(16))") }
            guard stored == expectingVersion else {
                throw CatalogError(
                    .conflict, "the rights of \(sha256.prefix(16)) are at version \(stored), not \(expectingVersion)")
            }
            var leaseId: Int64?
            switch change {
            case .addLease(let lease)?:
                leaseId = try Self.insert(db, lease, sha256: sha256)
            case .revokeLease(let id, let by, let at, let note)?:
                try db.execute(
                    sql: """
                        UPDATE lease SET revokedAt = ?, revokedBy = ?, revokeNote = ?
                        WHERE id = ? AND sha256 = ? AND revokedAt IS NULL
                        """, arguments: [at, by, note, id, sha256])
                guard db.changesCount > 0 else {
                    throw CatalogError(.notFound, "photo \(sha256.prefix(16)) has no standing lease \(id)")
                }
            case .kill?, .note?, nil: break
            }
            if let event = change?.event(sha256: sha256, leaseId: leaseId) { try Self.insert(db, event) }
            var saved = state
            saved.version = expectingVersion + 1
            try Self.save(db, saved, sha256: sha256)
            return saved
        }
    }

    public func importRights(_ sha256: String, _ rights: PhotoRights) async throws {
        try await write { db in
            var numbers: [Int64: Int64] = [:]
            for lease in rights.leases {
                let number = try Self.insert(db, lease, sha256: sha256)
                if let old = lease.id { numbers[old] = number }
            }
            for var event in rights.events {
                event.sha256 = sha256
                event.leaseId = event.leaseId.flatMap { numbers[$0] }
                try Self.insert(db, event)
            }
            try Self.save(db, rights.state, sha256: sha256)
        }
    }

    /// Adds a lease (revoked or not); its number.
    static func insert(_ db: Database, _ lease: Lease, sha256: String) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO lease (sha256, allow, startsAt, endsAt, article, note, by, createdAt, revokedAt, revokedBy,
                  revokeNote)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                sha256, lease.allow, lease.from, lease.until, lease.article, lease.note, lease.by, lease.createdAt,
                lease.revokedAt, lease.revokedBy, lease.revokeNote,
            ])
        return db.lastInsertedRowID
    }

    /// Adds an entry of a photo's rights history.
    static func insert(_ db: Database, _ event: RightsEvent) throws {
        try db.execute(
            sql: """
                INSERT INTO rightsEvent (sha256, action, at, by, reason, leaseId, article)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                event.sha256, event.action.rawValue, event.at, event.by, event.reason, event.leaseId, event.article,
            ])
    }

    /// Writes a photo's derived rights and folds them into its visibility.
    static func save(_ db: Database, _ state: PhotoRightsState, sha256: String) throws {
        try db.execute(
            sql: """
                UPDATE asset SET rightsCategory = ?, rightsCost = ?, restricted = ?, killed = ?, usableFrom = ?,
                  usableUntil = ?, rightsVersion = ?
                WHERE sha256 = ?
                """,
            arguments: [
                state.category, state.cost, state.restricted, state.killed, state.usableFrom, state.usableUntil,
                state.version, sha256,
            ])
        guard db.changesCount > 0 else { throw CatalogError(.notFound, "no photo \(sha256.prefix(16))") }
        try Rows.refreshPublicFrom(db, [sha256])
    }

    public func kills() async throws -> [KillRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT asset.sha256, event.at, event.by, event.reason FROM asset
                    JOIN rightsEvent event ON event.id = (
                      SELECT MAX(id) FROM rightsEvent WHERE sha256 = asset.sha256 AND action = 'kill')
                    WHERE asset.killed ORDER BY event.at DESC, event.id DESC
                    """
            ).map { KillRecord(sha256: $0["sha256"], at: $0["at"], by: $0["by"], reason: $0["reason"]) }
        }
    }

    public func photoHashes(after sha256: String?, limit: Int) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db, sql: "SELECT sha256 FROM asset WHERE sha256 > ? ORDER BY sha256 LIMIT ?",
                arguments: [sha256 ?? "", max(1, min(limit, 10_000))])
        }
    }

    public func setting(_ name: String) async throws -> StoredSetting? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM setting WHERE name = ?", arguments: [name]).map {
                StoredSetting(value: $0["value"], by: $0["by"], at: $0["at"], version: $0["version"])
            }
        }
    }

    public func saveSetting(_ name: String, value: String, by: String, at: Date) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO setting (name, value, by, at, version) VALUES (?, ?, ?, ?, 1)
                    ON CONFLICT (name) DO UPDATE SET value = excluded.value, by = excluded.by, at = excluded.at,
                      version = setting.version + 1
                    """, arguments: [name, value, by, at])
        }
    }
}
