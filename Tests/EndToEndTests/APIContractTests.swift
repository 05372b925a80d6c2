import Foundation
import PhotoFactory
import Testing

/// The OpenAPI document and the server agree: schemathesis (a property-based API tester,
/// installed by `make test` into `.build/venv`) generates requests from the document, valid and
/// invalid, every operation and every method, sends them to a live `serve` with an admin's token
/// and runs all its checks against the answers. Its settings are in `schemathesis.toml`.
@Suite("The API against its OpenAPI document (schemathesis)", .serialized)
struct APIContractTests {
    static let tester = Binary.root.appendingPathComponent(".build/venv/bin/schemathesis").path

    @Test("schemathesis with all its checks finds nothing")
    func schemathesis() async throws {
        let installed = FileManager.default.isExecutableFile(atPath: Self.tester)
        if !installed && ProcessInfo.processInfo.environment["CI"] != "true" {
            // `swift test` run by hand without `make test`: say how to get the tester.
            print("schemathesis is not installed: `make test` installs it into .build/venv")
            return
        }
        #expect(installed, "schemathesis is not installed: `make test` installs it into .build/venv")
        guard installed else { return }

        let work = try TemporaryFolder("api-contract")
        let library = ["--library", work.path + "/library"]
        let environment = ["PHOTODESK_HOME": Binary.root.path]
        #expect(try Binary.run(["demo", work.path + "/demo/photos"], environment: environment).status == 0)
        try FileManager.default.copyItem(
            atPath: Binary.root.appendingPathComponent("Assets/demo/article.md").path,
            toPath: work.path + "/demo/article.md")
        #expect(
            try Binary.run(["ingest"] + library + [work.path + "/demo/photos"], environment: environment).status == 0)
        #expect(
            try Binary.run(
                ["article", "import"] + library + [work.path + "/demo/article.md"], environment: environment
            )
            .status == 0)
        #expect(
            try Binary.run(["user", "add", "desk", "--role", "admin"] + library, input: "a long password\n").status
                == 0)
        let token = try Binary.run(["user", "token", "desk"] + library).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("pdt_"))

        let server = Process()
        server.executableURL = URL(fileURLWithPath: Binary.path)
        server.arguments = ["serve", "--port", "0"] + library
        server.environment = ProcessInfo.processInfo.environment.merging(
            environment.merging(["PHOTODESK_LOG": "warning"]) { $1 }
        ) { $1 }
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let banner = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        let address = String(try #require(banner.firstMatch(of: /http:\/\/127\.0\.0\.1:\d+/)).output)

        let tester = Process()
        tester.executableURL = URL(fileURLWithPath: Self.tester)
        // Run from a folder of its own, so that its cache (.schemathesis/) stays out of the tree.
        let scratch = try TemporaryFolder("schemathesis")
        tester.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        tester.arguments = [
            "--config-file", Binary.root.appendingPathComponent("schemathesis.toml").path, "run",
            address + "/api/v1/openapi.json", "--url", address + "/api/v1", "--checks", "all",
            "-H", "Authorization: Bearer \(token)", "--seed", "1", "--max-examples", "60", "--no-color",
        ]
        let report = Pipe()
        tester.standardOutput = report
        tester.standardError = report
        try tester.run()
        let text = String(decoding: report.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        tester.waitUntilExit()
        // Its own count, for the log: "N generated, N passed" (or the failures found).
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        if let index = lines.firstIndex(of: "Test cases:"), index + 1 < lines.count {
            print("schemathesis: \(lines[index + 1])")
        }
        #expect(tester.terminationStatus == 0, "schemathesis found problems:\n\(text.suffix(6000))")
        #expect(text.contains(" passed"), "\(text.suffix(2000))")
        #expect(server.isRunning, "the server stayed up")
    }
}
