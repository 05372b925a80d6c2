import Foundation
import Imaging
import PhotoFactory
import Testing

@Suite("Side files")
struct SafeFileTests {
    let work: TemporaryFolder
    let folder: String

    init() throws {
        work = try TemporaryFolder("safefile")
        folder = work.path + "/card"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func refusal(_ path: String, maxBytes: Int = 1 << 20, within: String? = nil) -> SafeFile.Refusal? {
        do throws(SafeFile.Refusal) {
            _ = try SafeFile.read(path: path, maxBytes: maxBytes, within: within)
            return nil
        } catch {
            return error
        }
    }

    @Test("a regular file in the folder is read whole")
    func plain() throws {
        try Data("Chợ phiên Đồng Văn".utf8).write(to: URL(fileURLWithPath: folder + "/IMG_1.txt"))
        let data = try SafeFile.read(path: folder + "/IMG_1.txt", maxBytes: 64, within: folder)
        #expect(String(decoding: data, as: UTF8.self) == "Chợ phiên Đồng Văn")
    }

    @Test("a link to a secret outside the folder is refused and nothing of it is read")
    func linkOutside() throws {
        try Data("-----BEGIN OPENSSH PRIVATE KEY-----".utf8).write(
            to: URL(fileURLWithPath: work.file("home/id_ed25519")))
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/IMG_1.txt", withDestinationPath: work.path + "/home/id_ed25519")
        let refused = try #require(refusal(folder + "/IMG_1.txt", within: folder))
        #expect(refused.code == .outside)
        let root = try #require(SafeFile.realPath(folder))
        #expect(refused.description == "\(folder)/IMG_1.txt: a link to a file outside \(root), not followed")
    }

    @Test("a link to another file inside the folder is followed")
    func linkInside() throws {
        try Data("caption".utf8).write(to: URL(fileURLWithPath: folder + "/shared.txt"))
        try FileManager.default.createSymbolicLink(atPath: folder + "/IMG_1.txt", withDestinationPath: "shared.txt")
        #expect(try SafeFile.read(path: folder + "/IMG_1.txt", maxBytes: 64, within: folder) == Data("caption".utf8))
    }

    @Test("a link to /dev/zero is refused at once, inside a folder or named directly")
    func devZero() throws {
        try FileManager.default.createSymbolicLink(atPath: folder + "/IMG_1.xmp", withDestinationPath: "/dev/zero")
        #expect(refusal(folder + "/IMG_1.xmp", within: folder)?.code == .outside)
        let named = try #require(refusal(folder + "/IMG_1.xmp"))
        #expect(named.code == .notRegular)
        #expect(named.reason == "a device, not a regular file")
    }

    @Test("a FIFO is refused without waiting for a writer")
    func fifo() throws {
        #expect(mkfifo(folder + "/IMG_1.xmp", 0o600) == 0)
        let refused = try #require(refusal(folder + "/IMG_1.xmp", within: folder))
        #expect(refused.code == .notRegular)
        #expect(refused.reason == "a FIFO, not a regular file")
    }

    @Test("a folder under a side file's name is refused")
    func directory() throws {
        try FileManager.default.createDirectory(atPath: folder + "/IMG_1.xmp", withIntermediateDirectories: true)
        #expect(refusal(folder + "/IMG_1.xmp", within: folder)?.reason == "a folder, not a regular file")
    }

    @Test("a file over the cap is refused from its size, before anything is read")
    func tooLarge() throws {
        try Data(repeating: 0x41, count: 2000).write(to: URL(fileURLWithPath: folder + "/IMG_1.txt"))
        let refused = try #require(refusal(folder + "/IMG_1.txt", maxBytes: 1999, within: folder))
        #expect(refused.code == .tooLarge)
        #expect(refused.reason == "2000 bytes, over the 1999-byte limit")
        #expect(try SafeFile.read(path: folder + "/IMG_1.txt", maxBytes: 2000).count == 2000)
        #expect(try SafeFile.read(path: folder + "/IMG_1.txt", maxBytes: .max).count == 2000)
    }

    @Test("nothing there is no file, not an error, for readIfPresent")
    func missing() throws {
        #expect(try SafeFile.readIfPresent(path: folder + "/IMG_9.xmp", maxBytes: 10, within: folder) == nil)
        #expect(refusal(folder + "/IMG_9.xmp")?.code == .missing)
    }
}

@Suite("Atomic writes")
struct AtomicFileTests {
    @Test("a path's folder, name and extension, as NSString's path methods give them")
    func parts() {
        for path in [
            "/library/renditions/ab/cd.webp", "renditions/x.jpg", "x.jpg", "/x.jpg", "folder/.hidden", "a/b.tar.gz",
            "a/name.", "a/noext", "a/b/", "ảnh/Lũng Cú.JPG",
        ] {
            let parts = AtomicFile.parts(path)
            let ns = path as NSString
            #expect(parts.folder == ns.deletingLastPathComponent, "\(path)")
            #expect(parts.name == ns.lastPathComponent, "\(path)")
            #expect(parts.extension == (ns.lastPathComponent as NSString).pathExtension, "\(path)")
        }
    }

    @Test("the file appears whole under its name, and no temporary is left beside it")
    func writes() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("deep/er/ảnh.bin")
        try AtomicFile.write(Data([1, 2, 3]), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data([1, 2, 3]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("deep/er")) == ["ảnh.bin"])
    }
}
