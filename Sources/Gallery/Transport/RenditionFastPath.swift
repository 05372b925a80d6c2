import Foundation
import HTTPTypes
import Hummingbird
import Imaging
import NIOCore
import NIOHTTPTypes

/// Answers `GET /r/ID/FILE` for a public rendition held in memory from the event loop that read
/// the request, before the request becomes a task: no router, no middleware chain, no task switch.
/// Only renditions of photos readers may see now are answered here; an unpublished photo's go
/// to the router, which checks who is asking, and so does every rendition while the catalog's
/// files show a write that the cache has not been checked against yet.
///
/// Everything else goes on to the router, and so does a rendition request whenever the answer
/// needs more than the bytes in memory: a `Range`, a conditional request, `Connection: close`,
/// a rendition not yet read or whose file changed (one `stat`, as the router's path does). The
/// answer carries the same headers as the router's (security headers included), is counted in
/// `/metrics` under the same route and written to the access log.
///
/// Responses stay in request order: while a request passed on is unanswered, the requests after
/// it on the connection are passed on too.
final class RenditionFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The route label the router's path records, so that `/metrics` shows one route.
    static let route = "/r/{id}/{file}"

    let cache: RenditionCache
    let metrics: GalleryMetrics
    let log: AccessLog?

    /// Requests passed on whose response has not ended yet.
    private var passedOn = 0
    /// The request being answered here, from its head until its end.
    private var pending: Pending?

    private struct Pending {
        var entry: RenditionCache.Entry
        var head: Bool
        var path: String
        var started: ContinuousClock.Instant
    }

    init(cache: RenditionCache, metrics: GalleryMetrics, log: AccessLog?) {
        self.cache = cache
        self.metrics = metrics
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            // A client that does not read its answers gets them through the router, which stops
            // reading from the connection until it does.
            if passedOn == 0, context.channel.isWritable, let entry = answerable(request) {
                pending = Pending(
                    entry: entry, head: request.method == .head, path: request.path ?? "", started: .now)
                return
            }
            passedOn += 1
            context.fireChannelRead(data)
        case .body:
            // A GET's body means nothing; one being answered here is dropped.
            if pending == nil { context.fireChannelRead(data) }
        case .end:
            guard let answer = pending else {
                context.fireChannelRead(data)
                return
            }
            pending = nil
            respond(context, answer)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { passedOn = max(0, passedOn - 1) }
        context.write(data, promise: promise)
    }

    /// The cached rendition this request asks for, when it can be answered from memory alone.
    func answerable(_ request: HTTPRequest) -> RenditionCache.Entry? {
        guard request.method == .get || request.method == .head, let path = request.path,
            request.headerFields[.range] == nil, request.headerFields[.ifNoneMatch] == nil,
            request.headerFields[.ifRange] == nil,
            !(request.headerFields[.connection]?.lowercased().contains("close") ?? false)
        else { return nil }
        // "/r/" then "ID/FILE": one slash, no query, no escapes (those go to the router).
        let bytes = path.utf8
        guard bytes.starts(with: "/r/".utf8) else { return nil }
        var slashes = 0
        for byte in bytes.dropFirst(3) {
            if byte == UInt8(ascii: "/") { slashes += 1 }
            if byte == UInt8(ascii: "?") || byte == UInt8(ascii: "%") { return nil }
        }
        guard slashes == 1 else { return nil }
        return cache.servable(String(path.dropFirst(3)))
    }

    private func respond(_ context: ChannelHandlerContext, _ answer: Pending) {
        let bytes = answer.entry.bytes ?? ByteBuffer()
        let length = bytes.readableBytes
        var fields = answer.entry.answerHeaders
        fields.append(HTTPField(name: .date, value: HTTPDate.now()))
        let response = HTTPResponse(status: .ok, headerFields: fields)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        if !answer.head { context.write(wrapOutboundOut(.body(bytes)), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)

        Self.note(
            head: answer.head, path: answer.path, bytes: length, started: answer.started, metrics: metrics, log: log,
            client: { context.channel.remoteAddress?.ipAddress ?? "-" })
    }

    /// Counts a rendition answered from memory in `/metrics`, under the router's route, and
    /// writes its access log line (`client` is asked only when there is a log): for both fast
    /// paths.
    static func note(
        head: Bool, path: String, bytes: Int, started: ContinuousClock.Instant, metrics: GalleryMetrics,
        log: AccessLog?, client: () -> String
    ) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let method = head ? "HEAD" : "GET"
        metrics.record(method: method, route: route, status: 200, seconds: seconds, bytes: bytes, fromMemory: true)
        log?.append(
            AccessLog.line(
                method: method, path: path, route: route, status: 200, seconds: seconds, bytes: bytes, user: nil,
                client: client(), requestID: "-"))
    }
}
