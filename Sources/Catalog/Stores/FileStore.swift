import Foundation
import PhotoModel

/// What ingest and `verify` keep about files: where each was seen, the photos they are, and the
/// renditions made of them.
public protocol FileStore: Sendable {
    /// Every known location by path: read once per ingest, so unchanged files cost no query.
    func locationIndex() async throws -> [String: FileLocation]
    /// The location at a path.
    func location(path: String) async throws -> FileLocation?
    /// Every location, for `verify`.
    func allLocations() async throws -> [FileLocation]
    /// Records ingested files in one transaction: a new photo with its first caption, revisions
    /// and search text (nothing of these when the photo is already there), its location and its
    /// renditions.
    func record(_ records: [IngestRecord]) async throws
    /// Notes that a file was seen again unchanged.
    func touch(_ location: FileLocation) async throws
    /// A photo's renditions, smallest first.
    func renditions(of sha256: String) async throws -> [Rendition]
    /// One rendition by short id and preset, with its photo's `publicFrom`.
    func rendition(shortId: String, preset: String) async throws -> RenditionLookup?
    /// Every rendition, for `verify`.
    func allRenditions() async throws -> [Rendition]
    /// Adds or replaces renditions of a photo (by preset).
    func saveRenditions(_ renditions: [Rendition], of sha256: String) async throws
    /// The hashes of photos lacking a rendition of one of these presets (name to fingerprint),
    /// or holding one made with other settings.
    func photosNeedingRenditions(fingerprints: [String: String]) async throws -> Set<String>
}
