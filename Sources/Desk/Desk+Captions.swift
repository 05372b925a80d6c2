import Catalog
import Foundation
import PhotoModel

extension Desk {
    /// A photo's caption (revision 0 and no fields when it has none yet).
    public func caption(of sha256: String) async throws -> Caption {
        try await stored { try await store.caption(of: sha256) }
            ?? Caption(sha256: sha256, fields: CaptionFields(), revision: 0)
    }

    /// Caption changes made after a time, newest first, at most `limit` (the desk's "since your
    /// last visit").
    public func recentChanges(since date: Date, limit: Int) async throws -> [CaptionRevision] {
        try await stored { try await store.captionRevisions(since: date, limit: max(1, min(limit, 1000))) }
    }

    /// Every change of a photo's caption fields, oldest first.
    public func history(of sha256: String) async throws -> [CaptionRevision] {
        try await stored { try await store.captionHistory(of: sha256) }
    }

    /// Changes caption fields as one new revision; every changed field is a revision row with
    /// the author, the time and the source. With `basedOn`, an edit made from an older revision
    /// is refused (`DeskError.stale`, with both versions) and nothing is saved; without it, the
    /// edit applies over whatever is stored. Concurrent writers never lose each other's changes:
    /// each write is a compare-and-set on the revision.
    @discardableResult
    public func setCaption(
        _ sha256: String, changes: CaptionChanges, basedOn: Int?, author: String, source: String
    ) async throws -> Caption {
        let changes = try Self.checkedVocabulary(changes)
        // Each conflict means another writer's edit landed, so the loop always makes progress;
        // the bound only keeps a pathological pile-up from spinning forever.
        for _ in 0..<Self.captionAttempts {
            let current = try await caption(of: sha256)
            if let basedOn, basedOn != current.revision {
                throw try await staleError(sha256, basedOn: basedOn, current: current, attempted: changes)
            }
            var fields = current.fields
            var rows: [CaptionRevision] = []
            let next = current.revision + 1
            let now = clock()
            for field in CaptionField.allCases {
                guard let value = changes.values[field] else { continue }
                let old = fields[field]
                fields[field] = value
                let new = fields[field]
                if old != new {
                    rows.append(
                        CaptionRevision(
                            sha256: sha256, revision: next, field: field.rawValue, oldValue: old, newValue: new,
                            author: author, at: now, source: source))
                }
            }
            guard !rows.isEmpty else { return current }
            let saved = Caption(sha256: sha256, fields: fields, revision: next)
            do {
                try await store.commitCaption(
                    CaptionCommit(
                        caption: saved, expectedRevision: current.revision, changes: rows,
                        searchText: SearchText.photoText(fields)))
                if rows.contains(where: { Self.rightsFields.contains($0.field) }) { try await deriveRights(sha256) }
                return saved
            } catch let error as CatalogError where error.code == .conflict {
                // Someone saved in between: an edit based on a revision is now stale; one that
                // was not is applied again over the newer caption.
                if let basedOn {
                    throw try await staleError(
                        sha256, basedOn: basedOn, current: try await caption(of: sha256), attempted: changes)
                }
                await Task.yield()
            } catch let error as CatalogError {
                throw DeskError(error)
            }
        }
        throw DeskError(
            .busy, "the caption of \(sha256.prefix(16)) kept changing while saving; nothing was saved, try again")
    }

    private func staleError(_ sha256: String, basedOn: Int, current: Caption, attempted: CaptionChanges) async throws
        -> DeskError
    {
        let last = try await history(of: sha256).last
        let stale = StaleEdit(basedOn: basedOn, current: current, lastAuthor: last?.author, attempted: attempted)
        return DeskError(
            .stale,
            "the caption changed since revision \(basedOn) (now revision \(current.revision)); nothing was saved",
            stale: stale)
    }

    /// Restores the values as they were at a revision, as a new revision (source `revert`).
    @discardableResult
    public func revert(_ sha256: String, to revision: Int, author: String) async throws -> Caption {
        let history = try await history(of: sha256)
        guard history.contains(where: { $0.revision == revision }) else {
            throw DeskError(.notFound, "photo \(sha256.prefix(16)) has no caption revision \(revision)")
        }
        var then = CaptionFields()
        for change in history where change.revision <= revision {
            if let field = CaptionField(rawValue: change.field) { then[field] = change.newValue }
        }
        return try await setCaption(
            sha256, changes: .replacing(with: then), basedOn: nil, author: author, source: "revert")
    }
}

extension Desk {
    /// A change to a field with a closed list of values (the releases) names one of its terms
    /// (by code, label or URI, kept as the code), or is refused naming the terms.
    static func checkedVocabulary(_ changes: CaptionChanges) throws -> CaptionChanges {
        var checked = changes
        for (field, value) in changes.values {
            guard let vocabulary = field.metadata.vocabulary, let text = value,
                !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            else { continue }
            guard let code = vocabulary.code(for: text) else {
                throw DeskError(
                    .invalid, "\(field.rawValue) cannot be \"\(text)\": give one of \(vocabulary.described)")
            }
            checked.values[field] = .some(code)
        }
        return checked
    }
}
