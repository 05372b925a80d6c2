import Foundation
import PhotoModel

/// Captions with every change kept: the fields and revision of a photo, its history, and a
/// write as a compare-and-set on the revision.
public protocol CaptionStore: Sendable {
    /// A photo's caption fields and revision.
    func caption(of sha256: String) async throws -> Caption?
    /// Every change of a photo's caption fields, oldest first.
    func captionHistory(of sha256: String) async throws -> [CaptionRevision]
    /// Saves a caption as a compare-and-set on its revision (see `CaptionCommit`).
    func commitCaption(_ commit: CaptionCommit) async throws
    /// Caption changes made after a time, newest first, at most `limit` (the desk's "since your
    /// last visit").
    func captionRevisions(since date: Date, limit: Int) async throws -> [CaptionRevision]
}
