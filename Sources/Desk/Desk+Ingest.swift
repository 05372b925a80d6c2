import Catalog
import Foundation
import PhotoModel
import Rights

/// One file an ingest processed, as it hands it to the desk.
public struct IngestedFile: Sendable {
    public var photo: Photo
    public var location: FileLocation
    /// Caption fields read from the file; used only when the photo is new.
    public var captions: CaptionFields
    /// Where they came from ("embedded", "sidecar").
    public var captionSource: String
    /// Renditions made (empty when none had to be).
    public var renditions: [Rendition]
    /// The photo this path held before, when the file changed: its caption carries over.
    public var previousSha256: String?
    /// Who ran the ingest.
    public var author: String
    /// The picture's look for its twins, when the ingest made it.
    public var look: PhotoLook?
    /// What its Content Credentials say, when the ingest checked them.
    public var provenance: Provenance?

    /// Makes a file's record.
    public init(
        photo: Photo, location: FileLocation, captions: CaptionFields, captionSource: String,
        renditions: [Rendition], previousSha256: String? = nil, author: String
    ) {
        self.photo = photo
        self.location = location
        self.captions = captions
        self.captionSource = captionSource
        self.renditions = renditions
        self.previousSha256 = previousSha256
        self.author = author
    }
}

extension Desk {
    /// Records ingested files in one transaction. A new photo's caption is carried over from the
    /// photo its path held before (a file edited in place keeps the desk's caption), else read
    /// from the file; each field set is a revision of revision 1, so history starts complete.
    public func record(_ files: [IngestedFile]) async throws {
        var records: [IngestRecord] = []
        records.reserveCapacity(files.count)
        for file in files {
            var fields = file.captions
            var source = file.captionSource
            if let previous = file.previousSha256, previous != file.photo.sha256,
                let old = try await stored({ try await store.caption(of: previous) })
            {
                fields = old.fields
                source = "carried from \(previous.prefix(16))"
            }
            let revisions = CaptionField.allCases.compactMap { field -> CaptionRevision? in
                guard let value = fields[field] else { return nil }
                return CaptionRevision(
                    sha256: file.photo.sha256, revision: 1, field: field.rawValue, oldValue: nil, newValue: value,
                    author: file.author, at: file.photo.createdAt, source: source)
            }
            records.append(
                IngestRecord(
                    photo: file.photo, location: file.location,
                    caption: Caption(sha256: file.photo.sha256, fields: fields, revision: 1), revisions: revisions,
                    searchText: SearchText.photoText(fields), renditions: file.renditions))
            records[records.count - 1].look = file.look
            records[records.count - 1].provenance = file.provenance
        }
        try await stored { try await store.record(records) }
        // Rights the rules and restrictions give a new photo, where they are not the default's
        // (unknown, conditional, unrestricted): one more read and write for those photos only.
        var rules: RightsRules?
        for record in records {
            let fields = record.caption.fields
            guard Self.rightsFields.contains(where: { CaptionField(rawValue: $0).map { fields[$0] != nil } ?? false })
            else { continue }
            if rules == nil { rules = try await rightsRules().rules }
            guard let rules else { continue }
            let state = Self.state(
                fields: fields, rules: rules, leases: [], killed: false, now: clock(), version: 0)
            if !state.sameDecision(as: .initial) { try await deriveRights(record.photo.sha256, rules: rules) }
        }
    }

    /// Notes that a file was seen again unchanged.
    public func touch(_ location: FileLocation) async throws {
        try await stored { try await store.touch(location) }
    }
}

extension Desk {
    /// Every known file location by path (read once per ingest: unchanged files cost no query).
    public func knownLocations() async throws -> [String: FileLocation] {
        try await stored { try await store.locationIndex() }
    }

    /// Photos lacking a rendition of one of these presets (name to fingerprint), or holding one
    /// made with other settings.
    public func photosNeedingRenditions(fingerprints: [String: String]) async throws -> Set<String> {
        try await stored { try await store.photosNeedingRenditions(fingerprints: fingerprints) }
    }

    /// Whether one photo lacks a rendition of one of these presets (name to fingerprint), or
    /// holds one made with other settings: `photosNeedingRenditions` for one photo.
    public func needsRenditions(_ sha256: String, fingerprints: [String: String]) async throws -> Bool {
        guard !fingerprints.isEmpty else { return false }
        let held = try await renditions(of: sha256)
        return !fingerprints.allSatisfy { preset, fingerprint in
            held.contains { $0.preset == preset && $0.fingerprint == fingerprint }
        }
    }

    /// Where a file was last seen, by its path.
    public func location(path: String) async throws -> FileLocation? {
        try await stored { try await store.location(path: path) }
    }

    /// A photo by its full hash.
    public func photo(sha256: String) async throws -> Photo? {
        try await stored { try await store.photo(sha256: sha256) }
    }

    /// Everything about a photo, for the tools that check and repair it.
    public func details(sha256: String) async throws -> PhotoDetails? {
        try await stored { try await store.details(sha256: sha256) }
    }

    /// A photo's renditions, smallest first.
    public func renditions(of sha256: String) async throws -> [Rendition] {
        try await stored { try await store.renditions(of: sha256) }
    }

    /// One rendition by a photo's short id and the preset, with the photo's `publicFrom` (who
    /// may see it is the caller's to judge).
    public func rendition(shortId: String, preset: String) async throws -> RenditionLookup? {
        try await stored { try await store.rendition(shortId: shortId, preset: preset) }
    }

    /// Adds or replaces renditions of a photo (by preset).
    public func saveRenditions(_ renditions: [Rendition], of sha256: String) async throws {
        try await stored { try await store.saveRenditions(renditions, of: sha256) }
    }

    /// Every rendition and every location, for `verify`.
    public func inventory() async throws -> (renditions: [Rendition], locations: [FileLocation], photos: Int) {
        let renditions = try await stored { try await store.allRenditions() }
        let locations = try await stored { try await store.allLocations() }
        let photos = try await photoCount(audience: .editors)
        return (renditions, locations, photos)
    }
}
