import Catalog
import CatalogSQLite
import Desk
import Foundation
import Hummingbird
import HummingbirdTesting
import PhotoModel
import Testing

@testable import Gallery

@Suite("Reader cache: the counter read again only when the commit mark moved")
struct ReaderCacheTests {
    @Test("known while the mark is the one read before the counter; not after a commit or a clear")
    func knownCounter() async throws {
        let fixture = try await GalleryFixture()
        let server = try SQLiteCatalog(library: fixture.library)
        let beside = try SQLiteCatalog(library: fixture.library)
        let cache = ReaderCache(commitMark: { server.commitMark() })
        let before = cache.stamp()
        #expect(cache.knownCounter(before) == nil, "nothing read yet")
        cache.reset(counter: try await server.changeCounter(), validUntil: .distantFuture, stamp: before)
        let first = try await server.changeCounter()
        #expect(cache.knownCounter(cache.stamp()) == first)

        // A command beside the server commits: the next request reads the counter.
        try await beside.addAccount(Account(name: "lan", role: .editor, passwordHash: "x"))
        let afterWrite = cache.stamp()
        #expect(cache.knownCounter(afterWrite) == nil)
        cache.note(afterWrite, counter: first + 1)
        #expect(cache.knownCounter(afterWrite) == nil, "a stamp for another counter than the entries' is not kept")
        cache.reset(counter: first + 1, validUntil: .distantFuture, stamp: afterWrite)
        #expect(cache.knownCounter(cache.stamp()) == first + 1)

        // A notification of a write clears: a stamp taken before it is neither trusted nor kept.
        let beforeClear = cache.stamp()
        cache.clear()
        #expect(cache.knownCounter(beforeClear) == nil)
        cache.reset(counter: first + 1, validUntil: .distantFuture, stamp: beforeClear)
        #expect(cache.knownCounter(beforeClear) == nil)
        #expect(cache.knownCounter(cache.stamp()) == nil)
        cache.note(cache.stamp(), counter: first + 1)
        #expect(cache.knownCounter(cache.stamp()) == first + 1)
    }

    @Test("without a mark (PostgreSQL) the counter is read on every request")
    func noMark() {
        let cache = ReaderCache()
        let stamp = cache.stamp()
        cache.reset(counter: 3, validUntil: .distantFuture, stamp: stamp)
        #expect(cache.knownCounter(stamp) == nil)
    }

    @Test("a command writing beside the server (another connection, no notification) is seen by the next page")
    func writeBeside() async throws {
        let fixture = try await GalleryFixture()
        let id = try await fixture.id(caption: "Phiên chợ Đồng Văn")
        let sha256 = try await fixture.sha256(id)
        let beside = Desk(store: try SQLiteCatalog(library: fixture.library), library: fixture.library)
        // The routes without the server's services: no watcher clears the cache on a commit, so
        // only the commit mark can tell the server of the command's writes.
        let app = Application(router: try await fixture.server().router())
        try await app.test(.router) { client in
            for _ in 0..<2 {
                try await client.execute(uri: "/photos/\(id)", method: .get) { response in
                    #expect(String(buffer: response.body).contains("Phiên chợ Đồng Văn"))
                }
            }
            for round in 1...5 {
                try await beside.setCaption(
                    sha256, changes: CaptionChanges([.caption: "Chợ phiên, lần \(round)"]), basedOn: nil,
                    author: "test", source: "test")
                for _ in 0..<2 {
                    try await client.execute(uri: "/photos/\(id)", method: .get) { response in
                        #expect(String(buffer: response.body).contains("Chợ phiên, lần \(round)"))
                    }
                }
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                // Each edit's first page is made anew; the second comes from the cache.
                let counts = String(buffer: response.body).split(separator: "\n")
                    .filter { $0.hasPrefix("photodesk_reader_cache_requests_total{") }
                #expect(
                    counts == [
                        "photodesk_reader_cache_requests_total{result=\"hit\"} 6",
                        "photodesk_reader_cache_requests_total{result=\"miss\"} 6",
                    ])
            }
        }
    }
}
