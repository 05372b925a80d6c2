import Foundation
import Rights
import Testing

/// A small seeded generator (SplitMix64), so that a failing case can be found again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

@Suite("The rights guard")
struct GuardTests {
    static let noon = Date(timeIntervalSince1970: 1_796_706_000)

    /// An instant `hours` after the reference.
    static func at(_ hours: Double) -> Date { noon.addingTimeInterval(hours * 3600) }

    static func refusal(
        _ cost: RightsCost, restrictions: [Restriction] = [], leases: [LeaseTerm] = [], killed: Bool = false,
        at hours: Double = 0, article: String? = nil
    ) -> Refusal? {
        RightsGuard.refusal(
            cost: cost, rule: "Rule", restrictions: restrictions, leases: leases, killed: killed, at: at(hours),
            article: article)
    }

    @Test("free and conditional photos run; killed ones never")
    func basics() {
        #expect(Self.refusal(.free) == nil)
        #expect(Self.refusal(.conditional) == nil)
        #expect(Self.refusal(.free, leases: [LeaseTerm(allow: true)], killed: true) == .killed)
    }

    @Test("a pay photo needs an allowing lease that covers the time and counts for the use")
    func pay() {
        let lease = LeaseTerm(allow: true, from: Self.at(-1), until: Self.at(1))
        #expect(Self.refusal(.pay) == .needsLease)
        #expect(Self.refusal(.pay, leases: [lease]) == nil)
        #expect(Self.refusal(.pay, leases: [lease], at: 1) == .needsLease)
        #expect(Self.refusal(.pay, leases: [lease], at: -1) == nil)
        let forArticle = LeaseTerm(allow: true, article: "flood")
        #expect(Self.refusal(.pay, leases: [forArticle], article: "flood") == nil)
        #expect(Self.refusal(.pay, leases: [forArticle], article: "other") == .needsLease)
        #expect(Self.refusal(.pay, leases: [forArticle], article: nil) == .needsLease)
        #expect(Self.refusal(.pay, leases: [LeaseTerm(allow: true)], article: "any") == nil)
    }

    @Test("a denying lease wins; a deny photo runs only under an allowing lease")
    func deny() {
        let allow = LeaseTerm(allow: true)
        let ban = LeaseTerm(allow: false, from: Self.at(0), until: Self.at(2))
        #expect(Self.refusal(.free, leases: [allow, ban]) == .leaseDenied)
        #expect(Self.refusal(.free, leases: [allow, ban], at: 2) == nil)
        #expect(Self.refusal(.deny) == .denied(rule: "Rule"))
        #expect(Self.refusal(.deny, leases: [allow]) == nil)
        #expect(Self.refusal(.free, leases: [LeaseTerm(allow: false, article: "x")], article: "x") == .leaseDenied)
        #expect(Self.refusal(.free, leases: [LeaseTerm(allow: false, article: "x")], article: nil) == nil)
    }

