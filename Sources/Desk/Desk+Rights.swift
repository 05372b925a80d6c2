import Catalog
import Foundation
import PhotoModel
import Rights
import Synchronization

/// A photo's rights as the desk shows them (`show --json`, the API, the photo page): what the
/// rules made of it, its restrictions, leases and kill, and whether it may run now.
public struct RightsReport: Encodable, Sendable, Equatable {
    /// A lease as shown.
    public struct LeaseItem: Encodable, Sendable, Equatable {
        public var id: Int64
        /// "allow" or "deny".
        public var kind: String
        public var from: Date?
        public var until: Date?
        public var article: String?
        public var note: String
        public var by: String
        public var createdAt: Date
        /// "standing", "ended", "not yet" or "revoked".
        public var status: String
        public var revokedAt: Date?
        public var revokedBy: String?
        public var revokeNote: String?
    }

    /// The kill, when the photo is killed.
    public struct KillItem: Encodable, Sendable, Equatable {
        public var at: Date
        public var by: String
        public var reason: String
    }

    public var category: String
    public var cost: String
    /// The rule that gave them; nil for the rules' default.
    public var rule: String?
    public var restrictions: [Restriction]
    /// The credit line a "MANDATORY CREDIT" asks for (or the photo's credit when it names none).
    public var mandatoryCredit: String?
    public var leases: [LeaseItem]
    public var killed: Bool
    public var kill: KillItem?
    /// Whether the photo may run now (on its own: leases for one article aside).
    public var usableNow: Bool
    /// Why not, in a sentence; nil when it may.
    public var whyNot: String?
    /// The code of the reason ("killed", "denied", "needs-lease", "lease-denied", "embargoed").
    public var whyNotCode: String?
    /// The period it may run in, as derived (readers' visibility never exceeds it).
    public var usableFrom: Date?
    public var usableUntil: Date?
    /// Every lease, kill and override, oldest first.
    public var history: [RightsEvent]
}

/// A photo of an article the publish guard refused, with its reason.
public struct PhotoRefusal: Encodable, Sendable, Equatable, CustomStringConvertible {
    /// The photo's short id.
    public var id: String
    /// Its position in the article.
    public var position: Int
    /// The reason's code ("killed", "denied", "needs-lease", "lease-denied", "embargoed").
    public var code: String
    /// The reason in a sentence.
    public var reason: String

    public var description: String { "photo \(position) (\(id)): \(reason)" }
}

extension Desk {
    /// The caption fields the rights depend on: a change of one derives them again.
    static let rightsFields: Set<String> = [
        CaptionField.credit, .source, .byline, .copyright, .keywords, .instructions, .usageTerms,
    ].reduce(into: []) { $0.insert($1.rawValue) }

    /// The name the rights rules are kept under in the catalog.
    static let rulesSetting = "rights.rules"

    /// The rights rules in force: those loaded into the catalog, else the default set; with
    /// their text and who loaded them when (nil for the default set).
    public func rightsRules() async throws -> (rules: RightsRules, text: String, loaded: StoredSetting?) {
        if let stored = try await stored({ try await store.setting(Self.rulesSetting) }) {
            do {
                return (try Self.parsed(stored.value, source: "the catalog's rights rules"), stored.value, stored)
            } catch {
                throw DeskError(.invalid, "the rights rules kept in the catalog cannot be read: \(error)")
            }
        }
        return (
            try Self.parsed(RightsRules.defaultText, source: "the default rights rules"), RightsRules.defaultText, nil
        )
    }

    /// The rules a text gives, parsed once while the text stays the same (the desk's pages judge
    /// many photos, each asking for the rules in force).
    static func parsed(_ text: String, source: String) throws -> RightsRules {
        if let rules = lastRules.withLock({ $0?.text == text ? $0?.rules : nil }) { return rules }
        let rules = try RightsRules.parse(text, source: source)
        lastRules.withLock { $0 = (text, rules) }
        return rules
    }

