import Catalog
import Foundation
import Testing

@Suite("Catalog contract: accounts, sessions, tokens, sign-in attempts", .timeLimit(.minutes(5)))
struct AccountContractTests {
    @Test(
        "users: added once, updated (ending sessions when asked), listed, removed with their sessions and tokens",
        arguments: Backend.available)
    func users(_ backend: Backend) async throws {
        let store = try await Harness.make(backend).store
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        try await store.addAccount(Account(name: "lan", role: .editor, passwordHash: "h1", createdAt: now))
        try await store.addAccount(Account(name: "an", role: .admin, passwordHash: "h2", createdAt: now))
        do {
            try await store.addAccount(Account(name: "lan", role: .admin, passwordHash: "x"))
            Issue.record("a second lan was added")
        } catch let error as CatalogError {
            #expect(error.code == .exists)
        }
        #expect(try await store.accounts().map(\.name) == ["an", "lan"])
        try await store.saveSession(
            Session(tokenHash: "s1", name: "lan", csrf: "c", createdAt: now, expiresAt: now.addingTimeInterval(60)))
        let (session, account) = try #require(try await store.session(tokenHash: "s1", now: now))
        #expect(session.csrf == "c" && account.role == .editor)
        #expect(try await store.session(tokenHash: "s1", now: now.addingTimeInterval(61)) == nil, "expired")
        try await store.markDeskVisit(tokenHash: "s1", at: now)
        #expect(try await store.session(tokenHash: "s1", now: now)?.0.lastDeskVisit == now)
        try await store.updateAccount(
            Account(name: "lan", role: .admin, passwordHash: "h3", createdAt: now), endSessions: false)
        #expect(try await store.session(tokenHash: "s1", now: now)?.1.role == .admin)
        try await store.updateAccount(
            Account(name: "lan", role: .admin, passwordHash: "h4", createdAt: now), endSessions: true)
        #expect(try await store.session(tokenHash: "s1", now: now) == nil, "a password change ends the sessions")
        #expect(try await store.account(named: "lan")?.passwordHash == "h4")
        try await store.saveSession(
            Session(tokenHash: "s2", name: "lan", csrf: "c", expiresAt: now.addingTimeInterval(60)))
        try await store.deleteSession(tokenHash: "s2")
        #expect(try await store.session(tokenHash: "s2", now: now) == nil)
        try await store.saveToken(
            APIToken(
                id: "tok_1", tokenHash: "t1", name: "lan", label: "cms", createdAt: now,
                expiresAt: now.addingTimeInterval(60)))
        #expect(try await store.token(hash: "t1", now: now)?.1.name == "lan")
        #expect(try await store.token(hash: "t1", now: now.addingTimeInterval(60)) == nil, "expired")
        #expect(try await store.removeAccount(named: "lan"))
        #expect(try await store.removeAccount(named: "lan") == false)
        #expect(try await store.tokens(of: "lan").isEmpty)
        do {
            try await store.updateAccount(Account(name: "nobody", role: .editor, passwordHash: "x"), endSessions: false)
            Issue.record("an update of no user succeeded")
        } catch let error as CatalogError {
            #expect(error.code == .notFound)
        }
    }

    @Test("tokens are listed by user and revoked one by one by id", arguments: Backend.available)
    func tokens(_ backend: Backend) async throws {
        let store = try await Harness.make(backend).store
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        try await store.addAccount(Account(name: "lan", role: .editor, passwordHash: "h"))
        for index in 1...3 {
            try await store.saveToken(
                APIToken(
                    id: "tok_\(index)", tokenHash: "t\(index)", name: "lan", label: "l\(index)",
                    createdAt: now.addingTimeInterval(Double(index)), expiresAt: now.addingTimeInterval(3600)))
        }
        #expect(try await store.tokens(of: "lan").map(\.id) == ["tok_1", "tok_2", "tok_3"])
        #expect(try await store.revokeToken(id: "tok_2"))
        #expect(try await store.revokeToken(id: "tok_2") == false)
        #expect(try await store.token(hash: "t2", now: now) == nil)
        #expect(try await store.token(hash: "t3", now: now) != nil)
    }

    @Test(
        "sign-in attempts: counted before they run, so 20 at once let exactly five through",
        arguments: Backend.available)
    func throttle(_ backend: Backend) async throws {
        let store = try await Harness.make(backend).store
        let policy = ThrottlePolicy()
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let keys = ["pair:lan|10.0.0.9", "address:10.0.0.9"]
        let waits = try await withThrowingTaskGroup(of: TimeInterval.self) { group in
            for _ in 0..<20 {
                group.addTask { try await store.chargeLoginAttempt(keys: keys, policy: policy, now: now) }
            }
            return try await group.reduce(into: [TimeInterval]()) { $0.append($1) }
        }
        #expect(waits.filter { $0 == 0 }.count == 5)
        #expect(waits.filter { $0 > 0 }.count == 15)
        // Another address for the same name is not slowed.
        #expect(
            try await store.chargeLoginAttempt(
                keys: ["pair:lan|10.0.0.7", "address:10.0.0.7"], policy: policy, now: now) == 0)
        // The wait passes; a success clears the count.
        #expect(try await store.chargeLoginAttempt(keys: keys, policy: policy, now: now.addingTimeInterval(3)) == 0)
        try await store.clearLoginAttempts(keys: keys)
        #expect(try await store.chargeLoginAttempt(keys: keys, policy: policy, now: now.addingTimeInterval(3)) == 0)
    }
}
