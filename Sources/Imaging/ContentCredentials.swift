import CImaging
import Foundation
import PhotoModel

/// Content Credentials (C2PA) read and verified by the reference implementation's C library,
/// loaded at run time (`libc2pa_c.so`, from c2pa-python's wheel, which `make setup` installs in
/// the project's virtual environment). Offline only: no remote manifest is fetched, no
/// certificate status asked; a signer is trusted when it chains to the desk's trust list.
public final class ContentCredentials: @unchecked Sendable {
    /// The library's reading context: immutable once made, shared by every reading thread.
    private let context: UnsafeMutableRawPointer
    /// The library's version.
    public let version: String

    /// Why Content Credentials cannot be checked, said once per run by the caller.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads the library at `libraryPath` and makes a context trusting `trustAnchors` (PEM
    /// certificates; none: every signer is untrusted).
    public init(libraryPath: String, trustAnchors: String?) throws {
        var error: UnsafeMutablePointer<CChar>?
        guard pd_c2pa_load(libraryPath, &error) == 0 else { throw Unavailable(description: Self.take(error)) }
        // Offline: no remote manifest, no certificate status asked.
        let verify: [String: Any] = [
            "verify_trust": true, "verify_after_reading": true, "remote_manifest_fetch": false, "ocsp_fetch": false,
        ]
        var settings: [String: Any] = ["verify": verify]
        if let trustAnchors, !trustAnchors.isEmpty { settings["trust"] = ["trust_anchors": trustAnchors] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: settings), as: UTF8.self)
        guard let context = pd_c2pa_context(json, &error) else { throw Unavailable(description: Self.take(error)) }
        self.context = context
        version = pd_c2pa_version().map { Self.take($0) } ?? "unknown"
    }

    /// The library's path: `$PHOTODESK_C2PA_LIB`, else c2pa-python's in the virtual environment
    /// under `build` (`.build/venv/lib/python3.*/site-packages/c2pa/libs/libc2pa_c.so`).
    public static func libraryPath(build: String) -> String? {
        if let named = ProcessInfo.processInfo.environment["PHOTODESK_C2PA_LIB"], !named.isEmpty { return named }
        let lib = build + "/venv/lib"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib))?.filter { $0.hasPrefix("python") }
        for version in (versions ?? []).sorted().reversed() {
            let candidate = "\(lib)/\(version)/site-packages/c2pa/libs/libc2pa_c.so"
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The file's Content Credentials. A file the library cannot read is `invalid` with the
    /// library's reason; one without a manifest is `none`. Never throws: it is one more fact
    /// about the file, not a reason to refuse it.
    public func read(path: String, format: ImageFormat) -> Provenance {
        var error: UnsafeMutablePointer<CChar>?
        guard let json = pd_c2pa_read(context, path, format.mimeType, &error) else {
            let reason = Self.take(error)
            if reason.contains("ManifestNotFound") || reason.contains("no JUMBF data found")
                || reason.contains("JumbfNotFound")
            {
                return Provenance(state: .absent)
            }
            var provenance = Provenance(state: .invalid)
            provenance.codes = ["unreadable"]
            provenance.reason = "the Content Credentials cannot be read: \(reason)"
            return provenance
        }
        return Self.provenance(report: Self.take(json))
    }

    /// The verdict of a manifest store report (the library's JSON).
    public static func provenance(report: String) -> Provenance {
        guard let object = try? JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any] else {
            var provenance = Provenance(state: .invalid)
            provenance.codes = ["unreadable"]
            provenance.reason = "the C2PA library's report is not JSON"
            return provenance
        }
        let statuses = (object["validation_status"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        let failed = statuses.filter { $0 != "signingCredential.untrusted" }
        let untrusted = statuses.contains("signingCredential.untrusted")
        var provenance: Provenance
        switch object["validation_state"] as? String {
        case "Trusted": provenance = Provenance(state: .valid)
        case "Invalid": provenance = Provenance(state: .invalid)
        default: provenance = Provenance(state: failed.isEmpty ? (untrusted ? .untrusted : .valid) : .invalid)
        }
        if provenance.state == .valid && untrusted { provenance.state = .untrusted }
        provenance.codes = provenance.state == .invalid ? failed : []
        if provenance.state == .invalid {
            let explanations = (object["validation_status"] as? [[String: Any]] ?? []).compactMap {
                $0["explanation"] as? String
            }
            provenance.reason =
                explanations.isEmpty ? failed.joined(separator: ", ") : explanations.joined(separator: "; ")
        }
        provenance.report = report
        let label = object["active_manifest"] as? String
        guard let manifests = object["manifests"] as? [String: Any], let label,
            let manifest = manifests[label] as? [String: Any]
        else { return provenance }
        if let signature = manifest["signature_info"] as? [String: Any] {
            provenance.issuer = signature["issuer"] as? String
            provenance.commonName = signature["common_name"] as? String
            provenance.signedAt = signature["time"] as? String
        }
        if let info = (manifest["claim_generator_info"] as? [[String: Any]])?.first, let name = info["name"] as? String
        {
            provenance.generator = [name, info["version"] as? String].compactMap { $0 }.joined(separator: " ")
        } else {
            provenance.generator = manifest["claim_generator"] as? String
        }
        for assertion in manifest["assertions"] as? [[String: Any]] ?? [] {
            guard let name = assertion["label"] as? String, name == "c2pa.actions" || name == "c2pa.actions.v2",
                let data = assertion["data"] as? [String: Any], let actions = data["actions"] as? [[String: Any]]
            else { continue }
            for action in actions {
                if let kind = action["action"] as? String { provenance.actions.append(kind) }
                if provenance.sourceType == nil, let type = action["digitalSourceType"] as? String {
                    provenance.sourceType = type
                }
            }
        }
        return provenance
    }

    /// A string the C side made, freed.
    private static func take(_ text: UnsafeMutablePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        defer { pd_c2pa_free_text(text) }
        return String(cString: text)
    }
}
