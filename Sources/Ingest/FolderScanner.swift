import Foundation
import Imaging

/// Finds the candidate photo files under the paths given, in a stable order.
///
/// Hidden files and sidecars (`.xmp`, `.txt`) are not photos. Symbolic links are followed only
/// when they point inside the folder given; others are reported, not followed.
public struct FolderScanner: Sendable {
    /// A file to ingest, or a path refused while scanning.
    public enum Entry: Sendable, Equatable {
        case file(path: String, stat: FileStat)
        case refused(path: String, reason: String)

        /// The entry's path.
        public var path: String {
            switch self {
            case .file(let path, _), .refused(let path, _): path
            }
        }
    }

    static let sidecarExtensions: Set<String> = ["xmp", "txt"]

    /// Folders never walked into (real paths): the library being ingested into, so that
    /// `photodesk ingest .` beside `./library` does not take its renditions for photos.
    let excluded: Set<String>

    /// Makes a scanner that skips the folders `excluding` (a library's root, say).
    public init(excluding: [String] = []) {
        excluded = Set(excluding.compactMap(Self.realPath))
    }

    /// Scans files and folders, recursively. Throws when a path given does not exist.
    public func scan(_ paths: [String]) throws -> [Entry] {
        var entries: [Entry] = []
        for given in paths {
            let root = URL(fileURLWithPath: given).standardizedFileURL.path
            var info = stat()
            guard lstat(root, &info) == 0 else {
                throw IngestError(.usage, "\(given) does not exist")
            }
            // A link given by name is what the editor meant (a folder on another disk, say): it
            // is followed; links met inside follow the rule above.
            if info.st_mode & S_IFMT == S_IFLNK, stat(root, &info) != 0 {
                throw IngestError(
                    .usage, "\(given) is a link to \(Self.realPath(root) ?? "a path") that does not exist")
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                let real = Self.realPath(root) ?? root
                if excluded.contains(real) {
                    throw IngestError(
                        .usage, "\(given) is the library Photodesk ingests into, not a folder of photos")
                }
                walk(root, within: real, into: &entries)
            case S_IFREG:
                entries.append(.file(path: root, stat: FileStat(info)))
            default:
                entries.append(.refused(path: root, reason: "not a regular file (a FIFO, device or socket): not read"))
            }
        }
        return entries
    }

    private func walk(_ folder: String, within root: String, into entries: inout [Entry]) {
        guard let names = Self.names(in: folder) else {
            entries.append(.refused(path: folder, reason: "the folder cannot be read: permission denied?"))
            return
        }
        for name in names where !name.hasPrefix(".") {
            let path = folder + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else {
                entries.append(.refused(path: path, reason: "cannot be read: \(String(cString: strerror(errno)))"))
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if !excluded.isEmpty, excluded.contains(Self.realPath(path) ?? path) { continue }
                walk(path, within: root, into: &entries)
            case S_IFREG:
                if FolderScanner.sidecarExtensions.contains((name as NSString).pathExtension.lowercased()) { continue }
                entries.append(.file(path: path, stat: FileStat(info)))
            case S_IFLNK:
                // A sidecar is not a photo, whatever it links to; ingest reads sidecars safely.
                if FolderScanner.sidecarExtensions.contains((name as NSString).pathExtension.lowercased()) { continue }
                guard let target = Self.realPath(path), target.hasPrefix(root + "/") else {
                    entries.append(
                        .refused(
                            path: path,
                            reason: "a link out of the folder given; links are not followed out of it"))
                    continue
                }
                var targetInfo = stat()
                // Links to folders are not followed (no loops); links to files inside are.
                if stat(target, &targetInfo) == 0, targetInfo.st_mode & S_IFMT == S_IFREG {
                    entries.append(.file(path: path, stat: FileStat(targetInfo)))
                }
            default:
                continue
            }
        }
    }

    /// A folder's entry names in byte order, read with readdir (Foundation's enumerator costs
    /// more than the rest of a re-scan together); nil when the folder cannot be read.
    static func names(in folder: String) -> [String]? {
        guard let directory = opendir(folder) else { return nil }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                Array(raw.prefix { $0 != 0 })
            }
            if name == [46] || name == [46, 46] { continue }
            names.append(name)
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }.map { String(decoding: $0, as: UTF8.self) }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
