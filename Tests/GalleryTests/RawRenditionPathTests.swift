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

/// Counts the raw path's `Answered` events and passes every byte on, so the test reads what
/// would have reached the HTTP decoder.
private final class AnsweredCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    var answered = 0

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is RawRenditionPath.Answered { answered += 1 }
        context.fireUserInboundEventTriggered(event)
    }
}

/// The raw fast path as a channel handler in memory: bytes in, answer bytes (or the same bytes
/// passed on to the decoder) out.
@Suite("Rendition fast path on raw bytes (EmbeddedChannel)")
struct RawRenditionPathTests {
    let cache: RenditionCache
    /// The rendition and the catalog, removed with it after the test.
    let work: TemporaryFolder
    let file: String
    let catalog: String
    let channel: EmbeddedChannel
    private let counter = AnsweredCounter()
    let metrics = GalleryMetrics()

    static let target = "/r/0123456789abcdef/thumb.webp"
    static let get = "GET \(target) HTTP/1.1\r\nHost: x\r\nUser-Agent: wrk\r\n\r\n"

    init() throws {
        work = try TemporaryFolder("raw")
        file = work.file("rendition.webp")
        FileManager.default.createFile(atPath: file, contents: Data("RIFF-rendition".utf8))
        catalog = work.file("catalog.sqlite")
        cache = RenditionCache(signal: try SQLiteCatalog(path: catalog))
        channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            RawRenditionPath(cache: cache, metrics: metrics, log: nil), counter,
        ])
    }

    func store(publicFrom: Date? = Date(timeIntervalSince1970: 0)) throws {
        guard case .current(let version) = cache.signal.currentVersion() else {
            Issue.record("the catalog's version cannot be read")
            return
        }
        cache.store(
            "0123456789abcdef/thumb.webp",
            RenditionCache.Entry(
                path: file, stamp: try #require(FileStat.of(file)), etag: "\"e1\"", mimeType: "image/webp",
                bytes: ByteBuffer(string: "RIFF-rendition"), visibility: Visibility(from: publicFrom)),
            at: version, ticket: cache.entries.ticket())
    }

    func send(_ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    /// What was written to the connection, as text.
    func written() throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    /// What went on to the decoder, as text.
    func passedOn() throws -> String {
        var text = ""
        while let buffer = try channel.readInbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    /// An answer's head lines (lowercased names) and its body.
    func parse(_ answer: String) -> (status: String, headers: [String: String], body: String) {
        let parts = answer.components(separatedBy: "\r\n\r\n")
        var lines = parts[0].components(separatedBy: "\r\n")
        let status = lines.removeFirst()
        var headers: [String: String] = [:]
        for line in lines {
            let pair = line.split(separator: ":", maxSplits: 1)
            headers[pair[0].lowercased()] = pair[1].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    @Test("a whole GET for a public rendition in memory is answered from the bytes: the router's headers, the file")
    func answersGet() throws {
        try store()
        try send(Self.get)
        let answer = parse(try written())
        #expect(answer.status == "HTTP/1.1 200 OK")
        #expect(answer.headers["content-length"] == "14" && answer.headers["etag"] == "\"e1\"")
        #expect(answer.headers["content-type"] == "image/webp")
        #expect(answer.headers["cache-control"] == "public, max-age=31536000, immutable")
        #expect(
            answer.headers["content-security-policy"] != nil && answer.headers["x-content-type-options"] == "nosniff")
        #expect(answer.headers["date"]?.hasSuffix(" GMT") == true && answer.headers["server"] == "Photodesk")
        #expect(answer.body == "RIFF-rendition")
        #expect(try passedOn().isEmpty)
        #expect(counter.answered == 1)
        #expect(
            metrics.exposition(catalog: CatalogStatistics()).contains(
                "photodesk_http_requests_total{method=\"GET\",route=\"/r/{id}/{file}\",status=\"200\"} 1"))
    }

    @Test("HEAD gets the same head and no body; Connection: keep-alive in any case is answered")
    func answersHead() throws {
        try store()
        try send("HEAD \(Self.target) HTTP/1.1\r\nhost: x\r\nCONNECTION:  Keep-Alive \r\n\r\n")
        let answer = parse(try written())
        #expect(answer.status == "HTTP/1.1 200 OK" && answer.headers["content-length"] == "14")
        #expect(answer.body.isEmpty)
    }

    @Test("requests pipelined in one read are answered in order, each whole")
    func pipelined() throws {
        try store()
        try send(Self.get + Self.get + Self.get)
        let text = try written()
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK\r\n").count == 4)
        #expect(text.hasSuffix("RIFF-rendition"))
        #expect(try passedOn().isEmpty)
        #expect(counter.answered == 1, "one event for the read")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var request: String
        var testDescription: String { label }
    }

    static let refused: [Case] = [
        Case(label: "range", request: "GET \(target) HTTP/1.1\r\nRange: bytes=0-1\r\n\r\n"),
        Case(label: "if-none-match", request: "GET \(target) HTTP/1.1\r\nIf-None-Match: \"e1\"\r\n\r\n"),
        Case(label: "if-modified-since", request: "GET \(target) HTTP/1.1\r\nif-modified-since: x\r\n\r\n"),
        Case(label: "connection close", request: "GET \(target) HTTP/1.1\r\nConnection: close\r\n\r\n"),
        Case(label: "connection upgrade", request: "GET \(target) HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\n\r\n"),
        Case(label: "a body's length", request: "GET \(target) HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
        Case(label: "chunked", request: "GET \(target) HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        Case(label: "expect", request: "GET \(target) HTTP/1.1\r\nExpect: 100-continue\r\n\r\n"),
        Case(label: "HTTP/1.0", request: "GET \(target) HTTP/1.0\r\n\r\n"),
        Case(label: "POST", request: "POST \(target) HTTP/1.1\r\nHost: x\r\n\r\n"),
        Case(label: "query", request: "GET \(target)?x=1 HTTP/1.1\r\n\r\n"),
        Case(label: "escape", request: "GET /r/0123456789abcdef/thumb%2ewebp HTTP/1.1\r\n\r\n"),
        Case(label: "two slashes", request: "GET /r/0123456789abcdef/thumb.webp/ HTTP/1.1\r\n\r\n"),
        Case(label: "another path", request: "GET /photos HTTP/1.1\r\n\r\n"),
        Case(label: "unknown rendition", request: "GET /r/fedcba9876543210/thumb.webp HTTP/1.1\r\n\r\n"),
        Case(label: "half a head", request: "GET \(target) HTTP/1.1\r\nHost: x\r\n"),
        Case(label: "bare LF", request: "GET \(target) HTTP/1.1\nHost: x\n\n"),
        Case(label: "folded header", request: "GET \(target) HTTP/1.1\r\nHost: x\r\n y\r\n\r\n"),
        Case(label: "space before colon", request: "GET \(target) HTTP/1.1\r\nHost : x\r\n\r\n"),
        Case(label: "control byte", request: "GET \(target) HTTP/1.1\r\nHost: x\u{1}y\r\n\r\n"),
        Case(label: "lone CR", request: "GET \(target) HTTP/1.1\r\nHost: x\ry\r\n\r\n"),
        Case(label: "no name", request: "GET \(target) HTTP/1.1\r\n: x\r\n\r\n"),
    ]

    @Test("anything else goes on to the decoder byte for byte, and so does all that follows", arguments: refused)
    func passesOn(_ test: Case) throws {
        try store()
        try send(test.request)
        #expect(try written().isEmpty, "\(test.label) was answered")
        #expect(try passedOn() == test.request)
        // A request it would answer, after one it passed on, goes on too: answers stay in order.
        try send(Self.get)
        #expect(try written().isEmpty)
        #expect(try passedOn() == Self.get)
        #expect(counter.answered == 0)
    }

    @Test("private, embargoed and changed renditions go on to the decoder")
    func notServable() async throws {
        for publicFrom in [nil, Date().addingTimeInterval(3600)] {
            try store(publicFrom: publicFrom)
            let channel = EmbeddedChannel(handler: RawRenditionPath(cache: cache, metrics: metrics, log: nil))
            try channel.writeInbound(ByteBuffer(string: Self.get))
            #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
            #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == Self.get)
        }
        // The catalog written by another process: nothing from memory until the counter is read.
        try store()
        try await SQLiteCatalog(path: catalog).addAccount(Account(name: "lan", role: .editor, passwordHash: "x"))
        try send(Self.get)
        #expect(try written().isEmpty)
        #expect(try passedOn() == Self.get)
    }

    @Test("while the connection holds answers the client has not read, requests go on to the decoder")
    func notWritable() throws {
        try store()
        channel.isWritable = false
        try send(Self.get)
        #expect(try written().isEmpty)
        #expect(try passedOn() == Self.get)
    }

    @Test("answered requests, then one it does not answer: the rest of the read starts at that request")
    func answeredThenPassed() throws {
        try store()
        let other = "GET /photos HTTP/1.1\r\nHost: x\r\n\r\n"
        try send(Self.get + other + Self.get)
        #expect(try written().hasSuffix("RIFF-rendition"))
        #expect(try passedOn() == other + Self.get)
        #expect(counter.answered == 1)
    }

    @Test("bytes changed at random never crash the parser; what it accepts is a request it may answer")
    func mutations() throws {
        var generator = SeededRandom(seed: 20_261_201)
        let valid = Array(Self.get.utf8)
        for _ in 0..<20_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
            }
            guard let request = bytes.withUnsafeBytes({ RawRenditionPath.parse($0) }) else { continue }
            #expect(request.length <= bytes.count)
            #expect(Array(bytes[(request.length - 4)..<request.length]) == Array("\r\n\r\n".utf8))
            #expect(request.path.hasPrefix("/r/") && request.path.split(separator: "/").count == 3)
            let head = String(decoding: bytes[..<request.length], as: UTF8.self).lowercased()
            for refused in ["\r\nrange:", "\r\nif-", "\r\ncontent-length:", "\r\ntransfer-encoding:", "\n\n"] {
                #expect(!head.contains(refused), "accepted \(head.debugDescription)")
            }
        }
    }
}

/// The connection's timers on a clock the test moves: no sleeping.
@Suite("Connection timers (EmbeddedChannel)")
struct HeaderTimeoutTests {
    let loop = EmbeddedEventLoop()
    let channel: EmbeddedChannel

    init() throws {
        channel = EmbeddedChannel(loop: loop)
        try channel.pipeline.syncOperations.addHandler(
            HeaderTimeoutHandler(timeout: .seconds(20), idleTimeout: .seconds(60)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    func head() throws {
        try channel.writeInbound(
            HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "x", path: "/")))
    }

    func answer() throws {
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
    }

    @Test("no head within the header timeout of the opening: closed")
    func noHead() {
        loop.advanceTime(by: .seconds(19))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test("the clock starts again at each answer's end, and at each batch the raw path answered")
    func rearmed() throws {
        loop.advanceTime(by: .seconds(15))
        try head()
        try channel.writeInbound(HTTPRequestPart.end(nil))
        // Making the answer takes as long as it takes.
        loop.advanceTime(by: .seconds(100))
        #expect(channel.isActive)
        try answer()
        loop.advanceTime(by: .seconds(15))
        channel.pipeline.fireUserInboundEventTriggered(RawRenditionPath.Answered())
        loop.advanceTime(by: .seconds(15))
        #expect(channel.isActive, "the raw path's answer started the clock again")
        loop.advanceTime(by: .seconds(6))
        #expect(!channel.isActive)
    }

    @Test("a body that stops arriving is cut off after the idle timeout, not the header timeout")
    func stalledBody() throws {
        try head()
        loop.advanceTime(by: .seconds(50))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "part")))
        loop.advanceTime(by: .seconds(50))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(11))
        #expect(!channel.isActive)
    }

    @Test("a shorter idle timeout decides between requests")
    func shorterIdle() throws {
        let channel = EmbeddedChannel(loop: loop)
        try channel.pipeline.syncOperations.addHandler(
            HeaderTimeoutHandler(timeout: .seconds(20), idleTimeout: .seconds(5)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        loop.advanceTime(by: .seconds(6))
        #expect(!channel.isActive)
    }
}