    /// Loads rules (refused whole, with the file, line and field of the mistake, leaving the
    /// rules in force as they were), then derives every photo's rights again. Returns how many
    /// photos' rights changed.
    @discardableResult
    public func loadRightsRules(
        _ text: String, source: String, by: String, progress: (@Sendable (Int) -> Void)? = nil
    ) async throws -> Int {
        let rules: RightsRules
        do { rules = try RightsRules.parse(text, source: source) } catch {
            throw DeskError(.invalid, "\(error); the rules in force are unchanged")
        }
        try await stored { try await store.saveSetting(Self.rulesSetting, value: text, by: by, at: clock()) }
        return try await deriveAllRights(rules: rules, progress: progress)
    }

    /// Derives every photo's rights again under the rules; the count of those that changed.
    func deriveAllRights(rules: RightsRules, progress: (@Sendable (Int) -> Void)? = nil) async throws -> Int {
        var changed = 0
        var seen = 0
        var after: String?
        while true {
            let page = try await stored { try await store.photoHashes(after: after, limit: 500) }
            guard let last = page.last else { break }
            for sha in page where try await deriveRights(sha, rules: rules) { changed += 1 }
            seen += page.count
            progress?(seen)
            after = last
        }
        return changed
    }

    /// The subject the rules look at: a photo's credit, source, byline, copyright and keywords.
    static func subject(_ fields: CaptionFields) -> RightsSubject {
        RightsSubject(
            credit: fields.credit, source: fields[.source], bylines: fields.byline.map { [$0] } ?? [],
            copyright: fields.copyright, keywords: fields.keywords)
    }

    /// The restrictions a photo's special instructions and usage terms carry, in that order.
    static func restrictions(_ fields: CaptionFields) -> [Restriction] {
        var found: [Restriction] = []
        for text in [fields.instructions, fields[.usageTerms]].compactMap({ $0 }) {
            for restriction in Restrictions.parse(text) where !found.contains(restriction) {
                found.append(restriction)
            }
        }
        return found
    }

    static func terms(_ leases: [Lease]) -> [LeaseTerm] {
        leases.filter { $0.revokedAt == nil }.map {
            LeaseTerm(allow: $0.allow, from: $0.from, until: $0.until, article: $0.article)
        }
    }

    /// The state the rules, fields, leases and kill give.
    static func state(
        fields: CaptionFields, rules: RightsRules, leases: [Lease], killed: Bool, now: Date, version: Int
    ) -> PhotoRightsState {
        let classification = rules.classify(subject(fields))
        let restrictions = restrictions(fields)
        // Readers' period: a lease for one article opens the photo to readers too (the publish
        // guard keeps it out of other articles); a ban for one article does not close it.
        let opening = terms(leases).compactMap { lease -> LeaseTerm? in
            guard lease.article != nil else { return lease }
            return lease.allow ? LeaseTerm(allow: true, from: lease.from, until: lease.until, article: nil) : nil
        }
        let window = RightsGuard.window(
            cost: classification.cost, restrictions: restrictions, leases: opening, killed: killed, after: now)
        return PhotoRightsState(
            category: classification.category.rawValue, cost: classification.cost.rawValue,
            restricted: !restrictions.isEmpty, killed: killed,
            usableFrom: window.map { $0.from == .distantPast ? Date(timeIntervalSince1970: 0) : $0.from },
            usableUntil: window?.until, version: version)
    }

    /// Derives a photo's rights again (after its caption, a lease, a kill or the rules changed)
    /// and saves them when they differ, with a change or none, as a compare-and-set retried until
    /// it lands: two editors leasing and killing at once give one order or the other, both kept.
    /// True when the state changed.
    @discardableResult
    func deriveRights(
        _ sha256: String, rules given: RightsRules? = nil, change: ((PhotoRights) throws -> RightsChange)? = nil
    ) async throws -> Bool {
        let rules: RightsRules
        if let given { rules = given } else { rules = try await rightsRules().rules }
        for _ in 0..<Self.attempts {
            guard let current = try await stored({ try await store.rights(of: sha256) }) else {
                throw DeskError(.notFound, "no photo \(sha256.prefix(16))")
            }
            let fields = try await caption(of: sha256).fields
            let made = try change?(current)
            var leases = current.leases
            var killed = current.state.killed
            switch made {
            case .addLease(let lease)?: leases.append(lease)
            case .revokeLease(let id, let by, let at, let note)?:
                if let index = leases.firstIndex(where: { $0.id == id }) {
                    leases[index].revokedAt = at
                    leases[index].revokedBy = by
                    leases[index].revokeNote = note
                }
            case .kill(let kill, _, _, _)?: killed = kill
            case .note?, nil: break
            }
            let state = Self.state(
                fields: fields, rules: rules, leases: leases, killed: killed, now: clock(),
                version: current.state.version)
            if made == nil, state.sameDecision(as: current.state) { return false }
            do {
                try await store.commitRights(
                    sha256, change: made, state: state, expectingVersion: current.state.version)
                return !state.sameDecision(as: current.state)
            } catch let error as CatalogError where error.code == .conflict {
                await Task.yield()
            } catch let error as CatalogError {
                throw DeskError(error)
            }
        }
        throw DeskError(.busy, "the rights of \(sha256.prefix(16)) kept changing; nothing was saved, try again")
    }

