import Catalog
import Foundation
import Hummingbird
import NIOCore

/// The request context of the gallery: who is asking (a signed-in editor, an API token's
/// owner, or a reader), from where, and the moment the request is judged at.
public struct GalleryContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The signed-in user; nil for readers.
    public var viewer: Viewer?
    /// The client's address: the peer's, or what a trusted proxy says it forwarded.
    public var clientAddress: String
    /// The peer's own address.
    public let peerAddress: String
    /// When the request arrived: embargoes and sessions are judged at this time.
    public var now: Date

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress ?? "local"
        clientAddress = peerAddress
        now = Date()
    }

    /// Whether the viewer manages users.
    var isAdmin: Bool { viewer?.role == .admin }

    /// What this viewer may see: editors everything, readers what is public now.
    var audience: Audience { viewer == nil ? .readers(at: now) : .editors }
}

/// A signed-in user as a request sees them.
public struct Viewer: Sendable, Equatable {
    public var name: String
    public var role: Role
    /// The session's CSRF token; nil for API tokens, which need none (no cookie is involved).
    public var csrf: String?
    /// The hash of the session's secret, to end it on logout.
    public var sessionHash: String?
    /// When this session last looked at the desk's front page.
    public var lastDeskVisit: Date?
}
