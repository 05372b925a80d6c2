import Foundation
import Imaging
import NIOCore

/// Answers `GET /r/ID/FILE` for a public rendition held in memory from the bytes the connection
/// read, before the HTTP decoder sees them: no parsing into header lists, no conversion to
/// `HTTPRequest`, no response encoder. The first handler of every connection.
///
/// It answers only a request it reads whole and fully understands, a strict subset of HTTP/1.1:
/// `GET` or `HEAD`, the target `/r/` then `ID/FILE` in letters, digits, `.`, `-` and `_`,
/// `HTTP/1.1`, header lines ending in CRLF with a token name and a value without control bytes,
/// and none of the headers that change the answer or announce a body (`Content-Length`,
/// `Transfer-Encoding`, `Range`, any `If-*`, `Expect`, `Upgrade`, a `Connection` other than
/// `keep-alive`). The rendition must be one `RenditionCache.servable` gives (public now, in
/// memory, its file unchanged, the catalog unchanged).
///
/// The first request that is anything else (or arrives in pieces, or while the connection holds
/// unsent answers) goes on to the HTTP decoder
/// with every byte after it, and so does everything the connection sends from then on: the
/// decoder never sees a request begin in the middle, and answers stay in request order. Those
/// requests still meet `RenditionFastPath` after the decoder.
///
/// The answer carries the same headers as the router's, is counted in `/metrics` under the same
/// route and written to the access log; `HeaderTimeoutHandler` hears of it through `Answered`.
final class RawRenditionPath: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Sent down the pipeline after answering what one read held: for the connection's timers.
    struct Answered {}

    /// A request read whole: what it asks for and how many bytes it took.
    struct Request: Equatable {
        var head: Bool
        /// The target, `/r/ID/FILE`.
        var path: String
        var length: Int

        /// `ID/FILE`, the cache's key.
        var key: String { String(path.dropFirst(3)) }
    }

    /// The most a request's head may take here; a longer one goes to the decoder.
    static let maxHead = 8 << 10

    let cache: RenditionCache
    let metrics: GalleryMetrics
    let log: AccessLog?
    /// Set once a byte went on to the decoder: from then on every byte does.
    private var passing = false
    private var client: String?

    init(cache: RenditionCache, metrics: GalleryMetrics, log: AccessLog?) {
        self.cache = cache
        self.metrics = metrics
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if passing {
            context.fireChannelRead(data)
            return
        }
        var buffer = unwrapInboundIn(data)
        var answered = false
        // While the client does not read its answers, the requests go on to the decoder, whose
        // path stops reading from the connection until it does: answers never pile up here.
        while buffer.readableBytes > 0, context.channel.isWritable {
            let started = ContinuousClock.now
            guard let request = buffer.withUnsafeReadableBytes({ Self.parse($0) }),
                let entry = cache.servable(request.key)
            else { break }
            buffer.moveReaderIndex(forwardBy: request.length)
            respond(context, request, entry, started: started)
            answered = true
        }
        if answered {
            context.flush()
            context.fireUserInboundEventTriggered(Answered())
        }
        if buffer.readableBytes > 0 {
            passing = true
            context.fireChannelRead(wrapInboundOut(buffer))
        }
    }

    private func respond(
        _ context: ChannelHandlerContext, _ request: Request, _ entry: RenditionCache.Entry,
        started: ContinuousClock.Instant
    ) {
        let body = entry.bytes ?? ByteBuffer()
        let length = body.readableBytes
        let inline = request.head || length <= 16 << 10
        var head = context.channel.allocator.buffer(
            capacity: entry.rawHead.readableBytes + 48 + (request.head ? 0 : inline ? length : 0))
        head.writeImmutableBuffer(entry.rawHead)
        head.writeStaticString("date: ")
        head.writeString(HTTPDate.now())
        head.writeStaticString("\r\n\r\n")
        if request.head {
            context.write(NIOAny(head), promise: nil)
        } else if inline {
            head.writeImmutableBuffer(body)
            context.write(NIOAny(head), promise: nil)
        } else {
            context.write(NIOAny(head), promise: nil)
            context.write(NIOAny(body), promise: nil)
        }

        RenditionFastPath.note(
            head: request.head, path: request.path, bytes: length, started: started, metrics: metrics, log: log
        ) {
            // One connection, one address: asked of the channel once.
            if client == nil { client = context.channel.remoteAddress?.ipAddress ?? "-" }
            return client ?? "-"
        }
    }

    /// The request at the start of `bytes` when it is one answered here and it is all there;
    /// nil for anything else.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Request? {
        let count = min(bytes.count, maxHead)
        var index: Int
        let head: Bool
        if matches(bytes, at: 0, "GET /r/") {
            head = false
            index = 4
        } else if matches(bytes, at: 0, "HEAD /r/") {
            head = true
            index = 5
        } else {
            return nil
        }
        // The target: "/r/", then ID/FILE with one slash.
        let pathStart = index
        index += 3
        var slashes = 0
        while index < count, bytes[index] != space {
            let byte = bytes[index]
            if byte == slash {
                slashes += 1
            } else if !isPathByte(byte) {
                return nil
            }
            index += 1
        }
        let pathEnd = index
        guard slashes == 1, bytes[pathEnd - 1] != slash, matches(bytes, at: index, " HTTP/1.1\r\n") else { return nil }
        index += 11
        // Header lines, to the empty line.
        while true {
            guard index + 1 < count else { return nil }
            if bytes[index] == cr {
                guard bytes[index + 1] == lf else { return nil }
                index += 2
                break
            }
            let nameStart = index
            while index < count, bytes[index] != colon {
                guard isTokenByte(bytes[index]) else { return nil }
                index += 1
            }
            guard index < count, index > nameStart else { return nil }
            let nameEnd = index
            index += 1
            let valueStart = index
            while index < count, bytes[index] != cr {
                let byte = bytes[index]
                guard byte >= 0x20 && byte != 0x7F || byte == tab else { return nil }
                index += 1
            }
            guard index + 1 < count, bytes[index + 1] == lf else { return nil }
            guard
                allowed(
                    name: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]),
                    value: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<index]))
            else { return nil }
            index += 2
        }
        return Request(
            head: head,
            path: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[pathStart..<pathEnd]), as: UTF8.self),
            length: index)
    }

    /// Whether a header leaves the answer as it is and announces no body.
    static func allowed(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool {
        if name.count >= 3, lowered(name[0]) == UInt8(ascii: "i"), lowered(name[1]) == UInt8(ascii: "f"),
            name[2] == UInt8(ascii: "-")
        {
            return false
        }
        for refused in refusedNames where equalsIgnoringCase(name, refused) { return false }
        if equalsIgnoringCase(name, "connection") {
            // "keep-alive" and nothing else, give or take spaces.
            var start = 0
            var end = value.count
            while start < end, value[start] == space || value[start] == tab { start += 1 }
            while end > start, value[end - 1] == space || value[end - 1] == tab { end -= 1 }
            return equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: value[start..<end]), "keep-alive")
        }
        return true
    }

    private static let refusedNames: [StaticString] = [
        "content-length", "transfer-encoding", "range", "expect", "upgrade", "te", "trailer",
    ]

    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let slash = UInt8(ascii: "/")
    private static let colon = UInt8(ascii: ":")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    private static func isPathByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default: return false
        }
    }

    /// RFC 9110's `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    private static func matches(_ bytes: UnsafeRawBufferPointer, at offset: Int, _ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        let start = text.utf8Start
        for index in 0..<count where bytes[offset + index] != start[index] { return false }
        return true
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let start = text.utf8Start
        for index in 0..<count where lowered(bytes[index]) != start[index] { return false }
        return true
    }
}