    /// What a photo's fields, leases and kill give under the rules at a time, for an article (nil:
    /// on its own or every use); nil when there is no such photo.
    func judge(_ sha256: String, rules given: RightsRules? = nil, at time: Date, article: String?) async throws
        -> Judgement?
    {
        guard let rights = try await stored({ try await store.rights(of: sha256) }) else { return nil }
        let fields = try await caption(of: sha256).fields
        let rules: RightsRules
        if let given { rules = given } else { rules = try await rightsRules().rules }
        let restrictions = Self.restrictions(fields)
        let decision = RightsGuard.decide(
            rules.classify(Self.subject(fields)), restrictions: restrictions, leases: Self.terms(rights.leases),
            killed: rights.state.killed, at: time, article: article)
        return Judgement(fields: fields, rights: rights, restrictions: restrictions, decision: decision)
    }

    /// A photo's rights as shown, judged now.
    public func rights(of sha256: String) async throws -> RightsReport {
        let now = clock()
        guard let judged = try await judge(sha256, at: now, article: nil) else {
            throw DeskError(.notFound, "no photo \(sha256.prefix(16))")
        }
        let rights = judged.rights
        let decision = judged.decision
        let classification = decision.classification
        let kill = rights.state.killed ? rights.events.last(where: { $0.action == .kill }) : nil
        return RightsReport(
            category: classification.category.rawValue, cost: classification.cost.rawValue,
            rule: classification.rule, restrictions: judged.restrictions,
            mandatoryCredit: Self.mandatoryCredit(judged.restrictions, judged.fields),
            leases: rights.leases.map { lease in
                let status =
                    if lease.revokedAt != nil { "revoked" } else if let until = lease.until, until <= now {
                        "ended"
                    } else if let from = lease.from, from > now { "not yet" } else { "standing" }
                return RightsReport.LeaseItem(
                    id: lease.id ?? 0, kind: lease.allow ? "allow" : "deny", from: lease.from, until: lease.until,
                    article: lease.article, note: lease.note, by: lease.by, createdAt: lease.createdAt, status: status,
                    revokedAt: lease.revokedAt, revokedBy: lease.revokedBy, revokeNote: lease.revokeNote)
            },
            killed: rights.state.killed,
            kill: kill.map { RightsReport.KillItem(at: $0.at, by: $0.by, reason: $0.reason) },
            usableNow: decision.mayRun, whyNot: decision.mayRun ? nil : decision.reason,
            whyNotCode: decision.refusal?.code,
            usableFrom: rights.state.usableFrom, usableUntil: rights.state.usableUntil, history: rights.events)
    }

    /// Adds a lease to a photo: allowing or denying its use for a period, for one article or
    /// all. A killed photo cannot be leased. Recorded in the photo's rights history.
    public func lease(
        _ sha256: String, allow: Bool, from: Date?, until: Date?, article: String?, note: String, by: String
    ) async throws {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else {
            throw DeskError(.invalid, "a lease needs a note (--note): the contract, the invoice, who agreed")
        }
        if let from, let until, until <= from {
            throw DeskError(.invalid, "the lease ends (\(PublicationTime.text(until))) before it starts")
        }
        if let article, try await stored({ try await store.article(slug: article) }) == nil {
            throw DeskError(.notFound, "no article \(article)")
        }
        let now = clock()
        try await deriveRights(sha256) { current in
            guard !current.state.killed else {
                throw DeskError(.refused, "photo \(sha256.prefix(16)) is killed: unkill it before leasing it")
            }
            return .addLease(
                Lease(
                    sha256: sha256, allow: allow, from: from, until: until, article: article, note: note, by: by,
                    createdAt: now))
        }
    }

