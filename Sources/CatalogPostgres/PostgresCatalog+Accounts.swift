import Catalog
import Foundation
import PostgresNIO

extension PostgresCatalog {
    static let accountColumns = "account.name, account.role, account.password_hash, account.created_at"

    public func addAccount(_ account: Account) async throws {
        try await write { connection in
            let added = try await connection.value(
                """
                INSERT INTO account (name, role, password_hash, created_at)
                VALUES (\(account.name), \(account.role.rawValue), \(account.passwordHash), \(account.createdAt.instant))
                ON CONFLICT (name) DO NOTHING RETURNING 1
                """, as: Int.self, logger: logger)
            guard added != nil else { throw CatalogError(.exists, "a user named \(account.name) already exists") }
        }
    }

    public func updateAccount(_ account: Account, endSessions: Bool) async throws {
        try await write { connection in
            guard
                try await connection.value(
                    """
                    UPDATE account SET role = \(account.role.rawValue), password_hash = \(account.passwordHash)
                    WHERE name = \(account.name) RETURNING 1
                    """, as: Int.self, logger: logger) != nil
            else { throw CatalogError(.notFound, "no user named \(account.name)") }
            if endSessions {
                try await connection.run("DELETE FROM session WHERE name = \(account.name)", logger: logger)
            }
        }
    }

    public func account(named name: String) async throws -> Account? {
        try await read { connection in
            try await connection.rows(
                "SELECT \(unescaped: Self.accountColumns) FROM account WHERE name = \(name)", logger: logger
            ).first.map(PostgresRows.account)
        }
    }

    public func accounts() async throws -> [Account] {
        try await read { connection in
            try await connection.rows(
                "SELECT \(unescaped: Self.accountColumns) FROM account ORDER BY name", logger: logger
            ).map(PostgresRows.account)
        }
    }

    public func removeAccount(named name: String) async throws -> Bool {
        try await write { connection in
            try await connection.value(
                "DELETE FROM account WHERE name = \(name) RETURNING 1", as: Int.self, logger: logger) != nil
        }
    }

    public func saveSession(_ session: Session) async throws {
        try await write(counted: false) { connection in
            try await connection.run("DELETE FROM session WHERE expires_at < \(Date().instant)", logger: logger)
            try await connection.run(
                """
                INSERT INTO session (token_hash, name, csrf, created_at, expires_at, last_desk_visit)
                VALUES (\(session.tokenHash), \(session.name), \(session.csrf), \(session.createdAt.instant),
                  \(session.expiresAt.instant), \(session.lastDeskVisit.instant))
                """, logger: logger)
        }
    }

    public func session(tokenHash: String, now: Date) async throws -> (Session, Account)? {
        try await read { connection -> (Session, Account)? in
            guard
                let row = try await connection.rows(
                    """
                    SELECT session.token_hash, session.csrf, session.created_at AS session_created, session.expires_at,
                           session.last_desk_visit, \(unescaped: Self.accountColumns)
                    FROM session JOIN account ON account.name = session.name
                    WHERE session.token_hash = \(tokenHash) AND session.expires_at > \(now.instant)
                    """, logger: logger
                ).first
            else { return nil }
            let account = try PostgresRows.account(row)
            return (
                Session(
                    tokenHash: try row["token_hash"].decode(String.self), name: account.name,
                    csrf: try row["csrf"].decode(String.self),
                    createdAt: try row["session_created"].decode(Instant.self).date,
                    expiresAt: try row["expires_at"].decode(Instant.self).date,
                    lastDeskVisit: try row["last_desk_visit"].decode(Instant?.self)?.date), account
            )
        }
    }

