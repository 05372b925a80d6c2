import Catalog
import CatalogSQLite
import Desk
import Foundation
import Hummingbird
import HummingbirdTesting
import PhotoModel
import Testing

@testable import Gallery

@Suite("Versioned cache: what is kept is answered only at the catalog version it was made at")
struct ReaderCacheTests {
    func page(_ text: String) -> CachedPage {
        CachedPage(status: .ok, headers: [:], body: ByteBuffer(string: text))
    }

    @Test("a page is answered at its version and before its horizon; a newer version empties the cache")
    func versions() {
        let cache = ReaderCache()
        let now = Date()
        let (five, six) = (CatalogVersion(5), CatalogVersion(6))
        #expect(cache.needsHorizon(at: five, now: now))
        cache.store("/", page("kept before any horizon"), at: five, ticket: cache.ticket())
        #expect(cache.value("/", at: five, now: now) == nil, "nothing is kept before the horizon is known")
        cache.reset(to: five, horizon: now.addingTimeInterval(60))
        cache.store("/", page("front"), at: five, ticket: cache.ticket())
        #expect(cache.value("/", at: five, now: now)?.body == ByteBuffer(string: "front"))
        #expect(cache.value("/", at: six, now: now) == nil)
        #expect(cache.value("/", at: five, now: now.addingTimeInterval(61)) == nil, "past the horizon")
        #expect(cache.needsHorizon(at: five, now: now.addingTimeInterval(61)))

        // The catalog's change stream moves the cache on: its horizon is then unknown again (a
        // write may have scheduled a publication), so nothing is answered until it is read.
        cache.advance(to: six)
        #expect(cache.value("/", at: five, now: now) == nil)
        #expect(cache.needsHorizon(at: six, now: now))
        cache.reset(to: five, horizon: .distantFuture)
        cache.store("/", page("stale"), at: five, ticket: cache.ticket())
        #expect(cache.value("/", at: five, now: now) == nil, "an older version never comes back")
        cache.store("/", page("before the horizon"), at: six, ticket: cache.ticket())
        #expect(cache.value("/", at: six, now: now) == nil)
        cache.reset(to: six, horizon: now.addingTimeInterval(60))
        cache.store("/", page("new"), at: six, ticket: cache.ticket())
        #expect(cache.value("/", at: six, now: now)?.body == ByteBuffer(string: "new"))
    }

    @Test("after a change one request finds the horizon; the others answer without it until it is known")
    func horizonClaims() {
        let cache = ReaderCache()
        let now = Date()
        let (five, six) = (CatalogVersion(5), CatalogVersion(6))
        #expect(cache.claimHorizon(at: five))
        #expect(!cache.claimHorizon(at: five), "one finder per version")
        cache.releaseHorizonClaim(five)
        #expect(cache.claimHorizon(at: five), "a finder that failed gives the claim back")
        cache.reset(to: five, horizon: now.addingTimeInterval(60))
        #expect(!cache.needsHorizon(at: five, now: now))
        // Past the horizon, at the same version, it is found again.
        #expect(cache.needsHorizon(at: five, now: now.addingTimeInterval(61)))
        #expect(cache.claimHorizon(at: five))
        // A newer version's finder goes ahead while an older claim is pending.
        #expect(cache.claimHorizon(at: six))
        #expect(!cache.claimHorizon(at: five))
        cache.reset(to: six)
        #expect(cache.claimHorizon(at: CatalogVersion(7)))
    }

    @Test("a clear (a write in this process) empties the cache and refuses what was made before it")
    func clear() {
        let cache = ReaderCache()
        let five = CatalogVersion(5)
        cache.reset(to: five)
        let before = cache.ticket()
        cache.clear()
        cache.reset(to: five)
        cache.store("/", page("made before the write"), at: five, ticket: before)
        #expect(cache.value("/", at: five) == nil)
        cache.store("/", page("made after"), at: five, ticket: cache.ticket())
        #expect(cache.value("/", at: five) != nil)
    }

    @Test("bounded: past its count the cache starts again, and a page over an eighth of its bytes is not kept")
    func bounds() {
        let cache = ReaderCache(maxEntries: 2, maxBytes: 80)
        let five = CatalogVersion(5)
        cache.reset(to: five)
        cache.store("big", page(String(repeating: "x", count: 11)), at: five, ticket: cache.ticket())
        #expect(cache.count == 0)
        for key in ["a", "b", "c"] { cache.store(key, page(key), at: five, ticket: cache.ticket()) }
        #expect(cache.count == 1 && cache.value("c", at: five) != nil)
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
