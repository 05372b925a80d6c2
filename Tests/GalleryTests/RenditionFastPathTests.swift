import Catalog
import CatalogSQLite
import Foundation
import HTTPTypes
import Imaging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import PhotoFactory
import Testing

@testable import Gallery

/// The fast path as a channel handler in memory: requests in, answers (or requests passed on) out.
@Suite("Rendition fast path (EmbeddedChannel)")
struct RenditionFastPathTests {
    let cache: RenditionCache
    /// The catalog whose change signal the cache reads.
    let store: SQLiteCatalog
    /// The rendition and the catalog, removed with it after the test.
    let work: TemporaryFolder
    let file: String
    /// The catalog whose commits the cache watches.
    let catalog: String
    let channel: EmbeddedChannel

    init() throws {
        work = try TemporaryFolder("fast")
        file = work.file("rendition.webp")
        FileManager.default.createFile(atPath: file, contents: Data("RIFF-rendition".utf8))
        catalog = work.file("catalog.sqlite")
        store = try SQLiteCatalog(path: catalog)
        cache = RenditionCache(signal: store)
        channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            RenditionFastPath(cache: cache, metrics: GalleryMetrics(), log: nil))
    }

    func entry(publicFrom: Date?) throws -> RenditionCache.Entry {
        RenditionCache.Entry(
            path: file, stamp: try #require(FileStat.of(file)), etag: "\"e1\"", mimeType: "image/webp",
            bytes: ByteBuffer(string: "RIFF-rendition"), visibility: Visibility(from: publicFrom))
    }

    /// Keeps the rendition in memory as the router does: at the catalog's version now.
    func keep(publicFrom: Date? = Date(timeIntervalSince1970: 0)) throws {
        let ticket = cache.entries.ticket()
        guard case .current(let version) = store.currentVersion() else {
            Issue.record("the catalog's version cannot be read")
            return
        }
        cache.store("0123456789abcdef/thumb.webp", try entry(publicFrom: publicFrom), at: version, ticket: ticket)
    }

    func send(_ path: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:]) throws {
        try channel.writeInbound(
            HTTPRequestPart.head(
                HTTPRequest(method: method, scheme: nil, authority: "x", path: path, headerFields: headers)))
        try channel.writeInbound(HTTPRequestPart.end(nil))
    }

    /// The parts the handler wrote out, until none is left.
    func answered() throws -> [HTTPResponsePart] {
        var parts: [HTTPResponsePart] = []
        while let part = try channel.readOutbound(as: HTTPResponsePart.self) { parts.append(part) }
        return parts
    }

    func passedOn() throws -> [HTTPRequestPart] {
        var parts: [HTTPRequestPart] = []
        while let part = try channel.readInbound(as: HTTPRequestPart.self) { parts.append(part) }
        return parts
    }

    @Test("a public rendition in memory is answered from the event loop with its headers and bytes")
    func answersPublic() throws {
        try keep()
        try send("/r/0123456789abcdef/thumb.webp")
        let parts = try answered()
        guard case .head(let head) = parts.first else {
            Issue.record("no answer: \(parts)")
            return
        }
        #expect(head.status == .ok)
        #expect(head.headerFields[.cacheControl] == "public, max-age=31536000, immutable")
        #expect(head.headerFields[.contentLength] == "14" && head.headerFields[.eTag] == "\"e1\"")
        #expect(head.headerFields[.contentSecurityPolicy] != nil && head.headerFields[.date] != nil)
        guard case .body(let body) = parts[1], case .end = parts[2] else {
            Issue.record("no body: \(parts)")
            return
        }
        #expect(String(buffer: body) == "RIFF-rendition")
        #expect(try passedOn().isEmpty)
    }

    @Test("HEAD is answered without a body")
    func head() throws {
        try keep()
        try send("/r/0123456789abcdef/thumb.webp", method: .head)
        let parts = try answered()
        #expect(parts.count == 2)
        if case .end = parts.last {} else { Issue.record("no end: \(parts)") }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var path = "/r/0123456789abcdef/thumb.webp"
        var headers: HTTPFields = [:]
        var testDescription: String { label }
    }

    @Test(
        "private, embargoed, ranged, conditional, escaped or unknown requests go on to the router",
        arguments: [
            Case(label: "private"), Case(label: "embargoed"), Case(label: "range", headers: [.range: "bytes=0-1"]),
            Case(label: "conditional", headers: [.ifNoneMatch: "\"e1\""]),
            Case(label: "escaped", path: "/r/0123456789abcdef/thumb%2ewebp"),
            Case(label: "query", path: "/r/0123456789abcdef/thumb.webp?x=1"),
            Case(label: "unknown", path: "/r/fedcba9876543210/thumb.webp"),
            Case(label: "close", headers: [.connection: "close"]),
        ])
    func passesOn(_ test: Case) throws {
        let (label, path, headers) = (test.label, test.path, test.headers)
        let publicFrom: Date? =
            switch label {
            case "private": nil
            case "embargoed": Date().addingTimeInterval(3600)
            default: Date(timeIntervalSince1970: 0)
            }
        try keep(publicFrom: publicFrom)
        try send(path, headers: headers)
        #expect(try answered().isEmpty, "\(label) was answered by the fast path")
        #expect(try passedOn().count == 2, "\(label): head and end go on")
    }

    @Test("while the connection holds answers the client has not read, renditions go on to the router")
    func notWritable() throws {
        try keep()
        channel.isWritable = false
        try send("/r/0123456789abcdef/thumb.webp")
        #expect(try answered().isEmpty)
        #expect(try passedOn().count == 2)
    }

    @Test("answers stay in order: while a request passed on is unanswered, the next ones go on too")
    func order() throws {
        try keep()
        try send("/photos")
        try send("/r/0123456789abcdef/thumb.webp")
        #expect(try answered().isEmpty)
        #expect(try passedOn().count == 4)
        // The router answers the first; the next rendition request is the fast path's again.
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        _ = try answered()
        try send("/r/0123456789abcdef/thumb.webp")
        #expect(try answered().count == 3)
    }

    @Test(
        "after another process writes to the catalog, renditions go on to the router (before any notification) until one is read at the new version"
    )
    func catalogWrittenElsewhere() async throws {
        try keep()
        try send("/r/0123456789abcdef/thumb.webp")
        #expect(try answered().count == 3)

        // `photodesk article publish` commits, from a connection of its own.
        _ = try await SQLiteCatalog(path: catalog).saveArticle(
            Article(slug: "visit", headline: "A visit"), uses: [], expectingVersion: nil)
        try send("/r/0123456789abcdef/thumb.webp")
        #expect(try answered().isEmpty, "answered from memory after a write it has not checked")
        #expect(try passedOn().count == 2)
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        _ = try answered()

        // The router read the rendition again, at the catalog's new version.
        try keep()
        try send("/r/0123456789abcdef/thumb.webp")
        #expect(try answered().count == 3)

        // Bookkeeping no page shows (a sign-in attempt) leaves the version as it was.
        _ = try await SQLiteCatalog(path: catalog).chargeLoginAttempt(
            keys: ["address:127.0.0.1"], policy: ThrottlePolicy(), now: Date())
        try send("/r/0123456789abcdef/thumb.webp")
        #expect(try answered().count == 3)
    }

    @Test("while the catalog's version cannot be told (a lost notification connection), nothing comes from memory")
    func unreadableVersion() throws {
        let signal = SettableSignal(.current(CatalogVersion(7)))
        let cache = RenditionCache(signal: signal)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            RenditionFastPath(cache: cache, metrics: GalleryMetrics(), log: nil))
        cache.store(
            "0123456789abcdef/thumb.webp", try entry(publicFrom: Date(timeIntervalSince1970: 0)),
            at: CatalogVersion(7), ticket: cache.entries.ticket())
        #expect(cache.servable("0123456789abcdef/thumb.webp") != nil)
        signal.reading = .unreadable
        #expect(cache.servable("0123456789abcdef/thumb.webp") == nil)
        signal.reading = .current(CatalogVersion(8))
        #expect(cache.servable("0123456789abcdef/thumb.webp") == nil, "an entry of an older version")
        signal.reading = .current(CatalogVersion(7))
        #expect(cache.servable("0123456789abcdef/thumb.webp") != nil)
    }

    @Test("a cleared cache (a write in this process) answers nothing from memory, and keeps nothing read before")
    func cleared() throws {
        let before = cache.entries.ticket()
        try keep()
        cache.entries.clear()
        try send("/r/0123456789abcdef/thumb.webp")
        #expect(try answered().isEmpty)
        _ = try passedOn()
        guard case .current(let version) = store.currentVersion() else { return }
        cache.store(
            "0123456789abcdef/thumb.webp", try entry(publicFrom: Date(timeIntervalSince1970: 0)), at: version,
            ticket: before)
        #expect(cache.servable("0123456789abcdef/thumb.webp") == nil, "an entry read before the clear is not kept")
    }
}

