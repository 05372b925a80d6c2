import Foundation
import GRDB

extension SQLiteCatalog {
    public func setCaption(
        _ sha256: String, changes: CaptionChanges, basedOn revision: Int?, author: String, source: String
    )
        throws -> CaptionRecord
    {
        do {
            return try pool.write { db in
                try applyCaption(db, sha256, changes: changes, basedOn: revision, author: author, source: source)
            }
        } catch let error as StaleEdit { throw error } catch let error as CatalogError { throw error } catch {
            throw CatalogError(.database, "cannot save the caption", cause: "\(error)")
        }
    }

    /// One edit in one transaction: every changed field a revision, all with the same number.
    func applyCaption(
        _ db: Database, _ sha256: String, changes: CaptionChanges, basedOn: Int?, author: String, source: String
    )
        throws -> CaptionRecord
    {
        guard try AssetRecord.exists(db, key: sha256) else {
            throw CatalogError(.notFound, "no photo \(sha256.prefix(16))")
        }
        var record =
            try CaptionRecord.fetchOne(db, key: sha256)
            ?? CaptionRecord(sha256: sha256, fields: CaptionFields(), revision: 0)
        if let basedOn, basedOn != record.revision {
            let last = try CaptionRevision.filter(Column("sha256") == sha256).order(Column("id").desc).fetchOne(db)
            throw StaleEdit(basedOn: basedOn, current: record, lastAuthor: last?.author, attempted: changes)
        }
        var fields = record.fields
        var changed: [(CaptionField, String?, String?)] = []
        for field in CaptionField.allCases {
            guard let value = changes.values[field] else { continue }
            let old = field.value(in: fields)
            field.set(value, in: &fields)
            let new = field.value(in: fields)
            if old != new { changed.append((field, old, new)) }
        }
        guard !changed.isEmpty else { return record }
        let next = record.revision + 1
        let now = Date()
        for (field, old, new) in changed {
            var revision = CaptionRevision(
                sha256: sha256, revision: next, field: field.rawValue, oldValue: old, newValue: new, author: author,
                at: now,
                source: source)
            try revision.insert(db)
        }
        record = CaptionRecord(sha256: sha256, fields: fields, revision: next)
        try record.save(db)
        try reindex(db, sha256)
        return record
    }

    public func captionHistory(of sha256: String) throws -> [CaptionRevision] {
        try read { db in
            try CaptionRevision.filter(Column("sha256") == sha256).order(Column("revision"), Column("id")).fetchAll(db)
        }
    }

    public func revertCaption(_ sha256: String, to revision: Int, author: String) throws -> CaptionRecord {
        do {
            return try pool.write { db in
                let history = try CaptionRevision.filter(Column("sha256") == sha256).order(
                    Column("revision"), Column("id")
                ).fetchAll(db)
                guard history.contains(where: { $0.revision == revision }) else {
                    throw CatalogError(.notFound, "photo \(sha256.prefix(16)) has no caption revision \(revision)")
                }
                var then = CaptionFields()
                for change in history where change.revision <= revision {
                    if let field = CaptionField(rawValue: change.field) { field.set(change.newValue, in: &then) }
                }
                var changes = CaptionChanges()
                for field in CaptionField.allCases { changes.values[field] = .some(field.value(in: then)) }
                return try applyCaption(db, sha256, changes: changes, basedOn: nil, author: author, source: "revert")
            }
        } catch let error as CatalogError { throw error } catch {
            throw CatalogError(.database, "cannot revert the caption", cause: "\(error)")
        }
    }
}
