import Foundation
import Imaging
import Metadata
import PhotoFactory
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs the built `photodesk` binary, as a person would.
enum Binary {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The binary beside the test bundle, else `.build/debug/photodesk`.
    static var path: String {
        if let override = ProcessInfo.processInfo.environment["PHOTODESK_BIN"] { return override }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "photodesk"
        ).path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return root.appendingPathComponent(".build/debug/photodesk").path
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    static func fetch(_ url: String) async throws -> (Data, HTTPURLResponse) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return (data, try #require(response as? HTTPURLResponse))
    }
}

@Suite("The photodesk binary", .serialized)
struct BinaryTests {
    @Test("ingest, show and serve: photos in at one end, an upright thumbnail out at the other")
    func slice() async throws {
        let work = try TemporaryFolder("e2e")
        var upright = SyntheticPhoto(width: 900, height: 600, orientation: 1, seed: 1)
        upright.exif.make = "Canon"
        try upright.write(to: work.file("in/landscape.jpg"))
        var turned = SyntheticPhoto(width: 600, height: 900, orientation: 6, seed: 2)
        turned.exif.model = "EOS R5"
        turned.exif.dateTimeOriginal = "2020:09:18 09:12:30"
        turned.exif.offsetTimeOriginal = "+07:00"
        turned.exif.latitude = 22.8233
        turned.exif.longitude = 104.9836
        try turned.write(to: work.file("in/turned.jpg"))
        let library = work.path + "/library"

        let ingest = try Binary.run(["ingest", "--library", library, "--json", work.path + "/in"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let lines = ingest.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let records = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let summary = try #require(records.last??["summary"] as? [String: Any])
        #expect(summary["ingested"] as? Int == 2)
        #expect(summary["failed"] as? Int == 0)
        let turnedRecord = try #require(
            records.first { ($0?["path"] as? String)?.hasSuffix("turned.jpg") == true } ?? nil)
        #expect(turnedRecord["status"] as? String == "ingested")
        #expect(turnedRecord["error"] == nil)
        let id = try #require(turnedRecord["id"] as? String)
        #expect(id.count == 16)
        let landscape = try #require(
            records.first { ($0?["path"] as? String)?.hasSuffix("landscape.jpg") == true }??["id"] as? String)

        let show = try Binary.run(["show", "--library", library, "--json", id])
        #expect(show.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect(document["width"] as? Int == 600)
        #expect(document["height"] as? Int == 900)
        #expect(document["orientation"] as? Int == 6)
        #expect(document["takenAt"] as? String == "2020-09-18T09:12:30+07:00")
        #expect((document["camera"] as? [String: Any])?["model"] as? String == "EOS R5")
        #expect(document["paths"] as? [String] == [work.path + "/in/turned.jpg"])

        let again = try Binary.run(["ingest", "--library", library, "--json", work.path + "/in"])
        #expect(again.stdout.contains("\"unchanged\":2"))

        // Readers see only published photos: the turned one is published, the other stays private.
        let publish = try Binary.run(["publish", "--library", library, id])
        #expect(publish.status == 0 && publish.stdout.contains("published \(id)"), "\(publish.stderr)")

        let server = Process()
        server.executableURL = URL(fileURLWithPath: Binary.path)
        server.arguments = ["serve", "--library", library, "--port", "0"]
        server.environment = ProcessInfo.processInfo.environment.merging(["PHOTODESK_HOME": Binary.root.path]) { $1 }
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let banner = try #require(String(data: out.fileHandleForReading.availableData, encoding: .utf8))
        let address = try #require(banner.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\//)).output.0

        let (page, pageResponse) = try await Binary.fetch(String(address))
        #expect(pageResponse.statusCode == 200)
        let html = String(decoding: page, as: UTF8.self)
        #expect(html.contains("/r/\(id)/thumb.webp"))
        #expect(!html.contains(landscape), "a private photo is not listed")
        let (_, privateResponse) = try await Binary.fetch("\(address)r/\(landscape)/thumb.webp")
        #expect(privateResponse.statusCode == 404, "a private photo's rendition is not served")

        let (thumb, thumbResponse) = try await Binary.fetch("\(address)r/\(id)/thumb.webp")
        #expect(thumbResponse.statusCode == 200)
        #expect(thumbResponse.value(forHTTPHeaderField: "Content-Type") == "image/webp")
        let image = try VipsImage.decode(thumb)
        #expect(image.width == 213 && image.height == 320, "the thumbnail is portrait: upright")
        #expect(try SyntheticPhoto.isUpright(image), "and its pixels are upright")
    }

    @Test("usage errors exit 2; some failed files exit 1 with the others kept")
    func exitStatus() throws {
        let work = try TemporaryFolder("e2e-exit")
        let usage = try Binary.run(["ingest", "--library", work.path + "/lib", "--jobs", "0", work.path])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("--jobs"))
        let missing = try Binary.run(["ingest", "--library", work.path + "/lib", work.path + "/nowhere"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nowhere"))
        try SyntheticPhoto(width: 200, height: 100).write(to: work.file("mixed/ok.jpg"))
        try BrokenFiles.text(at: work.file("mixed/bad.jpg"))
        let mixed = try Binary.run(["ingest", "--library", work.path + "/lib", work.path + "/mixed"])
        #expect(mixed.status == 1)
        #expect(mixed.stdout.contains("bad.jpg"))
        #expect(mixed.stdout.contains("1 ingested"))
        let unknown = try Binary.run(["show", "--library", work.path + "/lib", "ffffffff"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no photo matches ffffffff"))
    }
}