    @Test("an embargo holds even a leased photo until it ends")
    func embargo() {
        let embargo = [Restriction(kind: .embargo, text: "EMBARGOED", until: Self.at(1))]
        #expect(Self.refusal(.free, restrictions: embargo) == .embargoed(until: Self.at(1)))
        #expect(
            Self.refusal(.pay, restrictions: embargo, leases: [LeaseTerm(allow: true)]) == .embargoed(until: Self.at(1))
        )
        #expect(Self.refusal(.free, restrictions: embargo, at: 1) == nil)
    }

    @Test("reasons and codes")
    func reasons() {
        let decision = RightsGuard.decide(
            RightsClassification(category: .agency, cost: .pay, rule: "Reuters"), restrictions: [], leases: [],
            killed: false, at: Self.noon, article: nil)
        #expect(decision.reason == "pay photo (rule Reuters) with no lease covering 2026-12-08 05:00 UTC")
        #expect(!decision.mayRun)
        #expect(Refusal.killed.reason == "killed")
        #expect(Refusal.embargoed(until: Self.at(0.5)).reason == "embargoed until 2026-12-08 05:30 UTC")
        #expect(
            [Refusal.denied(rule: nil), .needsLease, .leaseDenied, .embargoed(until: Self.noon), .killed].map(\.code)
                == ["denied", "needs-lease", "lease-denied", "embargoed", "killed"])
        let free = RightsGuard.decide(
            RightsClassification(category: .staff, cost: .free, rule: "Staff"), restrictions: [], leases: [],
            killed: false, at: Self.noon, article: "flood")
        #expect(free.reason == "may run (free, rule Staff)")
    }

    @Test("the window of simple cases")
    func simpleWindows() throws {
        let now = Self.noon
        let free = try #require(
            RightsGuard.window(cost: .free, restrictions: [], leases: [], killed: false, after: now))
        #expect(free.from == .distantPast && free.until == nil)
        #expect(RightsGuard.window(cost: .free, restrictions: [], leases: [], killed: true, after: now) == nil)
        #expect(RightsGuard.window(cost: .pay, restrictions: [], leases: [], killed: false, after: now) == nil)
        let embargo = [Restriction(kind: .embargo, text: "E", until: Self.at(3))]
        let held = try #require(
            RightsGuard.window(cost: .conditional, restrictions: embargo, leases: [], killed: false, after: now))
        #expect(held.from == Self.at(3) && held.until == nil)
        let leases = [
            LeaseTerm(allow: true, from: Self.at(-5), until: Self.at(-2)),
            LeaseTerm(allow: true, from: Self.at(1), until: Self.at(4)),
            LeaseTerm(allow: true, from: Self.at(4), until: Self.at(6)),
            LeaseTerm(allow: false, from: Self.at(5), until: Self.at(7)),
            LeaseTerm(allow: true, article: "other"),
        ]
        let next = try #require(
            RightsGuard.window(cost: .pay, restrictions: [], leases: leases, killed: false, after: now))
        #expect(next.from == Self.at(1) && next.until == Self.at(5))
        #expect(
            RightsGuard.window(cost: .pay, restrictions: [], leases: leases, killed: false, after: Self.at(5)) == nil)
    }

    @Test("the window never claims an instant the guard refuses, and is maximal")
    func windowAgreesWithRefusal() {
        var random = SeededGenerator(state: 20_261_208)
        let kinds = RightsCost.allCases
        for _ in 0..<3000 {
            let cost = kinds.randomElement(using: &random) ?? .free
            // Whole hours in [-10, 10]: boundaries coincide often, which is where mistakes hide.
            func hour() -> Double { Double(Int.random(in: -10...10, using: &random)) }
            let leases = (0..<Int.random(in: 0...4, using: &random)).map { _ in
                LeaseTerm(
                    allow: Bool.random(using: &random),
                    from: Bool.random(using: &random) ? Self.at(hour()) : nil,
                    until: Int.random(in: 0..<3, using: &random) > 0 ? Self.at(hour()) : nil,
                    article: Int.random(in: 0..<4, using: &random) == 0 ? "other" : nil)
            }
            let restrictions =
                Bool.random(using: &random)
                ? [Restriction(kind: .embargo, text: "E", until: Self.at(hour()))] : []
            let killed = Int.random(in: 0..<10, using: &random) == 0
            let now = Self.at(hour() + [0, 0.5].randomElement(using: &random, default: 0))
            let window = RightsGuard.window(
                cost: cost, restrictions: restrictions, leases: leases, killed: killed, after: now)
            func runs(_ time: Date) -> Bool {
                RightsGuard.refusal(
                    cost: cost, rule: nil, restrictions: restrictions, leases: leases, killed: killed, at: time,
                    article: nil) == nil
            }
            // Every half hour from -12 to +12, and the window's own bounds.
            var instants = stride(from: -12.0, through: 12, by: 0.5).map(Self.at)
            if let window {
                instants += [window.from, window.from.addingTimeInterval(-0.5), window.until].compactMap { $0 }
            }
            for time in instants where time >= now || (window.map { $0.from <= time } ?? false) {
                guard let window else {
                    #expect(!runs(time), "never, yet runs at \(time): \(cost) \(leases) \(restrictions) now \(now)")
                    continue
                }
                let inside = window.from <= time && window.until.map { time < $0 } ?? true
                if inside {
                    #expect(runs(time), "window claims \(time): \(cost) \(leases) \(restrictions) now \(now)")
                } else if time < window.from || time == window.until {
                    // Between now and the window's start, and at its end, the guard refuses.
                    #expect(!runs(time), "runs at \(time) outside \(window): \(cost) \(leases) \(restrictions)")
                }
            }
            if let window {
                #expect(window.until.map { now < $0 } ?? true)
                if window.from != .distantPast {
                    #expect(!runs(window.from.addingTimeInterval(-0.001)))
                }
            }
        }
    }
}

extension Array {
    /// A random element, or a default for an empty array.
    func randomElement<Generator: RandomNumberGenerator>(using generator: inout Generator, default value: Element)
        -> Element
    {
        randomElement(using: &generator) ?? value
    }
}
