import Catalog
import CatalogSQLite
import Foundation
import Testing

@Suite("Library access")
struct LibraryAccessTests {
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    @Test("a new library folder is its owner's alone, whatever the umask")
    func ownerOnly() throws {
        let root = NSTemporaryDirectory() + "library-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let library = Library(path: root + "/newsroom")
        #expect(library.existingAccess == nil)
        try library.create()
        #expect(Self.mode(library.root) == 0o700)
        #expect(library.existingAccess == .owner)
    }

    @Test("a library shared with a group is made 0770 and keeps being seen as shared")
    func group() throws {
        let root = NSTemporaryDirectory() + "library-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let library = Library(path: root)
        try library.create(access: .group)
        #expect(Self.mode(library.root) == 0o770)
        #expect(library.existingAccess == .group)
    }

    @Test("apply sets the folder, the catalog with its WAL files and the lock to the access asked for")
    func apply() throws {
        let root = NSTemporaryDirectory() + "library-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let library = Library(path: root)
        try library.create()
        _ = try SQLiteCatalog(library: library)
        FileManager.default.createFile(atPath: root + "/.ingest.lock", contents: nil)
        chmod(library.catalogPath, 0o644)
        chmod(root + "/.ingest.lock", 0o644)
        library.apply(.owner)
        #expect(Self.mode(library.catalogPath) == 0o600)
        #expect(Self.mode(root + "/.ingest.lock") == 0o600)
        library.apply(.group)
        #expect(Self.mode(root) == 0o770)
        #expect(Self.mode(library.catalogPath) == 0o660)
        #expect(Self.mode(root + "/.ingest.lock") == 0o660)
        #expect(Library.Access.owner.umask == 0o077 && Library.Access.group.umask == 0o007)
    }
}
