import Foundation

/// A lease as the guard sees it: permission to run a photo (or a ban on running it) for a
/// period, for one article or for every use.
public struct LeaseTerm: Sendable, Equatable {
    /// True for an allowing lease, false for a denying one.
    public var allow: Bool
    /// From when, included; nil for always.
    public var from: Date?
    /// Until when, excluded; nil for no end.
    public var until: Date?
    /// The article it is for (its slug); nil for every article and the photo on its own.
    public var article: String?

    /// Makes a lease term.
    public init(allow: Bool, from: Date? = nil, until: Date? = nil, article: String? = nil) {
        self.allow = allow
        self.from = from
        self.until = until
        self.article = article
    }

    /// Whether the lease is in force at `time`: from ≤ time < until.
    public func covers(_ time: Date) -> Bool {
        (from.map { $0 <= time } ?? true) && (until.map { time < $0 } ?? true)
    }

    /// Whether the lease counts for a use: a lease for every article always does; one for an
    /// article only for that article (not for the photo on its own, `article` nil).
    public func applies(to article: String?) -> Bool {
        self.article == nil || self.article == article
    }
}

/// Why a photo may not run.
public enum Refusal: Sendable, Equatable {
    /// Its cost is deny (the rule named, nil for the default) and no allowing lease covers it.
    case denied(rule: String?)
    /// It costs a lease and no allowing lease covers it.
    case needsLease
    /// A denying lease covers it (a denying lease wins over an allowing one).
    case leaseDenied
    /// An embargo holds it until then.
    case embargoed(until: Date)
    /// It was killed: withdrawn everywhere.
    case killed

    /// The refusal as a short code: `denied`, `needs-lease`, `lease-denied`, `embargoed`, `killed`.
    public var code: String {
        switch self {
        case .denied: "denied"
        case .needsLease: "needs-lease"
        case .leaseDenied: "lease-denied"
        case .embargoed: "embargoed"
        case .killed: "killed"
        }
    }

    /// A sentence an editor reads: "embargoed until 2026-12-08 05:00 UTC". ``RightsDecision``
    /// says more (the rule, the time, the article).
    public var reason: String {
        switch self {
        case .denied(let rule): "denied photo\(Self.naming(rule)) with no lease allowing it"
        case .needsLease: "pay photo with no lease covering it"
        case .leaseDenied: "a lease denies it"
        case .embargoed(let until): "embargoed until \(EmbargoTime.describe(until))"
        case .killed: "killed"
        }
    }

    /// " (rule Reuters)", or nothing for the default.
    static func naming(_ rule: String?) -> String {
        rule.map { " (rule \($0))" } ?? ""
    }
}

/// Whether a photo may run for a use at a time, and why not, with what it was decided from.
public struct RightsDecision: Sendable, Equatable {
    /// What the rules said about the photo.
    public var classification: RightsClassification
    /// The restrictions of its instructions and usage terms.
    public var restrictions: [Restriction]
    /// The instant decided for.
    public var time: Date
    /// The article it is for; nil for the photo on its own.
    public var article: String?
    /// Why it may not run; nil when it may.
    public var refusal: Refusal?

    /// Makes a decision.
    public init(
        classification: RightsClassification, restrictions: [Restriction], time: Date, article: String?,
        refusal: Refusal?
    ) {
        self.classification = classification
        self.restrictions = restrictions
        self.time = time
        self.article = article
        self.refusal = refusal
    }

    /// Whether the photo may run.
    public var mayRun: Bool { refusal == nil }

    /// A sentence an editor reads: "pay photo (rule Reuters) with no lease covering
    /// 2026-12-08 05:00 UTC", "may run (conditional, rule TTXVN)".
    public var reason: String {
        let at = EmbargoTime.describe(time)
        let use = article.map { " for article \($0)" } ?? ""
        let rule = Refusal.naming(classification.rule)
        guard let refusal else {
            return "may run (\(classification.cost.rawValue)\(classification.rule.map { ", rule \($0)" } ?? ""))"
        }
        switch refusal {
        case .denied: return "denied photo\(rule) with no lease allowing it at \(at)\(use)"
        case .needsLease: return "pay photo\(rule) with no lease covering \(at)\(use)"
        case .leaseDenied: return "a lease denies it at \(at)\(use)"
        case .embargoed, .killed: return refusal.reason
        }
    }
}

