import Catalog
import Foundation
import Logging
import PhotoModel
import PostgresNIO

extension PostgresCatalog {
    static func save(_ connection: PostgresConnection, _ look: PhotoLook, logger: Logger) async throws {
        let blocks: [Int?] = look.hash?.blocks ?? [nil, nil, nil, nil, nil]
        try await connection.run(
            """
            INSERT INTO look (sha256, hash, b0, b1, b2, b3, b4)
            SELECT \(look.sha256), \(look.hash?.stored), \(blocks[0]), \(blocks[1]), \(blocks[2]), \(blocks[3]),
              \(blocks[4])
            WHERE EXISTS (SELECT 1 FROM asset WHERE sha256 = \(look.sha256))
            ON CONFLICT (sha256) DO UPDATE SET hash = EXCLUDED.hash, b0 = EXCLUDED.b0, b1 = EXCLUDED.b1,
              b2 = EXCLUDED.b2, b3 = EXCLUDED.b3, b4 = EXCLUDED.b4
            """, logger: logger)
    }

    public func saveLooks(_ looks: [PhotoLook]) async throws {
        guard !looks.isEmpty else { return }
        // Bookkeeping no page shows: the change counter stays.
        try await write(counted: false) { connection in
            for look in looks { try await Self.save(connection, look, logger: logger) }
        }
    }

    public func photosWithoutLook(limit: Int) async throws -> [String] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT sha256 FROM asset WHERE NOT EXISTS (SELECT 1 FROM look WHERE look.sha256 = asset.sha256)
                ORDER BY created_at, sha256 LIMIT \(max(1, limit))
                """, logger: logger
            ).map { try $0["sha256"].decode(String.self) }
        }
    }

    static func signature(_ row: PostgresRandomAccessRow) throws -> TwinSignature {
        TwinSignature(
            sha256: try row["sha256"].decode(String.self),
            hash: DifferenceHash(stored: try row["hash"].decode(Int64.self)),
            takenAt: try row["taken_at"].decode(String?.self),
            camera: TwinSignature.camera(
                make: try row["camera_make"].decode(String?.self), model: try row["camera_model"].decode(String?.self)))
    }

    public func twinSignatures() async throws -> [TwinSignature] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT look.sha256, look.hash, asset.taken_at, asset.camera_make, asset.camera_model
                FROM look JOIN asset USING (sha256) WHERE look.hash IS NOT NULL
                """, logger: logger
            ).map(Self.signature)
        }
    }

    public func twinCandidates(of hash: DifferenceHash, limit: Int) async throws -> [TwinSignature] {
        let blocks = hash.blocks
        return try await read { connection in
            try await connection.rows(
                """
                SELECT look.sha256, look.hash, asset.taken_at, asset.camera_make, asset.camera_model
                FROM look JOIN asset USING (sha256) WHERE look.sha256 IN (
                  SELECT sha256 FROM look WHERE b0 = \(blocks[0]) AND hash IS NOT NULL
                  UNION SELECT sha256 FROM look WHERE b1 = \(blocks[1]) AND hash IS NOT NULL
                  UNION SELECT sha256 FROM look WHERE b2 = \(blocks[2]) AND hash IS NOT NULL
                  UNION SELECT sha256 FROM look WHERE b3 = \(blocks[3]) AND hash IS NOT NULL
                  UNION SELECT sha256 FROM look WHERE b4 = \(blocks[4]) AND hash IS NOT NULL)
                LIMIT \(max(1, limit))
                """, logger: logger
            ).map(Self.signature)
        }
    }
}

extension PostgresCatalog {
    static func save(_ connection: PostgresConnection, _ provenance: Provenance, of sha256: String, logger: Logger)
        async throws
    {
        try await connection.run(
            """
            INSERT INTO provenance (sha256, state, codes, reason, issuer, common_name, signed_at, generator, actions,
              source_type, generated, report)
            VALUES (\(sha256), \(provenance.state.rawValue), \(provenance.codes.joined(separator: " ")),
              \(provenance.reason), \(provenance.issuer), \(provenance.commonName), \(provenance.signedAt),
              \(provenance.generator), \(provenance.actions.joined(separator: " ")), \(provenance.sourceType),
              \(provenance.isGenerated), \(provenance.report))
            ON CONFLICT (sha256) DO NOTHING
            """, logger: logger)
    }

    public func provenance(of sha256: String) async throws -> Provenance? {
        try await read { connection in
            guard
                let row = try await connection.rows(
                    """
                    SELECT state, codes, reason, issuer, common_name, signed_at, generator, actions, source_type, report
                    FROM provenance WHERE sha256 = \(sha256)
                    """, logger: logger
                ).first
            else { return nil }
            var provenance = Provenance(
                state: Provenance.State(rawValue: try row["state"].decode(String.self)) ?? .invalid)
            provenance.codes = try row["codes"].decode(String.self).split(separator: " ").map(String.init)
            provenance.reason = try row["reason"].decode(String?.self)
            provenance.issuer = try row["issuer"].decode(String?.self)
            provenance.commonName = try row["common_name"].decode(String?.self)
            provenance.signedAt = try row["signed_at"].decode(String?.self)
            provenance.generator = try row["generator"].decode(String?.self)
            provenance.actions = try row["actions"].decode(String.self).split(separator: " ").map(String.init)
            provenance.sourceType = try row["source_type"].decode(String?.self)
            provenance.report = try row["report"].decode(String?.self)
            return provenance
        }
    }
}
