import Foundation

/// What a photo's Content Credentials (C2PA) say, as verified at ingest: whether it carries a
/// manifest, whether its signature and hashes hold, who signed it and what it declares.
public struct Provenance: Codable, Sendable, Equatable {
    /// The verdict.
    public enum State: String, Codable, Sendable, CaseIterable {
        /// No Content Credentials in the file ("none"; not `none`, which Optional has).
        case absent = "none"
        /// Signed, intact, and the signer chains to a certificate on the desk's trust list.
        case valid
        /// Signed and intact, but the signer is not on the desk's trust list.
        case untrusted
        /// The credentials do not hold (a hash or signature fails, or they cannot be read):
        /// `codes` and `reason` say why.
        case invalid
    }

    public var state: State
    /// The C2PA validation codes that failed ("assertion.dataHash.mismatch"), or "unreadable".
    public var codes: [String] = []
    /// For people: why the credentials are invalid, or cannot be read.
    public var reason: String?
    /// The signer's certificate: its issuer (organisation) and common name.
    public var issuer: String?
    public var commonName: String?
    /// When it was signed, as the claim says (a time-stamp authority's time when there is one).
    public var signedAt: String?
    /// The software that made the claim ("Photodesk test fixtures 1.0").
    public var generator: String?
    /// The actions declared ("c2pa.created", "c2pa.cropped"...).
    public var actions: [String] = []
    /// The declared digital source type (an IPTC NewsCode URI, or its last part).
    public var sourceType: String?
    /// The manifest store report as the C2PA library gave it (JSON), for editors.
    public var report: String?

    public init(state: State) { self.state = state }

    /// Whether the picture declares itself made by a generative model (IPTC digital source types
    /// trainedAlgorithmicMedia, compositeWithTrainedAlgorithmicMedia, algorithmicMedia).
    public var isGenerated: Bool { Self.declaresGenerated(sourceType) }

    public static let generatedTypes: Set<String> = [
        "trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia", "algorithmicMedia",
    ]

    /// Whether an IPTC Digital Source Type (a NewsCode URI, or its last part) is one of the
    /// generated types.
    public static func declaresGenerated(_ sourceType: String?) -> Bool {
        guard let sourceType else { return false }
        let name = sourceType.split(separator: "/").last.map(String.init) ?? sourceType
        return generatedTypes.contains(name)
    }

    /// Who signed, for people: "Thông tấn xã Test Signer (Photodesk Test Agency)"; empty when
    /// the credentials name no one.
    public var signer: String {
        [commonName, issuer.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
    }

    /// One line for people: "valid: signed by Thông tấn xã Test Signer (Photodesk Test Agency)".
    public var summary: String {
        let signed = signer.isEmpty ? "" : ": signed by \(signer)"
        let generated = isGenerated ? "; AI-generated (declared)" : ""
        switch state {
        case .absent: return "none"
        case .valid: return "valid\(signed)\(generated)"
        case .untrusted:
            return "valid but not trusted (the signer is not on the desk's trust list)\(signed)\(generated)"
        case .invalid: return "invalid: \(reason ?? codes.joined(separator: ", "))"
        }
    }
}
