import Catalog
import CatalogPostgres
import CatalogSQLite
import Desk
import Foundation
import PhotoFactory
import PhotoModel
import PostgresNIO

/// Finding a photo's twins in a large catalog: `count` photos with random difference hashes,
/// and for each of the first `queries` photos four planted twins 1 to 4 bits away. A lookup is
/// `Desk.sameFrame(as:hash:)`: the five block indexes, then the exact distance.
enum TwinBench {
    static let queries = 200

    /// The photos: (sha256, hash); the first `queries` are the queries, each followed at the end
    /// by its four planted twins.
    static func photos(count: Int) -> [(String, DifferenceHash)] {
        var random = SeededRandom(seed: 2026)
        var photos: [(String, DifferenceHash)] = []
        photos.reserveCapacity(count)
        for index in 0..<(count - queries * 4) {
            photos.append(
                (
                    String(format: "%016llx", UInt64(index)) + String(repeating: "a", count: 48),
                    DifferenceHash(value: random.next())
                ))
        }
        for query in 0..<queries {
            for distance in 1...4 {
                var value = photos[query].1.value
                for bit in 0..<distance { value ^= 1 << UInt64((query + bit * 17) % 64) }
                let index = photos.count
                photos.append(
                    (
                        String(format: "%016llx", UInt64(index)) + String(repeating: "b", count: 48),
                        DifferenceHash(value: value)
                    ))
            }
        }
        return photos
    }

    /// Milliseconds of each lookup, one list per run after a warm-up run; and whether every
    /// planted twin was found.
    static func measure(_ desk: Desk, _ photos: [(String, DifferenceHash)], runs: Int) async throws -> (
        [[Double]], Bool
    ) {
        var latencies: [[Double]] = []
        var complete = true
        for run in 0...runs {
            var times: [Double] = []
            for (sha, hash) in photos.prefix(queries) {
                let started = DispatchTime.now().uptimeNanoseconds
                let twins = try await desk.sameFrame(as: sha, hash: hash)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
                if twins.count < 4 { complete = false }
            }
            if run > 0 { latencies.append(times) }
        }
        return (latencies, complete)
    }

    /// A SQLite catalog of the photos, through the store's own ingest write.
    static func sqlite(_ photos: [(String, DifferenceHash)], at library: Library) async throws -> SQLiteCatalog {
        try? FileManager.default.removeItem(atPath: library.root)
        let catalog = try SQLiteCatalog(library: library)
        for start in stride(from: 0, to: photos.count, by: 10_000) {
            try await catalog.record(
                photos[start..<min(photos.count, start + 10_000)].enumerated().map { offset, photo in
                    var record = IngestRecord(
                        photo: Photo(
                            sha256: photo.0, format: "jpeg", bytes: 1, width: 1, height: 1, orientation: 1,
                            takenAt: nil, camera: Camera(), exposure: Exposure(), gps: nil, sources: nil,
                            createdAt: Date(timeIntervalSince1970: 1_600_000_000 + Double(start + offset))),
                        location: FileLocation(
                            path: "/photos/\(photo.0).jpg", sha256: photo.0, size: 1, modifiedAt: 1, inode: 1),
                        caption: Caption(sha256: photo.0, fields: CaptionFields(), revision: 0), revisions: [],
                        searchText: "", renditions: [])
                    record.look = PhotoLook(sha256: photo.0, hash: photo.1)
                    return record
                })
        }
        return catalog
    }

    /// A PostgreSQL database of the photos, written in batches of SQL; its URL.
    static func postgres(_ photos: [(String, DifferenceHash)]) async throws -> String {
        let url = try await BenchPostgres.freshDatabase("bench_twins")
        let catalog = try await PostgresCatalog.open(url: url, logger: BenchPostgres.logger)
        await catalog.shutdown()
        try await BenchPostgres.connect(url) { connection in
            for start in stride(from: 0, to: photos.count, by: 10_000) {
                let batch = photos[start..<min(photos.count, start + 10_000)]
                let hashes = batch.map(\.0)
                let values = batch.map { $0.1.stored }
                let blocks = (0..<5).map { block in batch.map { $0.1.blocks[block] } }
                try await BenchPostgres.run(connection, "BEGIN")
                _ = try await connection.query(
                    """
                    INSERT INTO asset (sha256, format, bytes, width, height, orientation, created_at)
                    SELECT sha256, 'jpeg', 1, 1, 1, 1, now() FROM unnest(\(hashes)::text[]) AS new(sha256)
                    """, logger: BenchPostgres.logger
                ).collect()
                _ = try await connection.query(
                    """
                    INSERT INTO look (sha256, hash, b0, b1, b2, b3, b4)
                    SELECT * FROM unnest(\(hashes)::text[], \(values)::bigint[], \(blocks[0])::integer[],
                      \(blocks[1])::integer[], \(blocks[2])::integer[], \(blocks[3])::integer[], \(blocks[4])::integer[])
                    """, logger: BenchPostgres.logger
                ).collect()
                try await BenchPostgres.run(connection, "COMMIT")
            }
            try await BenchPostgres.run(connection, "VACUUM (ANALYZE) asset, look")
        }
        return url
    }
}
