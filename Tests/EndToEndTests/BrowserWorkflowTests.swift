import Foundation
import Imaging
import PhotoFactory
import Testing

/// The desk's publishing workflow in a real browser: Debian's Chromium driven through WebDriver
/// (chromedriver) by `Tests/Browser/desk_workflow.py`, with selenium from the virtual environment
/// `make test` makes in `.build/venv`, against the real binary on the loopback.
@Suite("The publishing workflow in a real browser", .serialized)
struct BrowserWorkflowTests {
    static let python = Binary.root.appendingPathComponent(".build/venv/bin/python").path
    static let script = Binary.root.appendingPathComponent("Tests/Browser/desk_workflow.py").path
    static let screenshots = Binary.root.appendingPathComponent(".build/browser").path
    /// Longer than every wait of the script put together: past it the script is stopped.
    static let limit: TimeInterval = 300

    /// Runs the script with `input` on its standard input, stopped after `limit` seconds.
    static func runScript(_ arguments: [String], input: String, script: String = script) throws -> Binary.Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + limit, execute: timer)
        let errors = ErrorText()
        let drain = Thread { errors.set(err.fileHandleForReading.readDataToEndOfFile()) }
        drain.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        return Binary.Run(
            status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self), stderr: errors.text)
    }

    /// The script's standard error, read on its own thread so neither pipe fills up.
    final class ErrorText: @unchecked Sendable {
        // Safe: `data` is only touched while holding `lock`.
        private let lock = NSLock()
        private var data = Data()
        func set(_ value: Data) { lock.withLock { data = value } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }

    @Test(
        "an editor signs in, uploads a folder, captions a photo, crops its use 16:9 and publishes; a reader sees the crop and the caption"
    )
    func publishingWorkflow() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.python),
            "no selenium environment at .build/venv: run make test (it makes it)")
        let work = try TemporaryFolder("browser-workflow")
        let library = work.path + "/library"
        let password = "harbour lights at dawn"
        let added = try Binary.run(
            ["user", "add", "--library", library, "lan", "--role", "editor"], input: password + "\n")
        #expect(added.status == 0, "\(added.stderr)")

        // The photographer's folder: three distinct generated scenes, 4:3, so a 16:9 crop cuts.
        let names = ["01-hills.jpg", "02-market.jpg", "03-river.jpg"]
        let scenes: [Scene] = [.hillsAtDawn, .market, .riverAtDusk]
        for (index, name) in names.enumerated() {
            var photo = SyntheticPhoto(width: 1800, height: 1350, seed: 40 + index)
            photo.scene = scenes[index]
            try photo.write(to: work.file("handed-in/\(name)"))
        }
        // The article the photo will illustrate, imported as a draft (no published: date).
        let slug = "harbour-at-dawn"
        let article = work.file("harbour.md")
        try """
        ---
        slug: \(slug)
        headline: The harbour wakes before the city
        dateline: Hải Phòng
        byline: Lan Nguyễn
        ---
        Fishing boats come in at first light, and the market opens on the quay.

        > "We sell everything before the city wakes," says **Bà Hoa**, who has kept a stall here for thirty years.

        What the boats brought in:

        - squid, still bright;
        - mackerel, by the basket;
        - crabs, *sold live*.

        | Boat | Catch | Back at |
        | --- | ---: | --- |
        | HP-0912 | 320 kg | 04:40 |
        | HP-1120 | 210 kg | 05:05 |

        <script>alert("raw html")</script>

        More at [the port](https://example.org/port_(hai-phong)), not [a link that runs script](javascript:alert(1)) <img src=x onerror=alert(2)>.

        """.write(toFile: article, atomically: true, encoding: .utf8)
        let imported = try Binary.run(["article", "import", "--library", library, article])
        #expect(imported.status == 0, "\(imported.stderr)")

        let server = try ServeProcess(library: library)
        defer { server.stop() }
        // A draft: readers do not see it yet.
        #expect(try await LiveHTTP.get(server.address + "articles/\(slug)").status == 404)

        let caption = "Boats unload the night's catch at the Hạ Long quay, before sunrise."
        try FileManager.default.createDirectory(atPath: Self.screenshots, withIntermediateDirectories: true)
        for shot in ["upload-results.png", "crop.png", "article.png", "failure.png"] {
            try? FileManager.default.removeItem(atPath: Self.screenshots + "/" + shot)
        }
        let run = try Self.runScript(
            [
                "--base", server.address, "--user", "lan", "--folder", work.path + "/handed-in", "--files",
                String(names.count), "--caption-file", "handed-in/02-market.jpg", "--caption", caption, "--article",
                slug, "--preset", "hero", "--screenshots", Self.screenshots,
            ], input: password + "\n")
        #expect(run.status == 0, "the browser script failed: \(run.stdout)\n\(run.stderr.suffix(4000))")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
        try #require(report["error"] == nil, "\(report)")

        #expect(report["signedInAs"] as? String == "lan")
        // Three files of the folder, three outcomes: each ingested, with a link to caption it.
        let outcomes = try #require(report["outcomes"] as? [[String: Any]])
        #expect(outcomes.count == 3)
        #expect(Set(outcomes.compactMap { $0["name"] as? String }) == Set(names.map { "handed-in/\($0)" }))
        #expect(outcomes.allSatisfy { $0["status"] as? String == "ingested" }, "\(outcomes)")
        #expect(outcomes.allSatisfy { $0["link"] as? String == "Caption it" }, "\(outcomes)")
        #expect(report["summary"] as? String == "3 of 3 files done: 3 ingested")
        let ids = outcomes.compactMap { ($0["href"] as? String)?.firstMatch(of: /\/photos\/([0-9a-f]{16})#edit/) }
            .map { String($0.output.1) }
        #expect(Set(ids).count == 3)

        let captioned = try #require(report["captioned"] as? String)
        #expect(ids.contains(captioned))
        #expect((report["saved"] as? String)?.hasPrefix("Saved as revision") == true)
        let crop = try #require(report["crop"] as? [String: Any])
        // The largest centred 16:9 rectangle of the photo (as the pipeline stored it).
        let market = try VipsImage.decode(
            try Data(contentsOf: URL(fileURLWithPath: work.path + "/handed-in/02-market.jpg")))
        let tall = market.width * 9 / 16
        #expect(
            crop["rectangle"] as? [Int] == [0, (market.height - tall) / 2, market.width, tall],
            "\(market.width) x \(market.height)")
        #expect(crop["marked"] as? String == "cropped")
        #expect(report["publication"] as? String == "published")

        // The reader's browser: the article, its cropped image and the caption; no desk.
        let reader = try #require(report["reader"] as? [String: Any])
        #expect(reader["headline"] as? String == "The harbour wakes before the city")
        #expect(reader["caption"] as? String == caption)
        #expect(reader["signedIn"] as? Bool == false && reader["editorSections"] as? Int == 0)
        // The body through CommonMark: the quote, the list, the table, emphasis; hostile lines inert.
        let quotes = try #require(reader["quotes"] as? [String])
        #expect(quotes.count == 1 && quotes[0].contains("We sell everything before the city wakes"))
        #expect(
            reader["listItems"] as? [String] == [
                "squid, still bright;", "mackerel, by the basket;", "crabs, sold live.",
            ])
        #expect(reader["tableCells"] as? [String] == ["HP-0912", "320 kg", "04:40", "HP-1120", "210 kg", "05:05"])
        #expect(reader["strong"] as? [String] == ["Bà Hoa"])
        #expect(
            reader["links"] as? [String] == ["https://example.org/port_(hai-phong)"], "only the safe link is a link")
        #expect(reader["scripts"] as? Int == 0 && reader["alerted"] as? Bool == false)
        let image = try #require(reader["image"] as? String)
        #expect(
            image.hasPrefix(server.address + "r/\(captioned)/crop-"), "the article shows the crop rendition: \(image)")
        let width = try #require(reader["naturalWidth"] as? Int)
        let height = try #require(reader["naturalHeight"] as? Int)
        // As laid out (the browser scales a srcset candidate to the column's width).
        #expect(abs(width * 9 - height * 16) <= 16, "\(width) x \(height) is 16:9 within a pixel")

        // The same rendition fetched anonymously and decoded: 16:9 within a pixel.
        let fetched = try await LiveHTTP.get(image)
        #expect(fetched.status == 200)
        #expect(fetched.header("Cache-Control") == "public, max-age=31536000, immutable")
        let decoded = try VipsImage.decode(fetched.body)
        #expect(
            abs(Double(decoded.height) - Double(decoded.width) * 9 / 16) <= 1,
            "\(decoded.width) x \(decoded.height) is 16:9 within a pixel")
        // The page as plain HTTP has them too, and its structured data names the crop.
        let page = try await LiveHTTP.get(server.address + "articles/\(slug)")
        #expect(page.status == 200)
        let path = String(image.dropFirst(server.address.count - 1))
        #expect(page.text.contains("src=\"\(path)\""))
        #expect(page.text.contains(caption))
        #expect(page.text.contains("\"contentUrl\":\"\(image)\""))
        // The two photos left out of the article stay private.
        for id in ids where id != captioned {
            #expect(try await LiveHTTP.get(server.address + "photos/\(id)").status == 404)
        }

        // The screenshots: the upload results and the crop page, as pictures.
        for (shot, darkest) in [("upload-results.png", 250.0), ("crop.png", 240.0), ("article.png", 250.0)] {
            let picture = try VipsImage.decode(
                try Data(contentsOf: URL(fileURLWithPath: Self.screenshots + "/" + shot)))
            #expect(picture.width == 1280, "\(shot)")
            #expect(try picture.average() < darkest, "\(shot) is not a blank page")
        }
    }
}
