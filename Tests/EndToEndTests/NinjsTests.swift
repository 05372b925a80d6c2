import Foundation
import PhotoFactory
import Testing

/// IPTC ninjs 3.1 from the CLI's export and the API, for editors and readers, every document
/// validated against IPTC's schema (../shared/ninjs) by Python's jsonschema with a format checker
/// (scripts/validate-ninjs, installed by `make test`'s virtual environment).
@Suite("ninjs: photos and articles as IPTC ninjs 3.1, validated against IPTC's schema", .serialized)
struct NinjsTests {
    static let schema = Binary.root.deletingLastPathComponent().appendingPathComponent(
        "shared/ninjs/ninjs-schema_3.1.json"
    ).path
    static let python = Binary.root.appendingPathComponent(".build/venv/bin/python").path

    /// Runs the validator over a folder; its exit status and output.
    static func validate(_ folder: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Binary.root.appendingPathComponent("scripts/validate-ninjs").path, schema, folder]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func object(_ path: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    @Test(
        "the demo's photos and articles (published, scheduled, draft; a crop; a killed photo) as ninjs from export and the API: all valid"
    )
    func demoAsNinjs() async throws {
        #expect(
            FileManager.default.fileExists(atPath: Self.schema), "IPTC's ninjs schema is expected at \(Self.schema)")
        #expect(FileManager.default.isExecutableFile(atPath: Self.python), "run make test: it makes .build/venv")
        let work = try TemporaryFolder("ninjs")
        let library = work.path + "/library"
        let lib = ["--library", library]
        #expect(try Binary.run(["demo", work.path + "/demo/photos"]).status == 0)
        for name in ["article.md", "article-scheduled.md", "article-draft.md"] {
            try FileManager.default.copyItem(
                atPath: Binary.root.appendingPathComponent("Assets/demo/\(name)").path,
                toPath: work.path + "/demo/\(name)")
        }
        #expect(try Binary.run(["ingest"] + lib + [work.path + "/demo/photos"]).status == 0)
        let imported = try Binary.run(
            ["article", "import"] + lib
                + ["article.md", "article-scheduled.md", "article-draft.md"].map { work.path + "/demo/" + $0 })
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(
            try Binary.run(["article", "crop"] + lib + ["border-province-visit", "1", "--preset", "hero"]).status == 0)
        let scheduled = try Binary.run(
            ["article", "publish"] + lib + ["ma-pi-leng-pass", "--at", "2099-01-01T08:00:00+07:00"])
        #expect(scheduled.status == 0, "\(scheduled.stderr)")
        let flag = work.path + "/demo/photos/02-flag-tower.jpg"
        let terms = try Binary.run(
            ["caption", "set", flag] + lib + [
                "--usage-terms", "Editorial use only", "--copyright", "© Cổng Thông tin Demo",
            ])
        #expect(terms.status == 0, "\(terms.stderr)")
        let school = work.path + "/demo/photos/03-school-inspection.jpg"
        #expect(try Binary.run(["kill"] + lib + [school, "--reason", "kill notice"]).status == 0)

        // Editors: every photo and the published article from `export --format ninjs`.
        let exported = work.path + "/export"
        let export = try Binary.run(
            ["export"] + lib + ["--format", "ninjs", "--out", exported, "--base-url", "https://photos.example.org/"])
        #expect(export.status == 0, "\(export.stderr)")
        let byArticle = try Binary.run(
            ["export"] + lib + [
                "--article", "border-province-visit", "--format", "ninjs", "--out", exported + "/article",
            ])
        #expect(byArticle.status == 0, "\(byArticle.stderr)")
        let composite = try Self.object(exported + "/article/border-province-visit.ninjs.json")
        #expect(composite["type"] as? String == "composite" && composite["pubStatus"] as? String == "usable")
        let pictures = try #require(composite["associations"] as? [[String: Any]])
        #expect(pictures.map { $0["name"] as? String } == (1...5).map { "picture\($0)" })
        #expect(pictures.map { $0["pubStatus"] as? String }[2] == "canceled", "the killed photo, for editors")
        let lead = try #require(pictures.first?["renditions"] as? [[String: Any]])
        #expect(lead.contains { ($0["name"] as? String)?.hasPrefix("crop-") == true && $0["poi"] != nil })
        #expect((lead.first?["href"] as? String)?.hasPrefix("http://127.0.0.1:8080/r/") == true)
        let flagItem = try Self.object(exported + "/02-flag-tower.ninjs.json")
        #expect(flagItem["usageTerms"] as? String == "Editorial use only")
        #expect(flagItem["copyrightNotice"] as? String == "© Cổng Thông tin Demo")
        #expect((flagItem["uri"] as? String)?.hasPrefix("urn:photodesk:photo:") == true)
        #expect(
            ((flagItem["renditions"] as? [[String: Any]])?.first?["href"] as? String)?.hasPrefix(
                "https://photos.example.org/r/") == true)