/// The rights guard: whether a photo may run, and the window during which it may.
public enum RightsGuard {
    /// Why a photo may not run at `time` for `article` (nil: on its own, or for every article),
    /// or nil when it may. In order:
    ///
    /// 1. killed: ``Refusal/killed``;
    /// 2. a denying lease that counts and covers the time: ``Refusal/leaseDenied`` (a deny wins
    ///    over an allow);
    /// 3. cost deny, without an allowing lease that counts and covers the time:
    ///    ``Refusal/denied(rule:)``;
    /// 4. cost pay, without one: ``Refusal/needsLease``;
    /// 5. an embargo not yet over (its `until` after `time`), even under a lease:
    ///    ``Refusal/embargoed(until:)`` with the latest such end.
    ///
    /// A lease counts when it is for every article, or for `article`; with `article` nil only
    /// leases for every article count. A lease covers [from, until). Free and conditional photos
    /// run otherwise (their other restrictions are the editor's to honour).
    public static func refusal(
        cost: RightsCost, rule: String?, restrictions: [Restriction], leases: [LeaseTerm], killed: Bool,
        at time: Date, article: String?
    ) -> Refusal? {
        if killed { return .killed }
        let counting = leases.filter { $0.applies(to: article) && $0.covers(time) }
        if counting.contains(where: { !$0.allow }) { return .leaseDenied }
        let allowed = counting.contains(where: \.allow)
        if cost == .deny, !allowed { return .denied(rule: rule) }
        if cost == .pay, !allowed { return .needsLease }
        if let until = embargoEnd(restrictions), until > time { return .embargoed(until: until) }
        return nil
    }

    /// The decision for a photo the rules classified, with its reason.
    public static func decide(
        _ classification: RightsClassification, restrictions: [Restriction], leases: [LeaseTerm], killed: Bool,
        at time: Date, article: String?
    ) -> RightsDecision {
        let refusal = refusal(
            cost: classification.cost, rule: classification.rule, restrictions: restrictions, leases: leases,
            killed: killed, at: time, article: article)
        return RightsDecision(
            classification: classification, restrictions: restrictions, time: time, article: article,
            refusal: refusal)
    }

    /// The interval [from, until) during which the photo may run on its own, as readers'
    /// visibility keeps it (one comparison when serving): the interval that contains `now`, or
    /// else the first that starts after `now`; nil when there is none (killed, denied or a pay
    /// photo with no allowing lease ahead, a denying lease forever).
    ///
    /// Only leases for every article count (`article` nil). The interval is maximal: at each
    /// instant inside it ``refusal(cost:rule:restrictions:leases:killed:at:article:)`` with
    /// `article` nil gives nil, and at `until` (and just before `from`, unless `from` is
    /// `distantPast`) it gives a refusal. It starts at the latest embargo's end or an allowing
    /// lease's start (or `distantPast` when it has always held), and ends where a denying lease
    /// starts or the allowing leases stop covering (nil for no end).
    ///
    /// Limitation: only that one interval is kept. When it ends and a later one opens (a second
    /// lease after a gap, a denying lease that ends), the window must be computed again (at its
    /// `until`, or whenever the leases change) to learn the next.
    public static func window(
        cost: RightsCost, restrictions: [Restriction], leases: [LeaseTerm], killed: Bool, after now: Date
    ) -> (from: Date, until: Date?)? {
        guard !killed else { return nil }
        let leases = leases.filter { $0.article == nil }
        let embargo = embargoEnd(restrictions)
        // Whether the photo runs is constant between consecutive boundaries (each rule of
        // `refusal` changes only where a lease starts or ends or the embargo ends, and each
        // interval is closed at its start), so it is decided once per piece, at its start.
        var bounds = Set<Double>()
        for lease in leases {
            if let from = lease.from { bounds.insert(from.timeIntervalSinceReferenceDate) }
            if let until = lease.until { bounds.insert(until.timeIntervalSinceReferenceDate) }
        }
        if let embargo { bounds.insert(embargo.timeIntervalSinceReferenceDate) }
        let starts = [-Double.infinity] + bounds.sorted()
        func runs(at start: Double) -> Bool {
            func covers(_ lease: LeaseTerm) -> Bool {
                (lease.from.map { $0.timeIntervalSinceReferenceDate <= start } ?? true)
                    && (lease.until.map { start < $0.timeIntervalSinceReferenceDate } ?? true)
            }
            let covering = leases.filter(covers)
            if covering.contains(where: { !$0.allow }) { return false }
            if cost == .deny || cost == .pay, !covering.contains(where: \.allow) { return false }
            if let embargo, start < embargo.timeIntervalSinceReferenceDate { return false }
            return true
        }
        // Maximal runs of pieces where the photo runs: [start, end), end nil for no end.
        let moment = now.timeIntervalSinceReferenceDate
        var index = 0
        while index < starts.count {
            guard runs(at: starts[index]) else {
                index += 1
                continue
            }
            var next = index + 1
            while next < starts.count, runs(at: starts[next]) { next += 1 }
            let end = next < starts.count ? starts[next] : nil
            if end.map({ moment < $0 }) ?? true {
                let from =
                    starts[index] == -.infinity ? Date.distantPast : Date(timeIntervalSinceReferenceDate: starts[index])
                return (from, end.map { Date(timeIntervalSinceReferenceDate: $0) })
            }
            index = next
        }
        return nil
    }

    /// The end of the latest embargo among the restrictions.
    static func embargoEnd(_ restrictions: [Restriction]) -> Date? {
        restrictions.filter { $0.kind == .embargo }.compactMap(\.until).max()
    }
}
