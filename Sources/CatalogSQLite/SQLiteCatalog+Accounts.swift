import Catalog
import Foundation
import GRDB

extension SQLiteCatalog {
    static func account(_ row: Row) -> Account {
        Account(
            name: row["name"], role: Role(rawValue: row["role"]) ?? .editor, passwordHash: row["passwordHash"],
            createdAt: row["createdAt"])
    }

    static func token(_ row: Row) -> APIToken {
        APIToken(
            id: row["id"], tokenHash: row["tokenHash"], name: row["name"], label: row["label"],
            createdAt: row["createdAt"], expiresAt: row["expiresAt"])
    }

    public func addAccount(_ account: Account) async throws {
        try await write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM account WHERE name = ?", arguments: [account.name]) == nil
            else { throw CatalogError(.exists, "a user named \(account.name) already exists") }
            try db.execute(
                sql: "INSERT INTO account (name, role, passwordHash, createdAt) VALUES (?, ?, ?, ?)",
                arguments: [account.name, account.role.rawValue, account.passwordHash, account.createdAt])
        }
    }

    public func updateAccount(_ account: Account, endSessions: Bool) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE account SET role = ?, passwordHash = ? WHERE name = ?",
                arguments: [account.role.rawValue, account.passwordHash, account.name])
            guard db.changesCount > 0 else { throw CatalogError(.notFound, "no user named \(account.name)") }
            if endSessions { try db.execute(sql: "DELETE FROM session WHERE name = ?", arguments: [account.name]) }
        }
    }

    public func account(named name: String) async throws -> Account? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM account WHERE name = ?", arguments: [name]).map(Self.account)
        }
    }

    public func accounts() async throws -> [Account] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM account ORDER BY name").map(Self.account) }
    }

    public func removeAccount(named name: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM account WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func saveSession(_ session: Session) async throws {
        try await write(counted: false) { db in
            try db.execute(sql: "DELETE FROM session WHERE expiresAt < ?", arguments: [Date()])
            try db.execute(
                sql: """
                    INSERT INTO session (tokenHash, name, csrf, createdAt, expiresAt, lastDeskVisit)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.tokenHash, session.name, session.csrf, session.createdAt, session.expiresAt,
                    session.lastDeskVisit,
                ])
        }
    }

    public func session(tokenHash: String, now: Date) async throws -> (Session, Account)? {
        try await read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT session.tokenHash, session.csrf, session.createdAt AS sessionCreated, session.expiresAt,
                               session.lastDeskVisit, account.*
                        FROM session JOIN account ON account.name = session.name
                        WHERE session.tokenHash = ? AND session.expiresAt > ?
                        """, arguments: [tokenHash, now])
            else { return nil }
            let account = Self.account(row)
            return (
                Session(
                    tokenHash: row["tokenHash"], name: account.name, csrf: row["csrf"],
                    createdAt: row["sessionCreated"],
                    expiresAt: row["expiresAt"], lastDeskVisit: row["lastDeskVisit"]), account
            )
        }
    }

    public func markDeskVisit(tokenHash: String, at date: Date) async throws {
        try await write(counted: false) { db in
            try db.execute(
                sql: "UPDATE session SET lastDeskVisit = ? WHERE tokenHash = ?", arguments: [date, tokenHash])
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await write(counted: false) { db in
            try db.execute(sql: "DELETE FROM session WHERE tokenHash = ?", arguments: [tokenHash])
        }
    }

    public func saveToken(_ token: APIToken) async throws {
        try await write(counted: false) { db in
            try db.execute(
                sql:
                    "INSERT INTO apiToken (id, tokenHash, name, label, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [token.id, token.tokenHash, token.name, token.label, token.createdAt, token.expiresAt])
        }
    }

    public func token(hash: String, now: Date) async throws -> (APIToken, Account)? {
        try await read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT apiToken.id, apiToken.tokenHash, apiToken.label, apiToken.createdAt AS tokenCreated,
                               apiToken.expiresAt, account.*
                        FROM apiToken JOIN account ON account.name = apiToken.name
                        WHERE apiToken.tokenHash = ? AND apiToken.expiresAt > ?
                        """, arguments: [hash, now])
            else { return nil }
            let account = Self.account(row)
            return (
                APIToken(
                    id: row["id"], tokenHash: row["tokenHash"], name: account.name, label: row["label"],
                    createdAt: row["tokenCreated"], expiresAt: row["expiresAt"]), account
            )
        }
    }

    public func tokens(of name: String) async throws -> [APIToken] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM apiToken WHERE name = ? ORDER BY createdAt, id", arguments: [name])
                .map(Self.token)
        }
    }

    public func revokeToken(id: String) async throws -> Bool {
        try await write(counted: false) { db in
            try db.execute(sql: "DELETE FROM apiToken WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func chargeLoginAttempt(keys: [String], policy: ThrottlePolicy, now: Date) async throws -> TimeInterval {
        try await write(counted: false) { db in
            var wait: TimeInterval = 0
            var counts: [String: Int] = [:]
            for key in Set(keys) {
                let row = try Row.fetchOne(
                    db, sql: "SELECT count, lastAt FROM loginAttempt WHERE key = ?", arguments: [key])
                guard let row, let last: Date = row["lastAt"], now.timeIntervalSince(last) <= policy.window else {
                    counts[key] = 0
                    continue
                }
                let count: Int = row["count"]
                counts[key] = count
                wait = max(wait, policy.wait(count: count, last: last, now: now))
            }
            guard wait == 0 else { return wait }
            for (key, count) in counts {
                try db.execute(
                    sql: """
                        INSERT INTO loginAttempt (key, count, lastAt) VALUES (?, ?, ?)
                        ON CONFLICT (key) DO UPDATE SET count = excluded.count, lastAt = excluded.lastAt
                        """, arguments: [key, count + 1, now])
            }
            // Old entries go, so the table stays small whatever strangers try.
            try db.execute(
                sql: "DELETE FROM loginAttempt WHERE lastAt < ?", arguments: [now.addingTimeInterval(-policy.window)])
            return 0
        }
    }

    public func clearLoginAttempts(keys: [String]) async throws {
        try await write(counted: false) { db in
            for key in Set(keys) { try db.execute(sql: "DELETE FROM loginAttempt WHERE key = ?", arguments: [key]) }
        }
    }
}
