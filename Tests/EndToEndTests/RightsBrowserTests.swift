import Foundation
import Imaging
import PhotoFactory
import Testing

/// The rights desk in a real browser (`Tests/Browser/rights_desk.py`): an agency photo's rights
/// on its page, a lease added from the page's form, and `/desk` listing the article the guard
/// would refuse and a killed photo; both pages screenshotted under .build/browser.
@Suite("The rights desk in a real browser", .serialized)
struct RightsBrowserTests {
    static let script = Binary.root.appendingPathComponent("Tests/Browser/rights_desk.py").path

    @Test("an admin reads a photo's rights, leases it from the page, and sees the desk's refusals and kills")
    func rightsDesk() async throws {
        let work = try TemporaryFolder("rights-browser")
        let library = work.path + "/library"
        let lib = ["--library", library]
        #expect(try Binary.run(["demo", work.path + "/demo/photos"]).status == 0)
        #expect(try Binary.run(["ingest"] + lib + [work.path + "/demo/photos"]).status == 0)
        let agency = work.path + "/demo/photos/04-dong-van-market.jpg"
        let killed = work.path + "/demo/photos/05-ma-pi-leng-pass.jpg"
        let set = try Binary.run(
            ["caption", "set", agency] + lib + [
                "--credit", "REUTERS", "--instructions",
                "EDITORIAL USE ONLY. NO ARCHIVE. MANDATORY CREDIT. PLEASE CALL THE DESK BEFORE USE",
            ])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try Binary.run(["kill"] + lib + [killed, "--reason", "AFP kill notice: manipulated"]).status == 0)
        let article = work.path + "/market.md"
        try """
        ---
        slug: market-day
        headline: Market day in Đồng Văn
        ---
        ![The Sunday market.](demo/photos/04-dong-van-market.jpg)
        """.write(toFile: article, atomically: true, encoding: .utf8)
        #expect(try Binary.run(["article", "import"] + lib + [article]).status == 0)
        let refused = try Binary.run(["article", "publish"] + lib + ["market-day"])
        #expect(refused.status != 0 && refused.stderr.contains("pay photo (rule Reuters)"), "\(refused.stderr)")
        let password = "a long password for the admin"
        #expect(try Binary.run(["user", "add", "chief", "--role", "admin"] + lib, input: password + "\n").status == 0)
        let shown = try Binary.run(["show", agency, "--json"] + lib)
        let id = try #require(shown.stdout.firstMatch(of: /"id" : "([0-9a-f]{16})"/).map { String($0.output.1) })

        let server = try ServeProcess(library: library)
        defer { server.stop() }
        let screenshots = BrowserWorkflowTests.screenshots
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        for shot in ["rights-photo.png", "rights-desk.png"] {
            try? FileManager.default.removeItem(atPath: screenshots + "/" + shot)
        }
        let run = try BrowserWorkflowTests.runScript(
            ["--base", server.address, "--user", "chief", "--photo", id, "--screenshots", screenshots],
            input: password + "\n", script: Self.script)
        #expect(run.status == 0, "the browser script failed: \(run.stdout)\n\(run.stderr.suffix(4000))")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
        try #require(report["error"] == nil, "\(report)")
        let before = try #require(report["before"] as? [String: Any])
        #expect((before["heading"] as? String)?.contains("pay") == true, "\(before)")
        #expect((before["heading"] as? String)?.contains("Reuters") == true, "\(before)")
        #expect(before["status"] as? String == "may not run")
        let restrictions = try #require(before["restrictions"] as? [String])
        #expect(restrictions.count == 4, "\(restrictions)")
        #expect(
            restrictions.last?.contains("not understood") == true
                && restrictions.last?.contains("CALL THE DESK") == true)
        #expect(before["killButton"] as? Int == 1, "an admin has the kill button")
        let after = try #require(report["after"] as? [String: Any])
        #expect(after["status"] as? String == "may run")
        #expect((after["leases"] as? [String])?.first?.contains("Reuters invoice 4411") == true, "\(after)")
        let desk = try #require(report["desk"] as? [String: Any])
        #expect((desk["kills"] as? [String])?.first?.contains("AFP kill notice: manipulated") == true, "\(desk)")
        // Leased now, the article's only photo may run: the guard would no longer refuse it.
        #expect((desk["refused"] as? [String])?.isEmpty == true, "\(desk)")
        let published = try Binary.run(["article", "publish"] + lib + ["market-day"])
        #expect(published.status == 0, "\(published.stderr)")
        for shot in ["rights-photo.png", "rights-desk.png"] {
            let picture = try VipsImage.decode(try Data(contentsOf: URL(fileURLWithPath: screenshots + "/" + shot)))
            #expect(picture.width == 1280, "\(shot)")
            #expect(try picture.average() < 250, "\(shot) is not a blank page")
        }
    }
}
