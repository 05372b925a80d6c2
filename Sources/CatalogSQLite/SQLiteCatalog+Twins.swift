import Catalog
import Foundation
import GRDB
import PhotoModel

extension SQLiteCatalog {
    static func save(_ db: Database, _ look: PhotoLook) throws {
        let blocks: [Int?] = look.hash?.blocks ?? [nil, nil, nil, nil, nil]
        try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO look (sha256, hash, b0, b1, b2, b3, b4) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: StatementArguments([look.sha256, look.hash?.stored] + blocks))
    }

    public func saveLooks(_ looks: [PhotoLook]) async throws {
        guard !looks.isEmpty else { return }
        // Bookkeeping no page shows: the change counter stays.
        try await write(counted: false) { db in
            for look in looks
            where try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM asset WHERE sha256 = ?)", arguments: [look.sha256]) == true
            {
                try Self.save(db, look)
            }
        }
    }

    public func photosWithoutLook(limit: Int) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT sha256 FROM asset WHERE NOT EXISTS (SELECT 1 FROM look WHERE look.sha256 = asset.sha256)
                    ORDER BY createdAt, sha256 LIMIT ?
                    """, arguments: [max(1, limit)])
        }
    }

    static let signatureColumns =
        "look.sha256, look.hash, asset.takenAt, asset.cameraMake, asset.cameraModel FROM look JOIN asset USING (sha256)"

    static func signature(_ row: Row) -> TwinSignature {
        let make: String? = row[3]
        let model: String? = row[4]
        return TwinSignature(
            sha256: row[0], hash: DifferenceHash(stored: row[1]), takenAt: row[2],
            camera: TwinSignature.camera(make: make, model: model))
    }

    public func twinSignatures() async throws -> [TwinSignature] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.signatureColumns) WHERE look.hash IS NOT NULL").map(Self.signature)
        }
    }

    public func twinCandidates(of hash: DifferenceHash, limit: Int) async throws -> [TwinSignature] {
        let blocks = hash.blocks
        return try await read { db in
            // One indexed lookup per block, each answered from its partial index.
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.signatureColumns) WHERE look.sha256 IN (
                      SELECT sha256 FROM look WHERE b0 = ? AND hash IS NOT NULL
                      UNION SELECT sha256 FROM look WHERE b1 = ? AND hash IS NOT NULL
                      UNION SELECT sha256 FROM look WHERE b2 = ? AND hash IS NOT NULL
                      UNION SELECT sha256 FROM look WHERE b3 = ? AND hash IS NOT NULL
                      UNION SELECT sha256 FROM look WHERE b4 = ? AND hash IS NOT NULL)
                    LIMIT ?
                    """, arguments: StatementArguments(blocks + [max(1, limit)])
            ).map(Self.signature)
        }
    }
}

extension SQLiteCatalog {
    static func save(_ db: Database, _ provenance: Provenance, of sha256: String) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO provenance (sha256, state, codes, reason, issuer, commonName, signedAt, generator,
                  actions, sourceType, generated, report)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                sha256, provenance.state.rawValue, provenance.codes.joined(separator: " "), provenance.reason,
                provenance.issuer,
                provenance.commonName, provenance.signedAt, provenance.generator,
                provenance.actions.joined(separator: " "),
                provenance.sourceType, provenance.isGenerated, provenance.report,
            ])
    }

    public func provenance(of sha256: String) async throws -> Provenance? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM provenance WHERE sha256 = ?", arguments: [sha256])
            else { return nil }
            var provenance = Provenance(state: Provenance.State(rawValue: row["state"]) ?? .invalid)
            provenance.codes = (row["codes"] as String).split(separator: " ").map(String.init)
            provenance.reason = row["reason"]
            provenance.issuer = row["issuer"]
            provenance.commonName = row["commonName"]
            provenance.signedAt = row["signedAt"]
            provenance.generator = row["generator"]
            provenance.actions = (row["actions"] as String).split(separator: " ").map(String.init)
            provenance.sourceType = row["sourceType"]
            provenance.report = row["report"]
            return provenance
        }
    }
}
