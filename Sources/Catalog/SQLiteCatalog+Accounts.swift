import Foundation
import GRDB

extension SQLiteCatalog {
    public func addAccount(_ account: AccountRecord) throws {
        try write { db in
            guard try !AccountRecord.exists(db, key: account.name) else {
                throw CatalogError(.exists, "a user named \(account.name) already exists")
            }
            try account.insert(db)
        }
    }

    public func updateAccount(_ account: AccountRecord) throws {
        try write { db in
            guard try AccountRecord.exists(db, key: account.name) else {
                throw CatalogError(.notFound, "no user named \(account.name)")
            }
            try account.update(db)
        }
    }

    public func account(named name: String) throws -> AccountRecord? {
        try read { db in try AccountRecord.fetchOne(db, key: name) }
    }

    public func accounts() throws -> [AccountRecord] {
        try read { db in try AccountRecord.order(Column("name")).fetchAll(db) }
    }

    public func removeAccount(named name: String) throws -> Bool {
        try write { db in try AccountRecord.deleteOne(db, key: name) }
    }

    public func saveSession(_ session: SessionRecord) throws {
        try write { db in
            try SessionRecord.filter(Column("expiresAt") < Date()).deleteAll(db)
            try session.insert(db)
        }
    }

    public func session(tokenHash: String, now: Date) throws -> (SessionRecord, AccountRecord)? {
        try read { db in
            guard let session = try SessionRecord.fetchOne(db, key: tokenHash), session.expiresAt > now,
                let account = try AccountRecord.fetchOne(db, key: session.name)
            else { return nil }
            return (session, account)
        }
    }

    public func deleteSession(tokenHash: String) throws {
        _ = try write { db in try SessionRecord.deleteOne(db, key: tokenHash) }
    }

    public func saveToken(_ token: APITokenRecord) throws {
        try write { db in try token.insert(db) }
    }

    public func tokenOwner(tokenHash: String) throws -> AccountRecord? {
        try read { db in
            guard let token = try APITokenRecord.fetchOne(db, key: tokenHash) else { return nil }
            return try AccountRecord.fetchOne(db, key: token.name)
        }
    }

    public func tokens(of name: String) throws -> [APITokenRecord] {
        try read { db in try APITokenRecord.filter(Column("name") == name).order(Column("createdAt")).fetchAll(db) }
    }

    public func statistics() throws -> CatalogStatistics {
        try read { db in
            var statistics = CatalogStatistics()
            statistics.assets = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM asset") ?? 0
            statistics.locations = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM location") ?? 0
            let renditions = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM rendition")
            statistics.renditions = renditions?["n"] ?? 0
            statistics.renditionBytes = renditions?["b"] ?? 0
            statistics.articles = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM article") ?? 0
            statistics.captionRevisions =
                try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT sha256 || ':' || revision) FROM captionRevision") ?? 0
            statistics.missingCaptions =
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT COUNT(*) FROM asset LEFT JOIN caption USING (sha256) WHERE caption.caption IS NULL")
                ?? 0
            let lastSeen = try Date.fetchOne(db, sql: "SELECT MAX(seenAt) FROM location")
            statistics.lastSeen = lastSeen?.timeIntervalSince1970 ?? 0
            return statistics
        }
    }
}
