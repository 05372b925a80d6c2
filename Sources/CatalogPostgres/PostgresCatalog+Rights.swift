import Catalog
import Foundation
import Logging
import PostgresNIO

extension PostgresCatalog {
    public func rights(of sha256: String) async throws -> PhotoRights? {
        try await read { connection in
            guard
                let row = try await connection.rows(
                    """
                    SELECT rights_category, rights_cost, restricted, killed, usable_from, usable_until, rights_version
                    FROM asset WHERE sha256 = \(sha256)
                    """, logger: logger
                ).first
            else { return nil }
            let state = PhotoRightsState(
                category: try row["rights_category"].decode(String.self),
                cost: try row["rights_cost"].decode(String.self),
                restricted: try row["restricted"].decode(Bool.self), killed: try row["killed"].decode(Bool.self),
                usableFrom: try row["usable_from"].decode(Instant?.self)?.date,
                usableUntil: try row["usable_until"].decode(Instant?.self)?.date,
                version: try row["rights_version"].decode(Int.self))
            let leases = try await connection.rows(
                """
                SELECT id, sha256, allow, starts_at, ends_at, article, note, by_name, created_at, revoked_at,
                  revoked_by, revoke_note
                FROM lease WHERE sha256 = \(sha256) ORDER BY id
                """, logger: logger
            ).map(Self.lease)
            let events = try await connection.rows(
                """
                SELECT sha256, action, at, by_name, reason, lease_id, article
                FROM rights_event WHERE sha256 = \(sha256) ORDER BY id
                """, logger: logger
            ).map {
                RightsEvent(
                    sha256: try $0["sha256"].decode(String.self),
                    action: RightsEvent.Action(rawValue: try $0["action"].decode(String.self)) ?? .lease,
                    at: try $0["at"].decode(Instant.self).date, by: try $0["by_name"].decode(String.self),
                    reason: try $0["reason"].decode(String.self), leaseId: try $0["lease_id"].decode(Int64?.self),
                    article: try $0["article"].decode(String?.self))
            }
            return PhotoRights(state: state, leases: leases, events: events)
        }
    }

    static func lease(_ row: PostgresRandomAccessRow) throws -> Lease {
        Lease(
            id: try row["id"].decode(Int64.self), sha256: try row["sha256"].decode(String.self),
            allow: try row["allow"].decode(Bool.self), from: try row["starts_at"].decode(Instant?.self)?.date,
            until: try row["ends_at"].decode(Instant?.self)?.date, article: try row["article"].decode(String?.self),
            note: try row["note"].decode(String.self), by: try row["by_name"].decode(String.self),
            createdAt: try row["created_at"].decode(Instant.self).date,
            revokedAt: try row["revoked_at"].decode(Instant?.self)?.date,
            revokedBy: try row["revoked_by"].decode(String?.self),
            revokeNote: try row["revoke_note"].decode(String?.self))
    }

    @discardableResult
    public func commitRights(
        _ sha256: String, change: RightsChange?, state: PhotoRightsState, expectingVersion: Int
    ) async throws -> PhotoRightsState {
        try await write { connection in
            // The photo's row lock orders concurrent changes of its rights: each reads the version
            // the one before it wrote.
            guard
                let stored = try await connection.value(
                    "SELECT rights_version FROM asset WHERE sha256 = \(sha256) FOR NO KEY UPDATE", as: Int.self,
                    logger: logger)
            else { throw CatalogError(.notFound, "no photo \(sha256.prefix(16))") }
            guard stored == expectingVersion else {
                throw CatalogError(
                    .conflict, "the rights of \(sha256.prefix(16)) are at version \(stored), not \(expectingVersion)")
            }
            var leaseId: Int64?
            switch change {
            case .addLease(let lease)?:
                leaseId = try await insert(connection, lease, sha256: sha256)
            case .revokeLease(let id, let by, let at, let note)?:
                let revoked = try await connection.value(
                    """
                    UPDATE lease SET revoked_at = \(at.instant), revoked_by = \(by), revoke_note = \(note)
                    WHERE id = \(id) AND sha256 = \(sha256) AND revoked_at IS NULL
                    RETURNING id
                    """, as: Int64.self, logger: logger)
                guard revoked != nil else {
                    throw CatalogError(.notFound, "photo \(sha256.prefix(16)) has no standing lease \(id)")
                }
            case .kill?, .note?, nil: break
            }
            if let event = change?.event(sha256: sha256, leaseId: leaseId) { try await insert(connection, event) }
            var saved = state
            saved.version = expectingVersion + 1
            try await save(connection, saved, sha256: sha256)
            return saved
        }
    }

