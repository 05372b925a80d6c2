import Desk
import Foundation
import Metadata
import PhotoFactory
import Testing

/// `photodesk backup` and `restore` through the binary: a backup taken while the desk writes,
/// restored over the library it came from; an interrupted or damaged backup refused whole.
@Suite("Backups that restore", .serialized)
struct BackupTests {
    /// A library of `count` captioned photos, ingested from `work/in`.
    func library(_ work: TemporaryFolder, count: Int) throws -> String {
        for index in 1...count {
            var photo = SyntheticPhoto(width: 320, height: 240, seed: 700 + index)
            var iptc = IPTCValues()
            iptc.caption = "Ảnh số \(index): đoàn công tác tại Hà Giang"
            photo.iptc = iptc
            try photo.write(to: work.file("in/\(index).jpg"))
        }
        let library = work.path + "/library"
        let ingest = try Binary.run(["ingest", "--library", library, work.path + "/in"])
        try #require(ingest.status == 0, "\(ingest.stderr)")
        return library
    }

    func ids(_ library: String) throws -> [String] {
        let list = try Binary.run(["list", "--library", library, "--json", "--limit", "100"])
        let object = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
        return (object?["photos"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    func manifest(_ folder: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/manifest.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func sha256(_ path: String) throws -> String {
        try BackupManifest.fileSHA256(path)
    }

    @Test("a backup taken while a server runs and editors write restores with its counts and caption checksum")
    func backupUnderLoadRestores() async throws {
        let work = try TemporaryFolder("e2e-backup")
        let library = try library(work, count: 8)
        let photos = try ids(library)
        try #require(photos.count == 8)
        let server = try ServeProcess(library: library)
        defer { server.stop() }

        // Editors keep writing captions from other processes while the backup copies.
        let writing = Task.detached { () -> Int in
            var saved = 0
            for round in 0..<6 {
                for id in photos.prefix(4) {
                    let edit = try Binary.run([
                        "caption", "set", "--library", library, id, "--caption", "Bản sửa \(round) của \(id)",
                    ])
                    if edit.status == 0 { saved += 1 }
                }
            }
            return saved
        }
        let backup = try Binary.run(["backup", "--library", library, "--pages-per-step", "1", work.path + "/backup"])
        let saved = try await writing.value
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("Backed up 8 photos"), "\(backup.stdout)")
        #expect(saved == 24)
        let manifest = try manifest(work.path + "/backup")
        let census = try #require(manifest["census"] as? [String: Any])
        #expect(census["photos"] as? Int == 8)
        #expect(manifest["sha256"] as? String == (try sha256(work.path + "/backup/catalog.sqlite")))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: work.path + "/backup").sorted() == [
                "catalog.sqlite", "manifest.json",
            ])

        // After the backup: one more photo ingested, one photo removed.
        var later = SyntheticPhoto(width: 320, height: 240, seed: 799)
        later.exif.make = "Nikon"
        try later.write(to: work.file("later/new.jpg"))
        #expect(try Binary.run(["ingest", "--library", library, work.path + "/later"]).status == 0)
        let removed = try Binary.run(["remove", "--library", library, photos[7], "--force"])
        #expect(removed.status == 0, "\(removed.stderr)")
        server.stop()

        // Over a live catalog only with --force; the catalog it replaces is kept.
        let refused = try Binary.run(["restore", "--library", library, work.path + "/backup"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("already has a catalog"), "\(refused.stderr)")
        let restored = try Binary.run(["restore", "--library", library, "--force", "--json", work.path + "/backup"])
        #expect(restored.status == 0, "\(restored.stderr)")
        let restoredCensus = try #require(
            try JSONSerialization.jsonObject(with: Data(restored.stdout.utf8)) as? [String: Any])
        for key in ["photos", "revisions", "locations", "renditions", "captionChecksum"] {
            #expect("\(restoredCensus[key] ?? "none")" == "\(census[key] ?? "missing")", "\(key)")
        }
        #expect(try ids(library).sorted() == photos.sorted())
        let kept = try FileManager.default.contentsOfDirectory(atPath: library).filter {
            $0.hasPrefix("catalog-replaced-")
        }
        #expect(kept.count == 1)

        // verify names what changed since: the later photo's renditions (no longer catalogued)
        // and the removed photo's (gone from the disk); --repair re-makes the latter.
        let verify = try Binary.run(["verify", "--library", library, "--json"])
        #expect(verify.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])
        let problems = try #require(report["problems"] as? [[String: Any]])
        let kinds = Dictionary(grouping: problems) { $0["kind"] as? String ?? "" }
        #expect(Set(kinds.keys) == ["extra-file", "missing-rendition"], "\(verify.stdout)")
        #expect(kinds["missing-rendition"]?.allSatisfy { $0["id"] as? String == photos[7] } == true)
        let repair = try Binary.run(["verify", "--library", library, "--repair"])
        #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
        #expect(try Binary.run(["verify", "--library", library]).status == 0)
    }

    @Test("a backup killed in the middle is refused at restore, and nothing is half-restored")
    func interruptedBackupIsRefused() throws {
        let work = try TemporaryFolder("e2e-backup-killed")
        let library = try library(work, count: 3)
        let killed = try Binary.run(
            ["backup", "--library", library, "--pages-per-step", "2", work.path + "/partial"],
            environment: ["PHOTODESK_CRASH_AFTER_BACKUP_STEPS": "3"])
        #expect(killed.status == SIGKILL)
        let left = try FileManager.default.contentsOfDirectory(atPath: work.path + "/partial")
        #expect(left.contains("catalog.sqlite") && !left.contains("manifest.json"), "\(left)")

        let before = try sha256(library + "/catalog.sqlite")
        for target in [library, work.path + "/elsewhere"] {
            let restore = try Binary.run(["restore", "--library", target, "--force", work.path + "/partial"])
            #expect(restore.status == 2)
            #expect(restore.stderr.contains("unfinished backup"), "\(restore.stderr)")
        }
        #expect(try sha256(library + "/catalog.sqlite") == before)
        #expect(!FileManager.default.fileExists(atPath: work.path + "/elsewhere/catalog.sqlite"))
    }

    @Test("a damaged backup is refused by its checksum; a backup never lands in a used folder")
    func damagedBackupIsRefused() throws {
        let work = try TemporaryFolder("e2e-backup-damaged")
        let library = try library(work, count: 2)
        #expect(try Binary.run(["backup", "--library", library, work.path + "/b"]).status == 0)
        let again = try Binary.run(["backup", "--library", library, work.path + "/b"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("is not empty"), "\(again.stderr)")

        let file = work.path + "/b/catalog.sqlite"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[bytes.count / 2] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: file))
        let restore = try Binary.run(["restore", "--library", work.path + "/other", work.path + "/b"])
        #expect(restore.status == 2)
        #expect(restore.stderr.contains("does not match its manifest's checksum"), "\(restore.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.path + "/other/catalog.sqlite"))
    }
}
