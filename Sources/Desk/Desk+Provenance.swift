import Catalog
import Foundation
import PhotoModel

extension Desk {
    /// The setting that holds the desk's trust list for Content Credentials.
    static let trustSetting = "provenance.trust"

    /// The most bytes a trust list may have.
    public static let trustListLimit = 1 << 20

    /// The desk's trust list (PEM certificates), with who set it when; nil when none was set.
    public func trustList() async throws -> StoredSetting? {
        try await stored { try await store.setting(Self.trustSetting) }
    }

    /// Sets the desk's trust list: PEM text of one or more certificates (`-----BEGIN
    /// CERTIFICATE-----`). Photos ingested afterwards are judged against it on every node.
    /// Returns how many certificates it holds.
    @discardableResult
    public func saveTrustList(_ pem: String, by: String) async throws -> Int {
        guard pem.utf8.count <= Self.trustListLimit else {
            throw DeskError(.invalid, "the trust list is over \(Self.trustListLimit) bytes")
        }
        let certificates = pem.components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1
        let ends = pem.components(separatedBy: "-----END CERTIFICATE-----").count - 1
        guard certificates > 0, certificates == ends else {
            throw DeskError(
                .invalid,
                "the trust list must be PEM certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----); found \(certificates) beginnings and \(ends) ends"
            )
        }
        try await stored { try await store.saveSetting(Self.trustSetting, value: pem, by: by, at: clock()) }
        return certificates
    }

    /// What a photo's Content Credentials said at ingest; nil when they were not checked.
    public func provenance(of sha256: String) async throws -> Provenance? {
        try await stored { try await store.provenance(of: sha256) }
    }
}