    /// Revokes a standing lease of a photo, with why.
    public func revokeLease(_ sha256: String, id: Int64, note: String, by: String) async throws {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw DeskError(.invalid, "say why the lease is revoked (--note)") }
        let now = clock()
        try await deriveRights(sha256) { current in
            guard current.leases.contains(where: { $0.id == id && $0.revokedAt == nil }) else {
                throw DeskError(.notFound, "photo \(sha256.prefix(16)) has no standing lease \(id)")
            }
            return .revokeLease(id: id, by: by, at: now, note: note)
        }
    }

    /// Kills a photo (withdrawn everywhere at once) or, with `false`, unkills it; with a reason.
    public func setKilled(_ sha256: String, _ kill: Bool, reason: String, by: String) async throws {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw DeskError(.invalid, "give the reason (--reason): it is kept with the photo")
        }
        let now = clock()
        try await deriveRights(sha256) { current in
            guard current.state.killed != kill else {
                throw DeskError(
                    .refused, "photo \(sha256.prefix(16)) is \(kill ? "already killed" : "not killed")")
            }
            return .kill(kill, by: by, at: now, reason: reason)
        }
    }

    /// The killed photos, newest kill first.
    public func kills() async throws -> [KillRecord] {
        try await stored { try await store.kills() }
    }

    /// The photos of an article that may not run at a time (its publication time), with why.
    public func guardRefusals(_ slug: String, at time: Date) async throws -> [PhotoRefusal] {
        guard let bundle = try await stored({ try await store.article(slug: slug) }) else {
            throw DeskError(.notFound, "no article \(slug)")
        }
        let rules = try await rightsRules().rules
        var refusals: [PhotoRefusal] = []
        for use in bundle.uses {
            guard let sha = use.sha256,
                let decision = try await judge(sha, rules: rules, at: time, article: slug)?.decision,
                let refusal = decision.refusal
            else { continue }
            refusals.append(
                PhotoRefusal(
                    id: String(sha.prefix(16)), position: use.position, code: refusal.code, reason: decision.reason))
        }
        return refusals
    }

    /// Records in each refused photo's history that an admin published anyway, and why.
    func recordOverride(_ refusals: [PhotoRefusal], slug: String, reason: String, by: String) async throws {
        let now = clock()
        for refusal in refusals {
            guard let photo = try await findPhoto(refusal.id) else { continue }
            try await deriveRights(photo.sha256) { _ in
                .note(
                    RightsEvent(
                        sha256: photo.sha256, action: .override, at: now, by: by,
                        reason: "published in \(slug) although \(refusal.reason): \(reason)", article: slug))
            }
        }
    }
}

extension Desk {
    /// The credit line a "MANDATORY CREDIT" restriction asks for: the one it names, else the
    /// photo's credit; nil when no restriction asks.
    public static func mandatoryCredit(_ fields: CaptionFields) -> String? {
        mandatoryCredit(restrictions(fields), fields)
    }

    static func mandatoryCredit(_ restrictions: [Restriction], _ fields: CaptionFields) -> String? {
        guard let restriction = restrictions.first(where: { $0.kind == .mandatoryCredit }) else { return nil }
        return restriction.credit ?? fields.credit ?? fields.byline ?? restriction.text
    }

    /// Why a photo may not run at a time (for one article, or on its own); nil when it may.
    public func refusal(of sha256: String, at time: Date, article: String?) async throws -> PhotoRefusal? {
        guard let decision = try await judge(sha256, at: time, article: article)?.decision else {
            throw DeskError(.notFound, "no photo \(sha256.prefix(16))")
        }
        return decision.refusal.map {
            PhotoRefusal(id: String(sha256.prefix(16)), position: 0, code: $0.code, reason: decision.reason)
        }
    }
}

/// A photo judged: its fields, its stored rights, the restrictions its words carry, the decision.
struct Judgement {
    var fields: CaptionFields
    var rights: PhotoRights
    var restrictions: [Restriction]
    var decision: RightsDecision
}

/// The last rules text parsed and what it gave (see `Desk.parsed`).
private let lastRules = Mutex<(text: String, rules: RightsRules)?>(nil)
