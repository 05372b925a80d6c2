import Catalog
import Desk
import Foundation
import Logging
import PhotoModel
import PostgresNIO
import Testing

@testable import CatalogPostgres

/// The PostgreSQL backup that docs/OPERATIONS.md gives, run as written against the test server:
/// `pg_dump --format=custom`, `createdb`, `pg_restore --single-transaction`; the restored catalog
/// must hold the same census (counts and caption checksum) as the one dumped.
@Suite("PostgreSQL: pg_dump and pg_restore", .enabled(if: PostgresTestServer.isConfigured))
struct PostgresDumpTests {
    /// Debian's client tools beside the server the tests use, else PATH's.
    static func tool(_ name: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        for folder in [environment["PHOTODESK_PG_BIN"], "/usr/lib/postgresql/15/bin"].compactMap({ $0 }) {
            if FileManager.default.isExecutableFile(atPath: folder + "/" + name) { return folder + "/" + name }
        }
        return "/usr/bin/" + name
    }

    /// The test server's URL with another database.
    static func url(database: String) throws -> String {
        let base = try #require(ProcessInfo.processInfo.environment[PostgresTestServer.variable])
        var components = try #require(URLComponents(string: base))
        components.path = "/" + database
        components.query = nil
        return try #require(components.string)
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test("the documented pg_dump and pg_restore commands give back the same catalog")
    func dumpAndRestore() async throws {
        let configuration = try await PostgresTestServer.freshDatabase()
        let source = try await PostgresCatalog.open(configuration, logger: PostgresTestServer.logger)
        let clock = TestClock()
        let desk = Desk(store: source, library: Library(path: NSTemporaryDirectory() + "pgdump"), clock: { clock.now })
        try await source.record((1...5).map { Harness.record($0, caption: "Ảnh \($0) tại Hà Giang") })
        for round in 1...3 {
            clock.advance(60)
            _ = try await desk.setCaption(
                Harness.sha(2), changes: CaptionChanges([.caption: "Bản sửa \(round)"]), basedOn: round, author: "lan",
                source: "test")
        }
        _ = try await source.saveArticle(
            Article(slug: "visit", headline: "Chuyến thăm", body: "Text"),
            uses: [ArticleUse(position: 1, sha256: Harness.sha(1), caption: "as used")], expectingVersion: nil)
        try await source.addAccount(Account(name: "lan", role: .editor, passwordHash: "h", createdAt: clock.now))
        let before = try await CatalogCensus.take(source)
        #expect(before.photos == 5 && before.articles == 1 && before.users == 1)
        #expect(before.revisions == 8)
        await source.shutdown()

        let dump = NSTemporaryDirectory() + "photodesk-\(UUID().uuidString).dump"
        defer { try? FileManager.default.removeItem(atPath: dump) }
        let dumped = try Self.run([
            Self.tool("pg_dump"), "--format=custom", "--no-owner", "--file=\(dump)",
            try Self.url(database: configuration.database),
        ])
        #expect(dumped.status == 0, "\(dumped.errors)")
        let restoredName = configuration.database + "_restored"
        let created = try Self.run([
            Self.tool("createdb"), "--maintenance-db=\(try Self.url(database: "postgres"))", restoredName,
        ])
        #expect(created.status == 0, "\(created.errors)")
        let restored = try Self.run([
            Self.tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
            "--dbname=\(try Self.url(database: restoredName))", dump,
        ])
        #expect(restored.status == 0, "\(restored.errors)")

        var copy = configuration
        copy.database = restoredName
        let target = try await PostgresCatalog.open(copy, logger: PostgresTestServer.logger)
        let after = try await CatalogCensus.take(target)
        #expect(before.differences(from: after) == [])
        #expect(after == before)
        // The restored catalog is a working one: it takes a new caption revision.
        let restoredDesk = Desk(store: target, library: Library(path: NSTemporaryDirectory() + "pgdump"))
        _ = try await restoredDesk.setCaption(
            Harness.sha(3), changes: CaptionChanges([.caption: "sau khi khôi phục"]), basedOn: 1, author: "lan",
            source: "test")
        #expect(try await target.captionHistory(of: Harness.sha(3)).count == 2)
        await target.shutdown()
    }
}