/// A change signal a test sets by hand, for what a real catalog cannot be made to say on cue
/// (its notification connection lost).
final class SettableSignal: ChangeSignal, @unchecked Sendable {
    // @unchecked: `reading` is only touched with `lock` held.
    private let lock = NSLock()
    private var current: VersionReading

    init(_ reading: VersionReading) {
        current = reading
    }

    var reading: VersionReading {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    func currentVersion() -> VersionReading { reading }
    func changeCounter() async throws -> Int64 { 0 }
    func changes() -> AsyncStream<CatalogVersion> { AsyncStream { $0.finish() } }
}

/// The access log's lines and its writer, which writes a tenth of a second at a time.
@Suite("Access log")
struct AccessLogTests {
    @Test("a line's values: milliseconds as Double writes them, values quoted only when they need it")
    func lineValues() {
        for (seconds, text) in [(0.0, "0.0"), (0.0037, "3.7"), (0.01205, "12.05"), (0.00001, "0.01"), (2.5, "2500.0")] {
            #expect(AccessLog.milliseconds(seconds) == text, "\(seconds)")
            #expect(AccessLog.milliseconds(seconds) == "\((seconds * 100_000).rounded() / 100)")
        }
        #expect(AccessLog.quoted("/r/0123/thumb.webp") == "/r/0123/thumb.webp")
        #expect(AccessLog.quoted("") == "")
        #expect(AccessLog.quoted("a b") == "\"a b\"")
        #expect(AccessLog.quoted("x\"y") == "\"x\\\"y\"")
        #expect(AccessLog.quoted("bell\u{7}") == "bell\\x07")
        #expect(AccessLog.quoted("Hà Nội") == "\"Hà Nội\"")
        let line = AccessLog.line(
            method: "GET", path: "/search?q=a b", route: "/search", status: 200, seconds: 0.0042, bytes: 12,
            user: nil, client: "127.0.0.1", requestID: "r1")
        #expect(
            line.hasSuffix(
                " access method=GET path=\"/search?q=a b\" route=/search status=200 ms=4.2 bytes=12 user=- client=127.0.0.1 request_id=r1"
            ))
    }

    @Test("every line appended is written, in order, by the time the log is closed")
    func writesEveryLine() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let reading = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        let log = AccessLog(descriptor: ends[1])
        for index in 0..<2_000 { log.append("line \(index)") }
        log.close()
        close(ends[1])
        let text = String(decoding: reading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text == (0..<2_000).map { "line \($0)\n" }.joined())
    }
}
