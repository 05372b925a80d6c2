import Foundation
import PhotoFactory
import Testing

@Suite("Crash safety", .serialized)
struct CrashSafetyTests {
    @Test(
        "killed (SIGKILL) right after its 5th catalog commit, an ingest is completed by the next run; verify finds nothing wrong"
    )
    func killedIngest() async throws {
        let work = try TemporaryFolder("e2e-kill")
        for index in 0..<40 {
            try SyntheticPhoto(width: 1600, height: 1200, orientation: index % 8 + 1, seed: index).write(
                to: work.file("card/\(index).jpg"))
        }
        let library = work.path + "/library"
        let killed = try Binary.run(
            ["ingest", "--library", library, "--json", "--jobs", "1", work.path + "/card"],
            environment: ["PHOTODESK_CRASH_AFTER_COMMITS": "5"])
        #expect(killed.status == SIGKILL, "the ingest was killed part-way: \(killed.stderr)")

        let second = try Binary.run(["ingest", "--library", library, "--json", work.path + "/card"])
        #expect(second.status == 0, "\(second.stdout)")
        let summary = try #require(second.stdout.split(separator: "\n").last)
        let counts = try #require(
            try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: [String: Any]])
        let ingested = counts["summary"]?["ingested"] as? Int ?? 0
        let unchanged = counts["summary"]?["unchanged"] as? Int ?? 0
        #expect(unchanged == 5, "the five committed files are kept")
        #expect(ingested == 35, "the second run completed what the first began")

        let verify = try Binary.run(["verify", "--library", library])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("0 problems"))
    }
}
