import Catalog
import Desk
import Foundation
import PostgresNIO
import Testing

@testable import CatalogPostgres

/// Search latency over a large PostgreSQL catalog, as `make bench` measures SQLite's: 200 reader
/// searches of the bench corpus (places, their prefixes, a place and a word, an unbalanced quote),
/// 20 results a page. Runs only when `PHOTODESK_PG_SEARCH_BENCH` names a number of captions; the
/// catalog (`search_bench_<n>`) is made once on the test server and kept for later runs.
@Suite(
    "Search latency (PostgreSQL)", .enabled(if: ProcessInfo.processInfo.environment["PHOTODESK_PG_SEARCH_BENCH"] != nil)
)
struct SearchBenchmarkTests {
    static let places = [
        "Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "Nha Trang", "Vinh", "Đồng Văn", "Lũng Cú", "Hà Giang",
        "Mèo Vạc", "Sa Pa",
    ]
    static let subjects = [
        "Bộ trưởng tiếp đoàn đại biểu", "Officials meet farmers", "Lễ khai giảng năm học mới",
        "Flood relief reaches villages", "Hội nghị hợp tác kinh tế", "Students at the new library",
        "Phiên chợ cuối tuần", "Fishermen return to port", "Ruộng bậc thang mùa lúa chín",
        "Delegation visits the border post",
    ]

    /// The bench's queries (PhotodeskBench's search section).
    static let queries = (0..<200).map { index -> String in
        let place = SearchText.fold(places[index % places.count])
        switch index % 4 {
        case 0: return place
        case 1: return String(place.prefix(4))
        case 2:
            let subject = subjects[index % subjects.count]
            return "\(place) \(SearchText.fold(subject).split(separator: " ").first ?? "")"
        default: return "\"\(place)"
        }
    }

    /// Makes the corpus in SQL, as the bench's SearchCorpus makes it through the desk: caption
    /// "<subject> tại <place>, ảnh <n>.", two bylines, one credit, the place as city; all published.
    static func fill(_ configuration: PostgresCatalog.Configuration, count: Int) async throws {
        let folded = { (texts: [String]) in texts.map { SearchText.words($0).joined(separator: " ") } }
        try await PostgresTestServer.connect(configuration) { connection in
            let logger = PostgresTestServer.logger
            try await connection.run("DROP INDEX search_document_vector", logger: logger)
            try await connection.run(
                """
                INSERT INTO asset (sha256, format, bytes, width, height, orientation, created_at, published_at, public_from)
                SELECT lpad(to_hex(g + 1), 16, '0') || repeat('0', 48), 'jpeg', 1, 1, 1, 1,
                       to_timestamp(1600000000 + g), to_timestamp(1600000000), to_timestamp(1600000000)
                FROM generate_series(0, \(count - 1)) g
                """, logger: logger)
            try await connection.run(
                """
                INSERT INTO caption (sha256, fields, revision)
                SELECT lpad(to_hex(g + 1), 16, '0') || repeat('0', 48),
                       jsonb_build_object('caption', (\(subjects)::text[])[1 + g % 10] || ' tại ' || (\(places)::text[])[1 + (g / 10) % 12] || ', ảnh ' || g || '.',
                         'byline', CASE WHEN g % 3 = 0 THEN 'Nguyễn Văn An' ELSE 'Trần Thị Bình' END,
                         'credit', 'Cổng Thông tin Demo', 'city', (\(places)::text[])[1 + (g / 10) % 12], 'keywords', '[]'::jsonb), 1
                FROM generate_series(0, \(count - 1)) g
                """, logger: logger)
            try await connection.run(
                """
                INSERT INTO search_document (sha256, public_from, photo_text)
                SELECT lpad(to_hex(g + 1), 16, '0') || repeat('0', 48), to_timestamp(1600000000),
                       (\(folded(subjects))::text[])[1 + g % 10] || ' tai ' || (\(folded(places))::text[])[1 + (g / 10) % 12] || ' anh ' || g
                       || CASE WHEN g % 3 = 0 THEN ' nguyen van an' ELSE ' tran thi binh' END
                       || ' cong thong tin demo ' || (\(folded(places))::text[])[1 + (g / 10) % 12]
                FROM generate_series(0, \(count - 1)) g ORDER BY g
                """, logger: logger)
            try await connection.run(
                "CREATE INDEX search_document_vector ON search_document USING gin (search_vector)", logger: logger)
            for table in ["asset", "caption", "search_document"] {
                try await connection.run(PostgresQuery(unsafeSQL: "VACUUM ANALYZE \(table)"), logger: logger)
            }
        }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
        return sorted[min(sorted.count - 1, max(0, rank))]
    }

    @Test("200 reader searches, 20 results a page: median and 99th percentile")
    func latency() async throws {
        let count = Int(ProcessInfo.processInfo.environment["PHOTODESK_PG_SEARCH_BENCH"] ?? "") ?? 100_000
        var configuration = try PostgresTestServer.adminConfiguration()
        let name = "search_bench_\(count)"
        let exists = try await PostgresTestServer.admin { connection in
            try await connection.value(
                "SELECT 1 FROM pg_database WHERE datname = \(name)", as: Int.self, logger: PostgresTestServer.logger)
        }
        if exists == nil {
            try await PostgresTestServer.admin { connection in
                try await connection.run(
                    PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: PostgresTestServer.logger)
            }
        }
        configuration.database = name
        let catalog = try await PostgresCatalog.open(configuration)
        if try await catalog.photoCount(filters: SearchFilters(), audience: .editors) != count {
            let started = ContinuousClock.now
            try await Self.fill(configuration, count: count)
            print("search bench: made \(count) captions in \(ContinuousClock.now - started)")
        }
        let library = Library(path: NSTemporaryDirectory() + "search-bench")
        let desk = Desk(store: catalog, library: library)
        let readers = Audience.readers(at: Date(timeIntervalSince1970: 1_700_000_000))
        var medians: [Double] = []
        var tails: [Double] = []
        for run in 0...3 {
            var times: [Double] = []
            for query in Self.queries {
                let started = ContinuousClock.now
                let page = try await desk.search(SearchQuery(text: query), limit: 20, after: nil, audience: readers)
                let elapsed = ContinuousClock.now - started
                times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                if run == 0 && page.results.isEmpty { print("search bench: no result for \(query)") }
            }
            if run > 0 {
                medians.append(Self.percentile(times, 50))
                tails.append(Self.percentile(times, 99))
                print(
                    "search bench \(count): run \(run): p50 \(String(format: "%.2f", Self.percentile(times, 50))) ms, "
                        + "p90 \(String(format: "%.2f", Self.percentile(times, 90))) ms, "
                        + "p99 \(String(format: "%.2f", Self.percentile(times, 99))) ms, "
                        + "max \(String(format: "%.2f", times.max() ?? 0)) ms")
            }
        }
        print(
            "search bench \(count): median of runs: p50 \(String(format: "%.2f", Self.percentile(medians, 50))) ms, "
                + "p99 \(String(format: "%.2f", Self.percentile(tails, 50))) ms")
        await catalog.shutdown()
    }
}
