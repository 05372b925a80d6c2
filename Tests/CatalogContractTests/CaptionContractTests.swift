import Catalog
import Desk
import Foundation
import PhotoModel
import Testing

@Suite("Catalog contract: captions", .timeLimit(.minutes(5)))
struct CaptionContractTests {
    @Test("a caption commit is a compare-and-set on the revision", arguments: Backend.available)
    func compareAndSet(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let store = harness.store
        try await store.record([Harness.record(1, caption: "old")])
        let sha = Harness.sha(1)
        var fields = CaptionFields([.caption: "new"])
        let change = CaptionRevision(
            sha256: sha, revision: 2, field: "caption", oldValue: "old", newValue: "new", author: "a", source: "t")
        let commit = CaptionCommit(
            caption: Caption(sha256: sha, fields: fields, revision: 2), expectedRevision: 1, changes: [change],
            searchText: SearchText.photoText(fields))
        try await store.commitCaption(commit)
        fields.caption = "lost"
        do {
            try await store.commitCaption(
                CaptionCommit(
                    caption: Caption(sha256: sha, fields: fields, revision: 2), expectedRevision: 1, changes: [],
                    searchText: ""))
            Issue.record("a commit expecting an old revision was applied")
        } catch let error as CatalogError {
            #expect(error.code == .conflict)
        }
        #expect(try await store.caption(of: sha)?.fields.caption == "new")
        #expect(try await store.captionHistory(of: sha).map(\.revision) == [1, 2])
        do {
            try await store.commitCaption(
                CaptionCommit(
                    caption: Caption(sha256: Harness.sha(2), fields: fields, revision: 1), expectedRevision: 0,
                    changes: [], searchText: ""))
            Issue.record("a caption for no photo was saved")
        } catch let error as CatalogError {
            #expect(error.code == .notFound)
        }
    }

    @Test(
        "concurrent writers: every edit without a base revision lands, each as its own revision",
        arguments: Backend.available)
    func concurrentWriters(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        try await harness.store.record([Harness.record(1)])
        let sha = Harness.sha(1)
        let desk = harness.desk
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<12 {
                group.addTask {
                    try await desk.setCaption(
                        sha, changes: CaptionChanges([.headline: "writer \(writer)"]), basedOn: nil,
                        author: "w\(writer)", source: "test")
                }
            }
            try await group.waitForAll()
        }
        let history = try await harness.store.captionHistory(of: sha).filter { $0.field == "headline" }
        #expect(history.count == 12, "no edit was lost")
        #expect(Set(history.map(\.revision)).count == 12, "each edit is its own revision")
        #expect(try await harness.store.caption(of: sha)?.revision == 13)
    }

    @Test(
        "concurrent writers from one revision: exactly one wins, the others are told it is stale",
        arguments: Backend.available)
    func concurrentStale(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        try await harness.store.record([Harness.record(1, caption: "base")])
        let sha = Harness.sha(1)
        let desk = harness.desk
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    do {
                        try await desk.setCaption(
                            sha, changes: CaptionChanges([.caption: "writer \(writer)"]), basedOn: 1,
                            author: "w\(writer)", source: "test")
                        return true
                    } catch let error as DeskError where error.code == .stale {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await harness.store.caption(of: sha)?.revision == 2)
    }
}

@Suite("Catalog contract: changes since a time", .timeLimit(.minutes(5)))
struct ChangesSinceContractTests {
    @Test("caption changes after a time, newest first, bounded", arguments: Backend.available)
    func since(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        try await harness.store.record([Harness.record(1, caption: "a")])
        let start = harness.clock.now
        harness.clock.advance(10)
        try await harness.desk.setCaption(
            Harness.sha(1), changes: CaptionChanges([.caption: "b"]), basedOn: nil, author: "lan", source: "web")
        harness.clock.advance(10)
        try await harness.desk.setCaption(
            Harness.sha(1), changes: CaptionChanges([.credit: "TTXVN"]), basedOn: nil, author: "an", source: "web")
        let changes = try await harness.store.captionRevisions(since: start, limit: 10)
        #expect(changes.map(\.field) == ["credit", "caption"])
        #expect(try await harness.store.captionRevisions(since: start, limit: 1).count == 1)
        #expect(try await harness.store.captionRevisions(since: harness.clock.now, limit: 10).isEmpty)
    }
}
