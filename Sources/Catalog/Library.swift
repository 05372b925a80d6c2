import Foundation

/// The library folder: the catalog and everything Photodesk makes, never the originals.
public struct Library: Sendable {
    /// The folder's absolute path.
    public let root: String

    /// A library at `path` (relative paths are taken from the current folder).
    public init(path: String) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        root = url.path
    }

    /// `--library`, else `$PHOTODESK_LIBRARY`, else `./library`.
    public static func resolve(_ option: String?) -> Library {
        Library(path: option ?? ProcessInfo.processInfo.environment["PHOTODESK_LIBRARY"] ?? "library")
    }

    /// The SQLite catalog file.
    public var catalogPath: String { root + "/catalog.sqlite" }

    /// A rendition's path relative to the library: `renditions/ab/<short id>-<preset>.<ext>`.
    public static func renditionPath(sha256: String, preset: String, fileExtension: String) -> String {
        "renditions/\(sha256.prefix(2))/\(sha256.prefix(16))-\(preset).\(fileExtension)"
    }

    /// An original copied into the library (uploads, `ingest --copy`): `originals/ab/<sha256>.<ext>`.
    public static func originalPath(sha256: String, fileExtension: String) -> String {
        "originals/\(sha256.prefix(2))/\(sha256).\(fileExtension)"
    }

    /// An absolute path inside the library.
    public func absolute(_ relative: String) -> String { root + "/" + relative }

    /// Makes the folder if it is not there.
    public func create() throws {
        try FileManager.default.createDirectory(atPath: root + "/renditions", withIntermediateDirectories: true)
    }
}
