import Catalog
import Foundation
import PhotoModel

/// What a batch caption change did (or, in a dry run, would do) to one photo.
public struct BatchOutcome: Sendable, Equatable {
    public var sha256: String
    public var before: String?
    public var after: String?
    /// The caption revision saved; nil in a dry run or when nothing changed.
    public var revision: Int?
}

/// What importing one row of a caption sheet did.
public struct SheetOutcome: Sendable, Equatable {
    /// The row's line in the file.
    public var line: Int
    /// The photo it named; nil when none matched.
    public var sha256: String?
    /// Why the row was not (fully) applied; nil when it was.
    public var problem: String?
}

extension Desk {
    /// The photos an article uses, in article order (gaps skipped).
    public func photosOfArticle(_ slug: String) async throws -> [String] {
        guard let bundle = try await stored({ try await store.article(slug: slug) }) else {
            throw DeskError(.notFound, "no article \(slug)")
        }
        return bundle.uses.compactMap(\.sha256)
    }

    /// Writes one field of many photos from a template, each photo numbered `{n}` in order; with
    /// `dryRun`, only says what each would become.
    public func applyTemplate(
        _ template: CaptionTemplate, field: CaptionField, to photos: [String], codes: CodeReplacements,
        dryRun: Bool, author: String
    ) async throws -> [BatchOutcome] {
        var outcomes: [BatchOutcome] = []
        for (index, sha) in photos.enumerated() {
            guard let photo = try await stored({ try await store.photo(sha256: sha) }) else {
                throw DeskError(.notFound, "no photo \(sha.prefix(16))")
            }
            let current = try await caption(of: sha)
            let text = template.render(
                fields: current.fields, takenAt: photo.takenAt, n: index + 1, id: photo.shortId, codes: codes)
            var outcome = BatchOutcome(sha256: sha, before: current.fields[field], after: text.isEmpty ? nil : text)
            if !dryRun {
                let saved = try await setCaption(
                    sha, changes: CaptionChanges([field: text]), basedOn: current.revision, author: author,
                    source: "template")
                outcome.revision = saved.revision
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// Applies a caption sheet: each row's fields as one revision (source `csv`), and its article
    /// link when the photo is not in that article yet. `resolve` finds the photo a row names (a
    /// file, matched by content, or an id). A row that cannot be applied is reported; the others
    /// still are.
    public func importCaptions(
        _ sheet: CaptionSheet, author: String, resolve: @Sendable (String) async throws -> String?
    ) async throws -> [SheetOutcome] {
        var outcomes: [SheetOutcome] = []
        for row in sheet.rows {
            guard let sha = try await resolve(row.reference) else {
                outcomes.append(
                    SheetOutcome(
                        line: row.line, sha256: nil, problem: "no photo matches \(row.reference) (ingest it first)"))
                continue
            }
            var problem: String?
            if !row.changes.isEmpty {
                try await setCaption(sha, changes: row.changes, basedOn: nil, author: author, source: "csv")
            }
            if let slug = row.article, try await !usages(of: sha).contains(where: { $0.slug == slug }) {
                do { try await link(slug, photos: [sha]) } catch let error as DeskError { problem = error.message }
            }
            outcomes.append(SheetOutcome(line: row.line, sha256: sha, problem: problem))
        }
        return outcomes
    }
}