        // The API: readers get what they may see; editors with a token drafts and the scheduled one.
        let server = try ServeProcess(library: library)
        defer { server.stop() }
        let added = try Binary.run(["user", "add", "chief", "--role", "admin"] + lib, input: "a long password\n")
        #expect(added.status == 0, "\(added.stderr)")
        let issued = try Binary.run(["user", "token", "chief"] + lib)
        let token = try #require(issued.stdout.firstMatch(of: /pdt_[A-Za-z0-9_-]+/).map { String($0.output) })
        let api = "http://127.0.0.1:\(server.port)/api/v1/ninjs"
        let fetched = work.path + "/api"
        try FileManager.default.createDirectory(atPath: fetched, withIntermediateDirectories: true)
        var count = 0
        func keep(_ url: String, as name: String, token: String? = nil, expect status: Int = 200) async throws {
            let answer = try await LiveHTTP.get(url, headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
            #expect(answer.status == status, "\(url): \(answer.status)")
            guard answer.status == 200 else { return }
            try answer.body.write(to: URL(fileURLWithPath: "\(fetched)/\(name).json"))
            count += 1
        }
        try await keep("\(api)/articles/border-province-visit", as: "reader-published")
        try await keep("\(api)/articles/ma-pi-leng-pass", as: "reader-scheduled", expect: 404)
        try await keep("\(api)/articles/new-school-year", as: "reader-draft", expect: 404)
        try await keep("\(api)/articles/ma-pi-leng-pass", as: "editor-scheduled", token: token)
        try await keep("\(api)/articles/new-school-year", as: "editor-draft", token: token)
        let reader = try Self.object(fetched + "/reader-published.json")
        #expect(
            (reader["associations"] as? [[String: Any]])?.count == 4, "readers do not get the killed photo")
        let editorScheduled = try Self.object(fetched + "/editor-scheduled.json")
        #expect(editorScheduled["pubStatus"] as? String == "usable")
        #expect(editorScheduled["embargoedUntil"] as? String == "2099-01-01T01:00:00Z")
        #expect(try Self.object(fetched + "/editor-draft.json")["pubStatus"] as? String == "withheld")
        let flagId =
            try #require(flagItem["altIds"] as? [[String: Any]]).first { $0["role"] as? String == "photodesk-id" }?[
                "value"] as? String
        try await keep("\(api)/photos/\(try #require(flagId))", as: "reader-photo")
        try await keep("\(api)/photos/\(try #require(flagId))", as: "editor-photo", token: token)
        #expect(count == 5)

        let (status, output) = try Self.validate(work.path)
        #expect(status == 0, "\(output)")
        let documents = try #require(output.firstMatch(of: /ninjs: (\d+) of (\d+) documents valid/))
        #expect(Int(documents.output.1) == Int(documents.output.2))
        #expect((Int(documents.output.2) ?? 0) >= 12, "\(output)")
        print("ninjs validation: \(output)")
    }
}
