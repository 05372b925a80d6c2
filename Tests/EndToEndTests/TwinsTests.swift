import Foundation
import Imaging
import PhotoFactory
import Testing

/// `photodesk twins` through the binary, on pictures made here: a photo and its re-saved,
/// re-sized copy are one same-frame group; other scenes and nearly uniform frames are in none.
@Suite("Twins through the binary", .serialized)
struct TwinsTests {
    @Test("a re-sized re-save is the same frame; grey cards and other scenes are matched with nothing")
    func twins() throws {
        let work = try TemporaryFolder("e2e-twins")
        var market = SyntheticPhoto(width: 1600, height: 1200, seed: 5)
        market.scene = .market
        market.noise = 7
        market.exif.make = "Canon"
        market.exif.model = "EOS R5"
        market.exif.dateTimeOriginal = "2026:12:07 09:15:02"
        try market.write(to: work.file("in/IMG_0001.jpg"))
        // The web copy: the same file decoded, halved and saved again at a lower quality.
        try VipsImage.load(path: work.file("in/IMG_0001.jpg")).resized(by: 0.5).write(
            to: work.file("in/IMG_0001-web.jpg"), as: .jpeg, quality: 70)
        for (index, scene) in [Scene.flag, .school, .riverAtDusk].enumerated() {
            var other = SyntheticPhoto(width: 1200, height: 900, seed: 20 + index)
            other.scene = scene
            other.noise = 7
            try other.write(to: work.file("in/other-\(index).jpg"))
        }
        for (index, mean) in [128.0, 40.0].enumerated() {
            let card = try VipsImage.noise(width: 640, height: 480, mean: mean, sigma: 1.5, seed: index).castToUInt8()
            try card.write(to: work.file("in/card-\(index).jpg"), as: .jpeg)
        }
        let library = work.path + "/library"
        let ingest = try Binary.run(["ingest", "--library", library, work.path + "/in"])
        #expect(ingest.status == 0, "\(ingest.stdout)\(ingest.stderr)")

        let listed = try Binary.run(["twins", "--library", library, "--burst", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.count == 1, "\(listed.stdout)")
        let group = try #require(groups.first)
        #expect(group["kind"] as? String == "same-frame")
        let photos = try #require(group["photos"] as? [[String: Any]])
        #expect(
            Set(photos.compactMap { ($0["path"] as? String).map { ($0 as NSString).lastPathComponent } }) == [
                "IMG_0001.jpg", "IMG_0001-web.jpg",
            ])
        let distances = photos.compactMap { $0["distance"] as? Int }
        #expect(distances.count == 2 && distances.allSatisfy { $0 <= 4 }, "\(distances)")

        let text = try Binary.run(["twins", "--library", library])
        #expect(text.stdout.contains("same frame: 2 photos"), "\(text.stdout)")
        #expect(text.stdout.contains("1 groups: 1 same frame"), "\(text.stdout)")
    }
}
