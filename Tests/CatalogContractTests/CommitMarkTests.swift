import Catalog
import Foundation
import GRDB
import Testing

@testable import CatalogSQLite

/// The mark a server compares instead of reading the change counter (`ReaderCache`).
@Suite("SQLite commit mark")
struct CommitMarkTests {
    @Test("changes with every commit from another connection, also after checkpoints restart the log; not with reads")
    func everyCommit() async throws {
        let harness = try await Harness.make(.sqlite)
        let server = try SQLiteCatalog(path: harness.library.catalogPath)
        let beside = try SQLiteCatalog(path: harness.library.catalogPath)
        _ = try await server.changeCounter()
        for round in 0..<300 {
            let before = try #require(server.commitMark())
            _ = try await server.changeCounter()
            _ = try await beside.accounts()
            #expect(server.commitMark() == before, "reads leave the mark as it was (round \(round))")
            if round % 40 == 39 {
                // The next commit writes the log from its start again, as long as the last one.
                try await beside.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            } else if round % 40 == 19 {
                try await beside.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
            }
            let unwritten = try #require(server.commitMark())
            try await beside.addAccount(Account(name: "user\(round)", role: .editor, passwordHash: "x"))
            let after = try #require(server.commitMark())
            #expect(after != unwritten, "round \(round)")
        }
        #expect(try await server.accounts().count == 300)
    }

    @Test("none when the catalog has no shared index (its -shm file cannot be read)")
    func noIndex() throws {
        let folder = NSTemporaryDirectory() + "mark-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(WALIndexHeader(catalog: folder + "/absent.sqlite").mark() == nil)
        FileManager.default.createFile(atPath: folder + "/empty.sqlite-shm", contents: Data())
        #expect(WALIndexHeader(catalog: folder + "/empty.sqlite").mark() == nil)
        // Two copies of the header that differ: a commit caught midway.
        var torn = Data(count: 136)
        torn[12] = 1
        torn[48 + 12] = 1
        torn[8] = 5
        torn[48 + 8] = 6
        FileManager.default.createFile(atPath: folder + "/torn.sqlite-shm", contents: torn)
        #expect(WALIndexHeader(catalog: folder + "/torn.sqlite").mark() == nil)
        torn[48 + 8] = 5
        FileManager.default.createFile(atPath: folder + "/whole.sqlite-shm", contents: torn)
        #expect(WALIndexHeader(catalog: folder + "/whole.sqlite").mark() != nil)
    }
}