    public func importRights(_ sha256: String, _ rights: PhotoRights) async throws {
        try await write { connection in
            var numbers: [Int64: Int64] = [:]
            for lease in rights.leases {
                let number = try await insert(connection, lease, sha256: sha256)
                if let old = lease.id, let number { numbers[old] = number }
            }
            for var event in rights.events {
                event.sha256 = sha256
                event.leaseId = event.leaseId.flatMap { numbers[$0] }
                try await insert(connection, event)
            }
            try await save(connection, rights.state, sha256: sha256)
        }
    }

    /// Adds a lease (revoked or not); its number.
    func insert(_ connection: PostgresConnection, _ lease: Lease, sha256: String) async throws -> Int64? {
        try await connection.value(
            """
            INSERT INTO lease (sha256, allow, starts_at, ends_at, article, note, by_name, created_at, revoked_at,
              revoked_by, revoke_note)
            VALUES (\(sha256), \(lease.allow), \(lease.from.instant), \(lease.until.instant), \(lease.article),
              \(lease.note), \(lease.by), \(lease.createdAt.instant), \(lease.revokedAt.instant), \(lease.revokedBy),
              \(lease.revokeNote))
            RETURNING id
            """, as: Int64.self, logger: logger)
    }

    /// Adds an entry of a photo's rights history.
    func insert(_ connection: PostgresConnection, _ event: RightsEvent) async throws {
        try await connection.run(
            """
            INSERT INTO rights_event (sha256, action, at, by_name, reason, lease_id, article)
            VALUES (\(event.sha256), \(event.action.rawValue), \(event.at.instant), \(event.by), \(event.reason),
              \(event.leaseId), \(event.article))
            """, logger: logger)
    }

    /// Writes a photo's derived rights and folds them into its visibility.
    func save(_ connection: PostgresConnection, _ state: PhotoRightsState, sha256: String) async throws {
        let updated = try await connection.value(
            """
            UPDATE asset SET rights_category = \(state.category), rights_cost = \(state.cost),
              restricted = \(state.restricted), killed = \(state.killed), usable_from = \(state.usableFrom.instant),
              usable_until = \(state.usableUntil.instant), rights_version = \(state.version)
            WHERE sha256 = \(sha256)
            RETURNING 1
            """, as: Int.self, logger: logger)
        guard updated != nil else { throw CatalogError(.notFound, "no photo \(sha256.prefix(16))") }
        try await PostgresRows.refreshPublicFrom(connection, [sha256], logger: logger)
    }

    public func kills() async throws -> [KillRecord] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT asset.sha256, event.at, event.by_name, event.reason FROM asset
                JOIN LATERAL (SELECT at, by_name, reason FROM rights_event
                  WHERE rights_event.sha256 = asset.sha256 AND action = 'kill' ORDER BY id DESC LIMIT 1) event ON true
                WHERE asset.killed ORDER BY event.at DESC
                """, logger: logger
            ).map {
                KillRecord(
                    sha256: try $0["sha256"].decode(String.self), at: try $0["at"].decode(Instant.self).date,
                    by: try $0["by_name"].decode(String.self), reason: try $0["reason"].decode(String.self))
            }
        }
    }

    public func photoHashes(after sha256: String?, limit: Int) async throws -> [String] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT sha256 FROM asset WHERE sha256 > \(sha256 ?? "") ORDER BY sha256
                LIMIT \(max(1, min(limit, 10_000)))
                """, logger: logger
            ).map { try $0["sha256"].decode(String.self) }
        }
    }

    public func setting(_ name: String) async throws -> StoredSetting? {
        try await read { connection in
            try await connection.rows(
                "SELECT value, by_name, at, version FROM setting WHERE name = \(name)", logger: logger
            ).first.map {
                StoredSetting(
                    value: try $0["value"].decode(String.self), by: try $0["by_name"].decode(String.self),
                    at: try $0["at"].decode(Instant.self).date, version: try $0["version"].decode(Int.self))
            }
        }
    }

    public func saveSetting(_ name: String, value: String, by: String, at: Date) async throws {
        try await write { connection in
            try await connection.run(
                """
                INSERT INTO setting (name, value, by_name, at, version) VALUES (\(name), \(value), \(by), \(at.instant), 1)
                ON CONFLICT (name) DO UPDATE SET value = excluded.value, by_name = excluded.by_name, at = excluded.at,
                  version = setting.version + 1
                """, logger: logger)
        }
    }
}
