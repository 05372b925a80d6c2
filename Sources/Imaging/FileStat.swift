import Foundation

/// The part of a file's status that says whether it changed.
public struct FileStat: Sendable, Equatable {
    public var size: Int64
    /// Modification time in seconds since 1970, with nanoseconds.
    public var modifiedAt: Double
    public var inode: Int64

    /// Takes the fields from a `stat`.
    public init(_ info: stat) {
        size = Int64(info.st_size)
        modifiedAt = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1_000_000_000
        inode = Int64(bitPattern: UInt64(info.st_ino))
    }

    /// Makes a status.
    public init(size: Int64, modifiedAt: Double, inode: Int64) {
        self.size = size
        self.modifiedAt = modifiedAt
        self.inode = inode
    }

    /// Reads a file's status; nil when it cannot be read.
    public static func of(_ path: String) -> FileStat? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileStat(info)
    }
}
