import Foundation
import PhotoModel

/// What the desk derived about whether a photo may run, kept with the photo so that readers'
/// visibility stays one comparison and search can filter on it. The desk computes it (from the
/// rights rules, the photo's fields, its leases and its kill) and writes it with a compare-and-set
/// on `version`; the store folds `usableFrom`/`usableUntil` into the photo's `publicFrom` and
/// `publicUntil`.
public struct PhotoRightsState: Codable, Sendable, Equatable {
    /// The rights category ("agency", ...), as the rules gave it.
    public var category: String
    /// The cost ("free", "conditional", "pay", "deny").
    public var cost: String
    /// Whether the photo's instructions or usage terms carry restrictions.
    public var restricted: Bool
    /// Whether the photo is killed (withdrawn everywhere).
    public var killed: Bool
    /// From when the photo may run on its own rights; nil when never (killed, denied, a pay
    /// photo without a lease).
    public var usableFrom: Date?
    /// Until when (excluded) it may; nil for no end.
    public var usableUntil: Date?
    /// Increases with every change of the rights or their inputs (leases, kills): the value a
    /// compare-and-set expects.
    public var version: Int

    /// A photo nothing was derived for yet: usable, unknown, conditional.
    public static let initial = PhotoRightsState(
        category: "unknown", cost: "conditional", restricted: false, killed: false,
        usableFrom: Date(timeIntervalSince1970: 0),
        usableUntil: nil, version: 0)

    /// Makes a state.
    public init(
        category: String, cost: String, restricted: Bool, killed: Bool, usableFrom: Date?, usableUntil: Date?,
        version: Int
    ) {
        self.category = category
        self.cost = cost
        self.restricted = restricted
        self.killed = killed
        self.usableFrom = usableFrom
        self.usableUntil = usableUntil
        self.version = version
    }

    /// Whether two states say the same (the version aside).
    public func sameDecision(as other: PhotoRightsState) -> Bool {
        var other = other
        other.version = version
        return self == other
    }
}

/// A lease: permission to use (or a ban on using) a photo for a period, for one article or all.
public struct Lease: Codable, Sendable, Equatable {
    /// The store's key; nil before it is saved.
    public var id: Int64?
    public var sha256: String
    /// True for an allowing lease, false for a denying one.
    public var allow: Bool
    /// From when (nil: from always).
    public var from: Date?
    /// Until when, excluded (nil: no end).
    public var until: Date?
    /// The article it is for (its slug); nil for every use.
    public var article: String?
    /// Why, as the editor wrote it (a contract number, an invoice).
    public var note: String
    /// Who made it.
    public var by: String
    public var createdAt: Date
    /// When it was revoked, by whom and why; nil while it stands.
    public var revokedAt: Date?
    public var revokedBy: String?
    public var revokeNote: String?

    /// Makes a lease.
    public init(
        id: Int64? = nil, sha256: String, allow: Bool, from: Date?, until: Date?, article: String?, note: String,
        by: String, createdAt: Date, revokedAt: Date? = nil, revokedBy: String? = nil, revokeNote: String? = nil
    ) {
        self.id = id
        self.sha256 = sha256
        self.allow = allow
        self.from = from
        self.until = until
        self.article = article
        self.note = note
        self.by = by
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.revokedBy = revokedBy
        self.revokeNote = revokeNote
    }
}

/// One entry of a photo's rights history: a lease made or revoked, a kill or unkill, a
/// publication the guard refused but an admin overrode.
public struct RightsEvent: Codable, Sendable, Equatable {
    /// What happened.
    public enum Action: String, Codable, Sendable, CaseIterable {
        case lease, revoke, kill, unkill, override
    }

    public var sha256: String
    public var action: Action
    public var at: Date
    public var by: String
    /// Why (the lease's note, the kill's reason, the override's reason).
    public var reason: String
    /// The lease it concerns, for `lease` and `revoke`.
    public var leaseId: Int64?
    /// The article it concerns, for `override`.
    public var article: String?

    /// Makes an event.
    public init(
        sha256: String, action: Action, at: Date, by: String, reason: String, leaseId: Int64? = nil,
        article: String? = nil
    ) {
        self.sha256 = sha256
        self.action = action
        self.at = at
        self.by = by
        self.reason = reason
        self.leaseId = leaseId
        self.article = article
    }
}

/// A change of a photo's rights inputs, written with the derived state in one transaction.
public enum RightsChange: Sendable, Equatable {
    /// A new lease (its id is assigned by the store).
    case addLease(Lease)
    /// A lease revoked, by whom, when and why.
    case revokeLease(id: Int64, by: String, at: Date, note: String)
    /// The photo killed or unkilled.
    case kill(Bool, by: String, at: Date, reason: String)
    /// A note in the history only (an override).
    case note(RightsEvent)
}

extension RightsChange {
    /// The history entry the change makes (a new lease's once the store gave it its id).
    public func event(sha256: String, leaseId: Int64?) -> RightsEvent {
        switch self {
        case .addLease(let lease):
            RightsEvent(
                sha256: sha256, action: .lease, at: lease.createdAt, by: lease.by, reason: lease.note,
                leaseId: leaseId, article: lease.article)
        case .revokeLease(let id, let by, let at, let note):
            RightsEvent(sha256: sha256, action: .revoke, at: at, by: by, reason: note, leaseId: id)
        case .kill(let kill, let by, let at, let reason):
            RightsEvent(sha256: sha256, action: kill ? .kill : .unkill, at: at, by: by, reason: reason)
        case .note(let event): event
        }
    }
}

/// Everything about one photo's rights the store keeps.
public struct PhotoRights: Sendable, Equatable {
    public var state: PhotoRightsState
    /// Every lease, oldest first, revoked ones included.
    public var leases: [Lease]
    /// The history, oldest first.
    public var events: [RightsEvent]

    /// Makes a photo's rights.
    public init(state: PhotoRightsState, leases: [Lease], events: [RightsEvent]) {
        self.state = state
        self.leases = leases
        self.events = events
    }
}

/// A killed photo as `kills` lists it.
public struct KillRecord: Sendable, Equatable {
    public var sha256: String
    public var at: Date
    public var by: String
    public var reason: String

    /// Makes a record.
    public init(sha256: String, at: Date, by: String, reason: String) {
        self.sha256 = sha256
        self.at = at
        self.by = by
        self.reason = reason
    }
}

/// A setting every node shares (the rights rules), with who set it and when.
public struct StoredSetting: Sendable, Equatable {
    public var value: String
    public var by: String
    public var at: Date
    /// Increases with every change.
    public var version: Int

    /// Makes a setting.
    public init(value: String, by: String, at: Date, version: Int) {
        self.value = value
        self.by = by
        self.at = at
        self.version = version
    }
}
