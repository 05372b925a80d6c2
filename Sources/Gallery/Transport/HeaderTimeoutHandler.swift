import NIOCore
import NIOHTTPTypes

/// A connection's two clocks, in one handler and one timer:
///
/// - the header timeout: from the moment the connection opens, and again from each answer's end,
///   the client has `headerTimeout` to send a complete head. A client dribbling a header a byte at
///   a time (which keeps an idle timer happy) is cut off all the same;
/// - the idle timeout: a connection with no request in progress, or whose request body stops
///   arriving, for `idleTimeout` is closed. While an answer is being made nothing is timed.
///
/// Requests answered by `RawRenditionPath` never reach this handler as parts: it tells of each
/// batch it answered with `RawRenditionPath.Answered`, which counts as an answer's end.
///
/// The timer is not moved with every request: each event sets a deadline, and the one scheduled
/// task, when it fires early, schedules itself again for the deadline then current.
final class HeaderTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// From an answer's end to the next complete head (and from the opening to the first).
    let waitForHead: TimeAmount
    /// From one part of a request body to the next.
    let idleTimeout: TimeAmount
    private var timer: Scheduled<Void>?
    /// When the scheduled task runs.
    private var timerAt: NIODeadline?
    /// When the connection is closed unless something happens first; nil while an answer is made.
    private var deadline: NIODeadline?
    /// Requests whose head arrived and whose answer has not ended.
    private var open = 0
    /// Between a request's head and its end.
    private var readingBody = false

    init(timeout: TimeAmount, idleTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
        // Between requests both clocks run from the same moment (the idle one also counts only
        // whole heads): the shorter one decides.
        self.waitForHead = min(timeout, idleTimeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { set(context.eventLoop.now + waitForHead, context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelActive(context: ChannelHandlerContext) {
        set(context.eventLoop.now + waitForHead, context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            open += 1
            readingBody = true
            set(context.eventLoop.now + idleTimeout, context)
        case .body:
            if readingBody { set(context.eventLoop.now + idleTimeout, context) }
        case .end:
            readingBody = false
            set(nil, context)
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is RawRenditionPath.Answered {
            if open == 0 { set(context.eventLoop.now + waitForHead, context) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            open = max(0, open - 1)
            if open == 0 { set(context.eventLoop.now + waitForHead, context) }
        }
        context.write(data, promise: promise)
    }

    private func set(_ deadline: NIODeadline?, _ context: ChannelHandlerContext) {
        self.deadline = deadline
        guard let deadline, timerAt.map({ deadline < $0 }) ?? true else { return }
        schedule(at: deadline, context)
    }

    private func schedule(at when: NIODeadline, _ context: ChannelHandlerContext) {
        timer?.cancel()
        timerAt = when
        let channel = context.channel
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: when) { [weak self] in
            guard let self else { return }
            self.timer = nil
            self.timerAt = nil
            guard let deadline = self.deadline else { return }
            if deadline <= context.eventLoop.now {
                channel.close(promise: nil)
            } else {
                self.schedule(at: deadline, context)
            }
        }
    }

    private func stop() {
        timer?.cancel()
        timer = nil
        timerAt = nil
        deadline = nil
    }
}
