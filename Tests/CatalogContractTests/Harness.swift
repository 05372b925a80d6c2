import Catalog
import CatalogPostgres
import CatalogSQLite
import Desk
import Foundation
import PhotoModel
import SearchMemory
import Testing

/// The backends every contract test runs against.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    /// SQLite with every search answered by a copy of its index in memory (`MemorySearch`).
    case sqliteMemory
    case postgres

    /// SQLite always (both ways of searching); PostgreSQL when a server is named by `$PHOTODESK_TEST_POSTGRES` (as
    /// `scripts/with-postgres` does), and always under CI (`CI=true`), where a missing server
    /// then fails every PostgreSQL test rather than skipping them quietly.
    static var available: [Backend] {
        PostgresTestServer.isConfigured || ProcessInfo.processInfo.environment["CI"] == "true"
            ? allCases : [.sqlite, .sqliteMemory]
    }

    var testDescription: String { rawValue }
}

/// A clock tests move by hand: embargoes and expiries are judged by it, never by waiting.
final class TestClock: @unchecked Sendable {
    // @unchecked: `now` is only touched with `lock` held.
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_700_000_000)

    var now: Date { lock.withLock { current } }

    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

/// A fresh, empty catalog of one backend, with a desk over it.
struct Harness: Sendable {
    let store: any CatalogStore
    /// What answers searches: the store, or the copy in memory in front of it.
    let search: any SearchStore
    let desk: Desk
    let library: Library
    let clock: TestClock

    static func make(_ backend: Backend) async throws -> Harness {
        let library = Library(path: NSTemporaryDirectory() + "contract-\(UUID().uuidString)")
        let store: any CatalogStore
        var search: (any SearchStore)?
        switch backend {
        case .sqlite: store = try SQLiteCatalog(library: library)
        case .sqliteMemory:
            let catalog = try SQLiteCatalog(library: library)
            search = MemorySearch(feed: catalog, fallback: catalog, signal: catalog, mode: .catchingUpFirst)
            store = catalog
        case .postgres: store = try await PostgresTestServer.freshCatalog()
        }
        let clock = TestClock()
        return Harness(
            store: store, search: search ?? store,
            desk: Desk(store: store, library: library, clock: { clock.now }, search: search), library: library,
            clock: clock)
    }

    /// Another connection to the same catalog, as a command beside a server or another node has.
    func beside() async throws -> any CatalogStore {
        if let postgres = store as? PostgresCatalog { return try await PostgresCatalog.open(postgres.configuration) }
        return try SQLiteCatalog(library: library)
    }

    static func sha(_ seed: Int) -> String {
        String(format: "%016x", seed) + String(repeating: "0", count: 48)
    }

    /// A photo as ingest hands it to the store, with caption fields read from its file.
    static func record(
        _ seed: Int, path: String? = nil, caption: String? = nil, fields: CaptionFields = CaptionFields(),
        createdAt: Date = Date(timeIntervalSince1970: 1_600_000_000), takenAt: String? = nil,
        renditions: [String] = ["thumb"]
    ) -> IngestRecord {
        let sha = sha(seed)
        var captions = fields
        if let caption { captions.caption = caption }
        let revisions = CaptionField.allCases.compactMap { field -> CaptionRevision? in
            captions[field].map {
                CaptionRevision(
                    sha256: sha, revision: 1, field: field.rawValue, oldValue: nil, newValue: $0, author: "ingest",
                    at: createdAt, source: "embedded")
            }
        }
        return IngestRecord(
            photo: Photo(
                sha256: sha, format: "jpeg", bytes: 1000 + seed, width: 300, height: 200, orientation: 1,
                takenAt: takenAt, camera: Camera(make: "Canon", model: "EOS R5"),
                exposure: Exposure(exposureTime: "1/125", fNumber: 4, iso: 400, focalLength: 35),
                gps: GPS(latitude: 22.8233, longitude: 104.9836), sources: "{\"exif\":{}}", createdAt: createdAt),
            location: FileLocation(
                path: path ?? "/photos/\(seed).jpg", sha256: sha, size: Int64(1000 + seed), modifiedAt: 1.5,
                inode: Int64(seed)),
            caption: Caption(sha256: sha, fields: captions, revision: 1), revisions: revisions,
            searchText: SearchText.photoText(captions),
            renditions: renditions.enumerated().map { index, preset in
                Rendition(
                    sha256: sha, preset: preset, format: "webp", width: 100 * (index + 1), height: 66 * (index + 1),
                    bytes: 500, path: "renditions/\(sha.prefix(2))/\(sha.prefix(16))-\(preset).webp", fingerprint: "f1")
            })
    }
}
