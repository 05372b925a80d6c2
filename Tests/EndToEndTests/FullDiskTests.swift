import Foundation
import Metadata
import PhotoFactory
import Testing

/// A library on a small filesystem that fills up (a tmpfs this test mounts, where the machine
/// lets it): every failure names what, where and why; an ingest stops starting files; the
/// server refuses writes with 507 and keeps serving reads; after room is made, the same ingest
/// finishes and `verify` is clean.
@Suite("A full disk, said plainly", .serialized, .enabled(if: SmallDisk.canMount))
struct FullDiskTests {
    /// Writes a file of zeros until the disk refuses (ENOSPC): nothing is left for anyone.
    static func fill(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw SmallDisk.Failure(what: "cannot create \(path)") }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let written = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                #expect(errno == ENOSPC)
                break
            }
            if written < chunk.count { continue }
        }
        // Partial pages: a byte at a time until not one more fits.
        var byte: UInt8 = 0
        while write(descriptor, &byte, 1) == 1 {}
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("ingest, caption edits and uploads on a full disk: named, refused whole, and finished once room is made")
    func fullDisk() async throws {
        let work = try TemporaryFolder("e2e-full-disk")
        let disk = work.path + "/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        try #require(mount("tmpfs", disk, "tmpfs", 0, "size=32m") == 0, "mount: \(String(cString: strerror(errno)))")
        defer { umount2(disk, Int32(MNT_DETACH)) }
        for index in 1...8 {
            var photo = SyntheticPhoto(width: 1600, height: 1200, seed: 900 + index)
            var iptc = IPTCValues()
            iptc.caption = "Ảnh \(index)"
            photo.iptc = iptc
            try photo.write(to: work.file((index <= 2 ? "first/" : "rest/") + "IMG_000\(index).jpg"))
        }
        let library = disk + "/library"
        let first = try Binary.run(["ingest", "--library", library, work.path + "/first"])
        try #require(first.status == 0, "\(first.stdout)\(first.stderr)")
        try #require(
            try Binary.run(
                ["user", "add", "desk", "--role", "admin", "--library", library], input: "a long password\n"
            )
            .status == 0)
        let token =
            try Binary.run(["user", "token", "desk", "--library", library]).stdout.split(separator: "\n")
            .first.map(String.init) ?? ""
        let list = try Self.json(try Binary.run(["list", "--library", library, "--json"]).stdout)
        let id = try #require((list["photos"] as? [[String: Any]])?.first?["id"] as? String)

        let server = try ServeProcess(library: library)
        defer { server.stop() }
        let auth = ["Authorization": "Bearer \(token)", "Content-Type": "application/json", "If-Match": "*"]
        let before = try await LoopbackHTTP.send(
            "PATCH", port: server.port, "/api/v1/assets/\(id)/caption", headers: auth,
            body: Data(#"{"caption":"Trước khi đầy đĩa"}"#.utf8))
        #expect(before.status == 200, "\(before.text)")

        try Self.fill(disk + "/filler")
        let edit = try await LoopbackHTTP.send(
            "PATCH", port: server.port, "/api/v1/assets/\(id)/caption", headers: auth,
            body: Data(#"{"caption":"Sau khi đầy đĩa"}"#.utf8))
        #expect(edit.status == 507, "\(edit.text)")
        #expect(edit.text.contains("could not be written: no space left on device (the library's disk is full)"))
        let kept = try await LoopbackHTTP.send(
            port: server.port, "/api/v1/assets/\(id)/caption", headers: ["Authorization": "Bearer \(token)"])
        #expect(kept.status == 200)
        #expect(kept.text.contains("Trước khi đầy đĩa"), "\(kept.text)")
        #expect(try await LoopbackHTTP.send(port: server.port, "/").status == 200)
        #expect(try await LoopbackHTTP.send(port: server.port, "/photos").status == 200)
        let upload = try await LoopbackHTTP.send(
            "POST", port: server.port, "/api/v1/uploads?name=IMG_0100.jpg",
            headers: ["Authorization": "Bearer \(token)", "Content-Type": "image/jpeg"],
            body: try Data(contentsOf: URL(fileURLWithPath: work.path + "/rest/IMG_0003.jpg")))
        #expect(upload.status == 507, "\(upload.text)")
        #expect(upload.text.contains("no space left on device (the library's disk is full)"), "\(upload.text)")
        server.stop()

        // One file at a time, so that exactly one is tried: it fails naming where and why, and
        // the other five are accounted as not tried.
        let full = try Binary.run(["ingest", "--library", library, "--jobs", "1", "--json", work.path + "/rest"])
        #expect(full.status == 1)
        let lines = full.stdout.split(separator: "\n").map(String.init)
        let results = try lines.dropLast().map(Self.json)
        #expect(results.count == 6)
        let errors = results.compactMap { $0["error"] as? String }
        #expect(errors.count == 6)
        let tried = errors.filter { !$0.hasPrefix("not tried") }
        #expect(tried.count == 1, "\(errors)")
        #expect(
            tried.first?.contains("could not be written to \(library)/") == true
                && tried.first?.hasSuffix("no space left on device (the library's disk is full)") == true,
            "\(tried)")
        #expect(errors.filter { $0 == "not tried: the library's disk is full" }.count == 5)
        let last = try #require(lines.last)
        let summary = try #require(try Self.json(last)["summary"] as? [String: Any])
        #expect(summary["failed"] as? Int == 6 && summary["notTried"] as? Int == 5, "\(summary)")

        // Nothing half-made: no temporary file, no rendition the catalog does not name.
        let verify = try Binary.run(["verify", "--library", library])
        #expect(verify.status == 0, "\(verify.stdout)")
        let leftovers = FileManager.default.enumerator(atPath: library + "/renditions")?.allObjects
            .compactMap { $0 as? String }.filter { $0.contains(".tmp") }
        #expect(leftovers == [])

        // Room made: the same ingest finishes, and the library checks clean.
        try FileManager.default.removeItem(atPath: disk + "/filler")
        let again = try Binary.run(["ingest", "--library", library, work.path + "/rest"])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("6 ingested"), "\(again.stdout)")
        #expect(try Binary.run(["verify", "--library", library]).status == 0)
    }
}

/// A small filesystem for a test: a tmpfs mounted on a folder.
enum SmallDisk {
    /// Whether this process may mount a tmpfs (root, as on the project's machines and CI).
    static let canMount: Bool = {
        guard geteuid() == 0, let folder = try? TemporaryFolder("mount-probe") else { return false }
        guard mount("tmpfs", folder.path, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount2(folder.path, Int32(MNT_DETACH))
        return true
    }()

    struct Failure: Error {
        var what: String
    }
}
