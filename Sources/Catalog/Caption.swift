import Foundation
import PhotoModel

/// A photo's master caption fields and the revision an edit must be based on.
public struct Caption: Codable, Sendable, Equatable {
    public var sha256: String
    public var fields: CaptionFields
    /// Increases by one with every change; 0 before the first.
    public var revision: Int

    /// Makes a caption.
    public init(sha256: String, fields: CaptionFields, revision: Int) {
        self.sha256 = sha256
        self.fields = fields
        self.revision = revision
    }
}

/// One change of one caption field: nothing is overwritten without a revision.
public struct CaptionRevision: Codable, Sendable, Equatable {
    public var sha256: String
    /// The caption revision this change made.
    public var revision: Int
    /// The field's name (`CaptionField`).
    public var field: String
    public var oldValue: String?
    public var newValue: String?
    /// Who made the change (an OS user or a signed-in editor).
    public var author: String
    public var at: Date
    /// Where it came from: embedded, sidecar, csv, cli, web, api, template, revert.
    public var source: String

    /// Makes a revision.
    public init(
        sha256: String, revision: Int, field: String, oldValue: String?, newValue: String?, author: String,
        at: Date = Date(), source: String
    ) {
        self.sha256 = sha256
        self.revision = revision
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
        self.author = author
        self.at = at
        self.source = source
    }
}

/// A caption write as one compare-and-set: it applies only while the stored revision is still
/// `expectedRevision` (0 when the photo has no caption yet), and otherwise fails with
/// `CatalogError.conflict` and changes nothing.
public struct CaptionCommit: Sendable, Equatable {
    public var caption: Caption
    public var expectedRevision: Int
    /// The revision rows this change adds (each changed field, all with `caption.revision`).
    public var changes: [CaptionRevision]
    /// The photo's own search text (folded caption fields), as the desk computes it.
    public var searchText: String

    /// Makes a commit.
    public init(caption: Caption, expectedRevision: Int, changes: [CaptionRevision], searchText: String) {
        self.caption = caption
        self.expectedRevision = expectedRevision
        self.changes = changes
        self.searchText = searchText
    }
}

/// What an ingest writes for one file, in one transaction with the others of its batch: the
/// photo with its first caption when it is new, the location, and the renditions made.
public struct IngestRecord: Sendable, Equatable {
    public var photo: Photo
    public var location: FileLocation
    /// The caption and its revision rows, written only when the photo is new.
    public var caption: Caption
    public var revisions: [CaptionRevision]
    /// The photo's own search text, written only when the photo is new.
    public var searchText: String
    public var renditions: [Rendition]
    /// The photo's look for its twins, when ingest made it (`hash` nil for a nearly uniform
    /// picture); written only when the photo is new.
    public var look: PhotoLook?
    /// What the file's Content Credentials say, when ingest checked them; written only when the
    /// photo is new.
    public var provenance: Provenance?

    /// Makes a record.
    public init(
        photo: Photo, location: FileLocation, caption: Caption, revisions: [CaptionRevision], searchText: String,
        renditions: [Rendition]
    ) {
        self.photo = photo
        self.location = location
        self.caption = caption
        self.revisions = revisions
        self.searchText = searchText
        self.renditions = renditions
    }
}