    public func markDeskVisit(tokenHash: String, at date: Date) async throws {
        try await write(counted: false) { connection in
            try await connection.run(
                "UPDATE session SET last_desk_visit = \(date.instant) WHERE token_hash = \(tokenHash)", logger: logger)
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await write(counted: false) { connection in
            try await connection.run("DELETE FROM session WHERE token_hash = \(tokenHash)", logger: logger)
        }
    }

    public func saveToken(_ token: APIToken) async throws {
        try await write(counted: false) { connection in
            try await connection.run(
                """
                INSERT INTO api_token (id, token_hash, name, label, created_at, expires_at)
                VALUES (\(token.id), \(token.tokenHash), \(token.name), \(token.label), \(token.createdAt.instant),
                  \(token.expiresAt.instant))
                """, logger: logger)
        }
    }

    public func token(hash: String, now: Date) async throws -> (APIToken, Account)? {
        try await read { connection -> (APIToken, Account)? in
            guard
                let row = try await connection.rows(
                    """
                    SELECT api_token.id, api_token.token_hash, api_token.label, api_token.created_at AS token_created,
                           api_token.expires_at, \(unescaped: Self.accountColumns)
                    FROM api_token JOIN account ON account.name = api_token.name
                    WHERE api_token.token_hash = \(hash) AND api_token.expires_at > \(now.instant)
                    """, logger: logger
                ).first
            else { return nil }
            let account = try PostgresRows.account(row)
            return (
                APIToken(
                    id: try row["id"].decode(String.self), tokenHash: try row["token_hash"].decode(String.self),
                    name: account.name, label: try row["label"].decode(String.self),
                    createdAt: try row["token_created"].decode(Instant.self).date,
                    expiresAt: try row["expires_at"].decode(Instant.self).date), account
            )
        }
    }

    public func tokens(of name: String) async throws -> [APIToken] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT id, token_hash, name, label, created_at, expires_at FROM api_token WHERE name = \(name)
                ORDER BY created_at, id
                """, logger: logger
            ).map {
                APIToken(
                    id: try $0["id"].decode(String.self), tokenHash: try $0["token_hash"].decode(String.self),
                    name: try $0["name"].decode(String.self), label: try $0["label"].decode(String.self),
                    createdAt: try $0["created_at"].decode(Instant.self).date,
                    expiresAt: try $0["expires_at"].decode(Instant.self).date)
            }
        }
    }

    public func revokeToken(id: String) async throws -> Bool {
        try await write(counted: false) { connection in
            try await connection.value(
                "DELETE FROM api_token WHERE id = \(id) RETURNING 1", as: Int.self, logger: logger)
                != nil
        }
    }

    public func chargeLoginAttempt(keys: [String], policy: ThrottlePolicy, now: Date) async throws -> TimeInterval {
        let sorted = Set(keys).sorted()
        guard !sorted.isEmpty else { return 0 }
        return try await write(counted: false) { connection in
            // One advisory lock per key, taken in order, makes check-then-count atomic across
            // every node, for keys that may have no row yet to lock.
            try await connection.run(
                """
                SELECT count(pg_advisory_xact_lock(hashtextextended(key, 0)))
                FROM (SELECT unnest(\(sorted)::text[]) AS key ORDER BY 1) ordered
                """, logger: logger)
            var counts: [String: Int] = Dictionary(uniqueKeysWithValues: sorted.map { ($0, 0) })
            var wait: TimeInterval = 0
            for row in try await connection.rows(
                "SELECT key, count, last_at FROM login_attempt WHERE key = ANY(\(sorted))", logger: logger)
            {
                let last = try row["last_at"].decode(Instant.self).date
                guard now.timeIntervalSince(last) <= policy.window else { continue }
                let count = try row["count"].decode(Int.self)
                counts[try row["key"].decode(String.self)] = count
                wait = max(wait, policy.wait(count: count, last: last, now: now))
            }
            guard wait == 0 else { return wait }
            let names = counts.keys.sorted()
            try await connection.run(
                """
                INSERT INTO login_attempt (key, count, last_at)
                SELECT key, count, \(now.instant) FROM unnest(\(names)::text[], \(names.map { counts[$0, default: 0] + 1 })::int[])
                  AS attempt(key, count)
                ON CONFLICT (key) DO UPDATE SET count = excluded.count, last_at = excluded.last_at
                """, logger: logger)
            // Old entries go, so the table stays small whatever strangers try (rows another
            // attempt holds are left for the next one).
            try await connection.run(
                """
                DELETE FROM login_attempt WHERE key IN (
                  SELECT key FROM login_attempt WHERE last_at < \(now.addingTimeInterval(-policy.window).instant)
                  FOR UPDATE SKIP LOCKED)
                """, logger: logger)
            return 0
        }
    }

    public func clearLoginAttempts(keys: [String]) async throws {
        try await write(counted: false) { connection in
            try await connection.run("DELETE FROM login_attempt WHERE key = ANY(\(Array(Set(keys))))", logger: logger)
        }
    }
}
