import Catalog
import Desk
import Foundation
import Gallery
import HummingbirdTesting
import PhotoModel
import Testing

@testable import CatalogSQLite

@Suite("Search API from the index in memory")
struct MemorySearchRouteTests {
    @Test("a reader's search is answered from the copy at the counter the reader cache read, then from the new state")
    func readerSearch() async throws {
        let fixture = try await GalleryFixture(captions: ["Phiên chợ Đồng Văn", "Cột cờ Lũng Cú", "Đồng Văn phố cổ"])
        let catalog = fixture.catalog
        catalog.searchMemory.state.withLock { $0.pause = 0 }
        catalog.readSearchesFromMemory(.background)
        await catalog.searchMemoryCopied()
        let expected = try await Desk(store: try SQLiteCatalog(library: fixture.library), library: fixture.library)
            .search(SearchQuery(text: "dong van"), limit: 20, after: nil, audience: .readers(at: Date()))
        #expect(expected.results.count == 2)
        try await fixture.app().test(.router) { client in
            for number in 0..<3 {
                try await client.execute(uri: "/api/v1/search?q=dong+van&n=\(number)", method: .get) { response in
                    #expect(response.status == .ok)
                    let page = try JSONDecoder().decode(SearchPage.self, from: Data(buffer: response.body))
                    #expect(page.results.map(\.id) == expected.results.map(\.id))
                    #expect(page.results.map(\.caption) == expected.results.map(\.caption))
                    #expect(page.total == 2)
                }
            }
            #expect(catalog.searchMemoryStatus.withoutReading == 3, "answered at the counter the cache read")
            // An edit: the next search reads the catalog, and finds it.
            let third = try await fixture.id(caption: "Cột cờ Lũng Cú")
            try await fixture.desk.setCaption(
                try await fixture.sha256(third), changes: CaptionChanges([.caption: "Đồng Văn, cột cờ"]), basedOn: nil,
                author: "test", source: "test")
            try await client.execute(uri: "/api/v1/search?q=dong+van&n=edited", method: .get) { response in
                let page = try JSONDecoder().decode(SearchPage.self, from: Data(buffer: response.body))
                #expect(page.total == 3)
            }
            #expect(catalog.searchMemoryStatus.withoutReading == 3)
        }
    }
}
