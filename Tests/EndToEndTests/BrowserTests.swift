import Foundation
import Imaging
import PhotoFactory
import Testing

/// The demo served by the real binary and loaded by headless Chromium (installed by `make setup`).
@Suite("Pages in a real browser", .serialized)
struct BrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs headless Chromium with a time limit; its standard output.
    static func chromium(_ arguments: [String]) throws -> String {
        let browser = try #require(chromium, "chromium is not installed: run make setup")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--no-first-run", "--disable-extensions",
                "--user-data-dir=" + NSTemporaryDirectory() + "/photodesk-chromium",
            ] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: timer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("the demo article renders its photos and captions; a screenshot of a photo page under .build/")
    func demoInBrowser() async throws {
        let work = try TemporaryFolder("browser")
        let library = work.path + "/library"
        let demo = try Binary.run(["demo", work.path + "/demo/photos"])
        #expect(demo.status == 0, "\(demo.stderr)")
        try FileManager.default.copyItem(
            atPath: Binary.root.appendingPathComponent("Assets/demo/article.md").path,
            toPath: work.path + "/demo/article.md")
        #expect(try Binary.run(["ingest", "--library", library, work.path + "/demo/photos"]).status == 0)
        let imported = try Binary.run(["article", "import", "--library", library, work.path + "/demo/article.md"])
        #expect(imported.status == 0, "\(imported.stderr)")

        let server = Process()
        server.executableURL = URL(fileURLWithPath: Binary.path)
        server.arguments = ["serve", "--library", library, "--port", "0"]
        server.environment = ProcessInfo.processInfo.environment.merging([
            "PHOTODESK_HOME": Binary.root.path, "PHOTODESK_LOG": "info",
        ]) { $1 }
        let out = Pipe()
        let accessLog = work.path + "/access.log"
        FileManager.default.createFile(atPath: accessLog, contents: nil)
        server.standardOutput = out
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: accessLog))
        try server.run()
        defer {
            if server.isRunning {
                server.terminate()
                server.waitUntilExit()
            }
        }
        let banner = try #require(String(data: out.fileHandleForReading.availableData, encoding: .utf8))
        let address = String(try #require(banner.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\//)).output.0)

        // The article page, as the browser built it.
        // A tall window, so the lazily loaded photos are all in view.
        let dom = try Self.chromium([
            "--virtual-time-budget=8000", "--window-size=1280,12000", "--dump-dom",
            address + "articles/border-province-visit",
        ])
        #expect(dom.contains("Bộ trưởng thăm tỉnh biên giới Hà Giang"))
        let images = dom.matches(of: /<img src="\/r\/([0-9a-f]{16})\/medium\.webp"/).map { String($0.output.1) }
        #expect(images.count == 5, "the demo article has five photos")
        #expect(dom.contains("Bộ trưởng trò chuyện với người dân xã Lũng Cú."))
        #expect(dom.contains("Officials at the new boarding school, Đồng Văn."))
        #expect(dom.contains("\"@type\":\"NewsArticle\""))
        // A photo page, as a picture.
        let screenshots = Binary.root.appendingPathComponent(".build/browser").path
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let shot = screenshots + "/photo-page.png"
        try? FileManager.default.removeItem(atPath: shot)
        let photo = try #require(images.first)
        _ = try Self.chromium([
            "--virtual-time-budget=5000", "--window-size=1280,1400", "--screenshot=" + shot,
            address + "photos/\(photo)",
        ])
        let picture = try VipsImage.decode(try Data(contentsOf: URL(fileURLWithPath: shot)))
        #expect(picture.width == 1280 && picture.height == 1400)
        // The large rendition is on it: the page is not a blank white sheet.
        #expect(try picture.average() < 240, "the screenshot shows the photo")

        // SIGTERM: the server stops cleanly (Hummingbird's graceful shutdown) within seconds.
        server.terminate()
        let deadline = Date().addingTimeInterval(15)
        while server.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!server.isRunning, "the server stopped on SIGTERM")
        if !server.isRunning {
            #expect(server.terminationReason == .exit && server.terminationStatus == 0)
        }

        // The browser fetched and got every photo it shows. The access log is written a tenth of
        // a second at a time and whole at shutdown: read once the server has stopped, it holds
        // every request.
        let log = try String(contentsOfFile: accessLog, encoding: .utf8).split(separator: "\n")
        for id in Set(images) {
            #expect(
                log.contains { $0.contains("path=/r/\(id)/") && $0.contains("status=200") },
                "the browser loaded photo \(id)")
        }
        #expect(log.contains { $0.contains("path=/photos/\(photo)") && $0.contains("status=200") })
        #expect(!log.contains { $0.contains("status=500") })
    }
}

@Suite("photodesk user")
struct UserCommandTests {
    @Test("add reads the password from stdin (bcrypt), list, token, password rules, remove")
    func users() throws {
        let work = try TemporaryFolder("users")
        let library = ["--library", work.path + "/library"]
        let added = try Binary.run(["user", "add", "lan", "--role", "editor"] + library, input: "a long password\n")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("Added lan (editor)"))
        let again = try Binary.run(["user", "add", "lan"] + library, input: "a long password\n")
        #expect(again.status == 1 && again.stderr.contains("already exists"))
        let short = try Binary.run(["user", "add", "minh"] + library, input: "short\n")
        #expect(short.status == 1 && short.stderr.contains("at least 10 characters"))
        let none = try Binary.run(["user", "add", "minh"] + library)
        #expect(none.status == 1 && none.stderr.contains("no password"))
        let badName = try Binary.run(["user", "add", "x y"] + library, input: "a long password\n")
        #expect(badName.status == 2)
        let badRole = try Binary.run(["user", "add", "minh", "--role", "owner"] + library, input: "a long password\n")
        #expect(badRole.status == 2)
        let token = try Binary.run(["user", "token", "lan", "--label", "cms"] + library)
        #expect(token.status == 0 && token.stdout.hasPrefix("pdt_"))
        let list = try Binary.run(["user", "list", "--json"] + library)
        let users = try #require(
            (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])?["users"]
                as? [[String: Any]])
        #expect(users.count == 1)
        #expect(users.first?["role"] as? String == "editor" && users.first?["tokens"] as? Int == 1)
        // The stored hash is bcrypt, never the password.
        let catalog = try String(contentsOfFile: work.path + "/library/catalog.sqlite", encoding: .isoLatin1)
        #expect(!catalog.contains("a long password"))
        #expect(try Binary.run(["user", "remove", "lan"] + library).status == 0)
        #expect(try Binary.run(["user", "remove", "lan"] + library).status == 1)
    }
}
