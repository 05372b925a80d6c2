import Catalog
import Desk
import Foundation
import Imaging
import PhotoModel

/// The Content Credentials reader of this process: the C2PA library loaded once, and a reading
/// context per trust list (the desk's, read from the catalog at each ingest, so every node
/// applies the same). Without the library, ingest goes on and says once that provenance was not
/// checked, and how to enable it.
actor ProvenanceCheck {
    static let shared = ProvenanceCheck()

    private var loaded: (trust: String, credentials: ContentCredentials)?
    /// Why the library cannot be used at all (not found): for the life of the process.
    private var failure: String?
    /// Why a context for this trust list could not be made (the list refused, say): until the
    /// list changes.
    private var refused: (trust: String, reason: String)?
    /// Whether the failure was said already: once per process (a watcher scans again and again).
    private var said = false

    /// The reader for the desk's current trust list, or why there is none (said the first time
    /// only).
    func credentials(for desk: Desk) async -> (ContentCredentials?, notice: String?) {
        let (credentials, failure) = await load(for: desk)
        guard let failure, !said else { return (credentials, nil) }
        said = true
        return (nil, failure)
    }

    private func load(for desk: Desk) async -> (ContentCredentials?, String?) {
        if let failure { return (nil, failure) }
        let trust = (try? await desk.trustList()?.value) ?? ""
        if let loaded, loaded.trust == trust { return (loaded.credentials, nil) }
        if let refused, refused.trust == trust { return (nil, refused.reason) }
        guard let path = Self.libraryPath() else {
            failure =
                "provenance was not checked: the C2PA library (libc2pa_c.so) was not found; `make setup` installs it in .build/venv, or set PHOTODESK_C2PA_LIB to its path"
            return (nil, failure)
        }
        do {
            let credentials = try ContentCredentials(libraryPath: path, trustAnchors: trust.isEmpty ? nil : trust)
            loaded = (trust, credentials)
            return (credentials, nil)
        } catch {
            let reason = "provenance was not checked: \(error) (\(path))"
            refused = (trust, reason)
            return (nil, reason)
        }
    }

    /// `$PHOTODESK_C2PA_LIB`, else the virtual environment's copy under `$PHOTODESK_HOME/.build`
    /// or the `.build` folder beside or above the executable.
    static func libraryPath() -> String? {
        var folders: [String] = []
        if let home = ProcessInfo.processInfo.environment["PHOTODESK_HOME"] { folders.append(home + "/.build") }
        var folder = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
        ).deletingLastPathComponent()
        for _ in 0..<6 {
            if folder.lastPathComponent == ".build" { folders.append(folder.path) }
            folders.append(folder.appendingPathComponent(".build").path)
            folder = folder.deletingLastPathComponent()
        }
        folders.append(FileManager.default.currentDirectoryPath + "/.build")
        for build in folders {
            if let path = ContentCredentials.libraryPath(build: build) { return path }
        }
        return nil
    }
}
