import Foundation
import PhotoModel

/// A photo's look, for finding its twins: its difference hash (nil when the picture is nearly
/// uniform, or could not be hashed), kept beside the photo.
public struct PhotoLook: Sendable, Equatable {
    public var sha256: String
    public var hash: DifferenceHash?

    public init(sha256: String, hash: DifferenceHash?) {
        self.sha256 = sha256
        self.hash = hash
    }
}

/// What deciding twins needs of a photo: its look, when and with what it was taken.
public struct TwinSignature: Sendable, Equatable {
    public var sha256: String
    public var hash: DifferenceHash
    /// The capture time as read from the file (ISO 8601, with its offset when known).
    public var takenAt: String?
    /// The camera: make and model ("Canon EOS R5"), when known.
    public var camera: String?

    public init(sha256: String, hash: DifferenceHash, takenAt: String?, camera: String?) {
        self.sha256 = sha256
        self.hash = hash
        self.takenAt = takenAt
        self.camera = camera
    }
}

/// The looks of photos (`look` table): written by ingest with the photo, or afterwards for
/// photos ingested before there were looks.
public protocol TwinStore: Sendable {
    /// Keeps the looks of photos already catalogued (replacing any they had).
    func saveLooks(_ looks: [PhotoLook]) async throws
    /// Up to `limit` photos that have no look yet, oldest first.
    func photosWithoutLook(limit: Int) async throws -> [String]
    /// Every photo with a hash, for grouping twins.
    func twinSignatures() async throws -> [TwinSignature]
    /// The photos whose hash shares at least one of the five blocks of `hash` (every photo at
    /// most 4 bits from it is among them), up to `limit`.
    func twinCandidates(of hash: DifferenceHash, limit: Int) async throws -> [TwinSignature]
    /// What a photo's Content Credentials said at ingest; nil when they were not checked.
    func provenance(of sha256: String) async throws -> Provenance?
}

extension TwinSignature {
    /// "Canon EOS R5" from its make and model (the model alone when it repeats the make), nil
    /// when neither is known.
    public static func camera(make: String?, model: String?) -> String? {
        let make = make?.trimmingCharacters(in: .whitespaces) ?? ""
        let model = model?.trimmingCharacters(in: .whitespaces) ?? ""
        if model.isEmpty { return make.isEmpty ? nil : make }
        if make.isEmpty || model.lowercased().hasPrefix(make.lowercased()) { return model }
        return make + " " + model
    }
}
