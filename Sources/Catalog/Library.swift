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

    /// Who may read and write a library's files: its owner alone, or its group too.
    public enum Access: Sendable, Equatable {
        /// Folders 0700, files 0600.
        case owner
        /// Folders 0770, files 0660: a newsroom group shares the library.
        case group

        /// The mode of the library's folder.
        public var folderMode: mode_t { self == .group ? 0o770 : 0o700 }
        /// The mode of its catalog, lock and the files made in it.
        public var fileMode: mode_t { self == .group ? 0o660 : 0o600 }
        /// The process umask under which new files and folders get these modes.
        public var umask: mode_t { self == .group ? 0o007 : 0o077 }
    }

    /// The access the library was given when it was made (`group` when its folder is
    /// group-writable), or nil when there is no library yet.
    public var existingAccess: Access? {
        var info = stat()
        guard stat(root, &info) == 0 else { return nil }
        return info.st_mode & 0o070 == 0o070 ? .group : .owner
    }

    /// Makes the folder if it is not there, with the access asked for.
    public func create(access: Access = .owner) throws {
        if existingAccess == nil {
            let parent = (root as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            if mkdir(root, access.folderMode) != 0, errno != EEXIST {
                let reason = String(cString: strerror(errno))
                throw CatalogError(
                    .open, "cannot make the library folder \(root): check that its parent folder is writable",
                    cause: reason)
            }
            // mkdir's mode passes through the umask: set it as asked.
            chmod(root, access.folderMode)
        }
        try FileManager.default.createDirectory(atPath: root + "/renditions", withIntermediateDirectories: true)
    }

    /// Gives the library folder, its catalog (with SQLite's WAL files) and its lock file the
    /// modes of `access`, whatever made them; files it cannot change are left as they are.
    public func apply(_ access: Access) {
        chmod(root, access.folderMode)
        for file in [catalogPath, catalogPath + "-wal", catalogPath + "-shm", root + "/.ingest.lock"] {
            chmod(file, access.fileMode)
        }
    }
}
