import Foundation
import PhotoFactory
import Testing

/// Content Credentials verified at ingest with the C2PA reference implementation: fixtures
/// signed here with c2pa-python's builder and certificate chains made with `cryptography`
/// (scripts/c2pa-fixtures, in the virtual environment `make test` installs).
@Suite("Content Credentials at ingest", .serialized, .enabled(if: C2PAFixtures.canBeMade))
struct ProvenanceTests {
    static let python = C2PAFixtures.python

    static func provenance(_ library: String, _ path: String) throws -> [String: Any] {
        let show = try Binary.run(["show", "--library", library, "--json", path])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        return try #require(document["provenance"] as? [String: Any], "\(show.stdout)")
    }

    @Test("valid, AI-generated, untrusted, tampered, stripped and hostile files each get their state")
    func states() async throws {
        let work = try TemporaryFolder("e2e-provenance")
        var photo = SyntheticPhoto(width: 800, height: 600, seed: 31)
        photo.scene = .meeting
        try photo.write(to: work.file("source.jpg"))
        try FileManager.default.createDirectory(atPath: work.path + "/in", withIntermediateDirectories: true)
        let fixtures = Process()
        fixtures.executableURL = URL(fileURLWithPath: Self.python)
        fixtures.arguments = [
            Binary.root.appendingPathComponent("scripts/c2pa-fixtures").path, work.path + "/source.jpg",
            work.path + "/in",
        ]
        try fixtures.run()
        fixtures.waitUntilExit()
        try #require(fixtures.terminationStatus == 0)
        let root = work.path + "/in/trusted-root.pem"
        try FileManager.default.moveItem(atPath: root, toPath: work.path + "/trusted-root.pem")
        let originals = try Dictionary(
            uniqueKeysWithValues: FileManager.default.contentsOfDirectory(atPath: work.path + "/in").map {
                ($0, try Data(contentsOf: URL(fileURLWithPath: work.path + "/in/" + $0)))
            })

        let library = work.path + "/library"
        let trust = try Binary.run(["provenance", "trust", "--library", library, work.path + "/trusted-root.pem"])
        #expect(trust.status == 0, "\(trust.stderr)")
        #expect(trust.stdout.contains("trusts 1 certificate"))
        let ingest = try Binary.run(["ingest", "--library", library, work.path + "/in"])
        #expect(ingest.status == 0, "\(ingest.stdout)\(ingest.stderr)")
        #expect(ingest.stdout.contains("6 ingested"), "\(ingest.stdout)")
        #expect(!ingest.stderr.contains("provenance was not checked"), "\(ingest.stderr)")

        let valid = try Self.provenance(library, work.path + "/in/valid.jpg")
        #expect(valid["state"] as? String == "valid")
        #expect(valid["signer"] as? String == "Thông tấn xã Test Signer")
        #expect(valid["issuer"] as? String == "Photodesk Test Agency")
        #expect(valid["generated"] as? Bool == false)
        #expect(valid["actions"] as? [String] == ["c2pa.created"])
        #expect(valid["appliesTo"] as? String == "original")
        #expect(valid["report"] is [String: Any])

        let generated = try Self.provenance(library, work.path + "/in/generated.jpg")
        #expect(generated["state"] as? String == "valid")
        #expect(generated["generated"] as? Bool == true)
        #expect((generated["digitalSourceType"] as? String)?.hasSuffix("/trainedAlgorithmicMedia") == true)

        let untrusted = try Self.provenance(library, work.path + "/in/untrusted.jpg")
        #expect(untrusted["state"] as? String == "untrusted")
        #expect(untrusted["signer"] as? String == "Someone Else")

        let tampered = try Self.provenance(library, work.path + "/in/tampered.jpg")
        #expect(tampered["state"] as? String == "invalid")
        #expect((tampered["codes"] as? [String])?.contains("assertion.dataHash.mismatch") == true, "\(tampered)")

        #expect(try Self.provenance(library, work.path + "/in/stripped.jpg")["state"] as? String == "none")

        let hostile = try Self.provenance(library, work.path + "/in/hostile.jpg")
        #expect(hostile["state"] as? String == "invalid")
        #expect(hostile["codes"] as? [String] == ["unreadable"])
        #expect((hostile["reason"] as? String)?.contains("cannot be read") == true, "\(hostile)")

        // The text line, and the originals untouched, byte for byte.
        let shown = try Binary.run(["show", "--library", library, work.path + "/in/generated.jpg"])
        #expect(shown.stdout.contains("AI-generated (declared)"), "\(shown.stdout)")
        for (name, bytes) in originals {
            #expect(try Data(contentsOf: URL(fileURLWithPath: work.path + "/in/" + name)) == bytes, "\(name)")
        }

        // Readers see the line on a published photo's page; search filters by verdict.
        let generatedId =
            try #require(
                try JSONSerialization.jsonObject(
                    with: Data(
                        try Binary.run(["show", "--library", library, "--json", work.path + "/in/generated.jpg"]).stdout
                            .utf8))
                    as? [String: Any])["id"] as? String
        let generatedPage = try #require(generatedId)
        #expect(try Binary.run(["publish", "--library", library, generatedPage]).status == 0)
        let server = try ServeProcess(library: library)
        defer { server.stop() }
        let page = try await LoopbackHTTP.send(port: server.port, "/photos/\(generatedPage)")
        #expect(page.status == 200)
        #expect(
            page.text.contains(
                "<dt>Content Credentials</dt><dd class=\"credentials\">AI-generated (declared in them); signed by Thông tấn xã Test Signer"
            ),
            "\(page.text)")
        #expect(!page.text.contains("id=\"credentials\""), "a reader sees no editor's section")
        // An editor downloads the original byte for byte; readers cannot.
        #expect(
            try Binary.run(
                ["user", "add", "desk", "--role", "editor", "--library", library], input: "a long password\n"
            )
            .status == 0)
        let token =
            try Binary.run(["user", "token", "desk", "--library", library]).stdout.split(separator: "\n").first
            .map(String.init) ?? ""
        let validId =
            try #require(
                try JSONSerialization.jsonObject(
                    with: Data(
                        try Binary.run(["show", "--library", library, "--json", work.path + "/in/valid.jpg"]).stdout
                            .utf8))
                    as? [String: Any])["id"] as? String
        let original = try await LoopbackHTTP.send(
            port: server.port, "/api/v1/assets/\(try #require(validId))/original",
            headers: ["Authorization": "Bearer \(token)"])
        #expect(original.status == 200)
        #expect(original.body == originals["valid.jpg"])
        #expect(original.header("content-type") == "image/jpeg", "\(original.headers)")
        #expect(
            try await LoopbackHTTP.send(port: server.port, "/api/v1/assets/\(generatedPage)/original").status == 401)
        let invalid = try Binary.run(["search", "--library", library, "--provenance", "invalid", "--json"])
        let found = try #require(try JSONSerialization.jsonObject(with: Data(invalid.stdout.utf8)) as? [String: Any])
        #expect(found["total"] as? Int == 2, "\(invalid.stdout)")
        server.stop()

        // Without the library, ingest goes on and says once that provenance was not checked.
        var other = SyntheticPhoto(width: 320, height: 240, seed: 32)
        other.scene = .flag
        try other.write(to: work.file("later/one.jpg"))
        try other.write(to: work.file("later/two.png"), as: .png)
        let unchecked = try Binary.run(
            ["ingest", "--library", library, work.path + "/later"],
            environment: ["PHOTODESK_C2PA_LIB": work.path + "/no-such-library.so"])
        #expect(unchecked.status == 0, "\(unchecked.stderr)")
        #expect(
            unchecked.stderr.components(separatedBy: "provenance was not checked").count == 2, "\(unchecked.stderr)")
        let plain = try Binary.run(["show", "--library", library, work.path + "/later/one.jpg"])
        #expect(plain.stdout.contains("c2pa      not checked"), "\(plain.stdout)")

        // The IPTC Digital Source Type declares a picture generated as well: found by --generated.
        let declared = try Binary.run([
            "caption", "set", "--library", library, work.path + "/later/one.jpg", "--digital-source-type",
            "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",
        ])
        #expect(declared.status == 0, "\(declared.stderr)")
        let generatedSearch = try Binary.run(["search", "--library", library, "--generated", "--json"])
        let generatedFound = try #require(
            try JSONSerialization.jsonObject(with: Data(generatedSearch.stdout.utf8)) as? [String: Any])
        #expect(generatedFound["total"] as? Int == 2, "\(generatedSearch.stdout)")
    }
}

/// The virtual environment's Python, when it can make C2PA fixtures (c2pa-python, cryptography).
enum C2PAFixtures {
    static let python = Binary.root.appendingPathComponent(".build/venv/bin/python").path

    static let canBeMade: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import c2pa, cryptography"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}
