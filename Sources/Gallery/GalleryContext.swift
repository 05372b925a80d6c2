import Catalog
import Hummingbird
import NIOCore

/// The request context of the gallery: who is asking (a signed-in editor, an API token's
/// owner, or a reader) and from where.
public struct GalleryContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The signed-in user; nil for readers.
    public var viewer: Viewer?
    /// The client's address, for slowing down repeated failed logins.
    public var clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "local"
    }

    /// Whether the viewer manages users.
    var isAdmin: Bool { viewer?.role == .admin }
}

/// A signed-in user as a request sees them.
public struct Viewer: Sendable, Equatable {
    public var name: String
    public var role: Role
    /// The session's CSRF token; nil for API tokens, which need none (no cookie is involved).
    public var csrf: String?
    /// The hash of the session's secret, to end it on logout.
    public var sessionHash: String?
}
