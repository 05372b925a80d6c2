import Foundation
import PhotoFactory
import Testing

@Suite("Crash safety", .serialized)
struct CrashSafetyTests {
    @Test("kill -9 in the middle of an ingest, a second run, then verify: no problem")
    func killedIngest() async throws {
        let work = try TemporaryFolder("e2e-kill")
        for index in 0..<40 {
            try SyntheticPhoto(width: 1600, height: 1200, orientation: index % 8 + 1, seed: index).write(
                to: work.file("card/\(index).jpg"))
        }
        let library = work.path + "/library"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.arguments = ["ingest", "--library", library, "--json", "--jobs", "2", work.path + "/card"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for a few files to be recorded, then kill without warning.
        var seen = Data()
        while process.isRunning, seen.split(separator: UInt8(ascii: "\n")).count < 5 {
            seen.append(out.fileHandleForReading.availableData)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the ingest was killed part-way")

        let second = try Binary.run(["ingest", "--library", library, "--json", work.path + "/card"])
        #expect(second.status == 0, "\(second.stdout)")
        let summary = try #require(second.stdout.split(separator: "\n").last)
        let counts = try #require(
            try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: [String: Any]])
        let ingested = counts["summary"]?["ingested"] as? Int ?? 0
        let unchanged = counts["summary"]?["unchanged"] as? Int ?? 0
        #expect(ingested + unchanged == 40)
        #expect(ingested > 0 && unchanged > 0, "the second run completed what the first began")

        let verify = try Binary.run(["verify", "--library", library])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("0 problems"))
    }
}
