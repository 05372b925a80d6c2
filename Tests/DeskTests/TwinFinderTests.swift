import Catalog
import Desk
import Foundation
import PhotoFactory
import PhotoModel
import Testing

/// The twins' rules as pure functions: the difference hash from grey levels, the five blocks that
/// find every hash at most 4 bits away, and the grouping into same frames and bursts.
@Suite("Twins: difference hashes and groups")
struct TwinFinderTests {
    @Test("a bit is 1 where the left neighbour is brighter by two levels or more; nearly uniform pictures have no hash")
    func hashFromLevels() throws {
        var levels = [UInt8](repeating: 100, count: 72)
        // Row 0: a step down between columns 2 and 3; row 7: a one-level ripple (noise).
        levels[0 * 9 + 0] = 140
        levels[0 * 9 + 1] = 140
        levels[0 * 9 + 2] = 140
        levels[7 * 9 + 4] = 101
        let hash = try #require(DifferenceHash.of(grey: levels))
        #expect(hash.value == 1 << 2)
        #expect(hash.description == "0000000000000004")
        #expect(DifferenceHash(stored: hash.stored) == hash)
        // A grey card with noise, a black frame: no hash.
        #expect(DifferenceHash.of(grey: (0..<72).map { UInt8(120 + $0 % 9) }) == nil)
        #expect(DifferenceHash.of(grey: [UInt8](repeating: 0, count: 72)) == nil)
        #expect(DifferenceHash.of(grey: [1, 2, 3]) == nil)
        #expect(DifferenceHash(value: 0b1011).distance(to: DifferenceHash(value: 0b0110)) == 3)
        #expect(DifferenceHash(value: .max).distance(to: DifferenceHash(value: 0)) == 64)
    }

    @Test("every hash at most 4 bits away shares one of the five blocks")
    func blocksFindEveryNearHash() {
        var random = SeededRandom(seed: 42)  // the same property checks each run
        for _ in 0..<2000 {
            let hash = DifferenceHash(value: random.next())
            var other = hash.value
            var flipped: Set<Int> = []
            while flipped.count < 4 { flipped.insert(Int(random.next() % 64)) }
            for bit in flipped { other ^= 1 << UInt64(bit) }
            let near = DifferenceHash(value: other)
            #expect(near.distance(to: hash) == 4)
            #expect(zip(hash.blocks, near.blocks).contains { $0 == $1 })
        }
        // The blocks cover all 64 bits, each once.
        let all = DifferenceHash(value: .max).blocks
        #expect(all.map { $0.nonzeroBitCount }.reduce(0, +) == 64)
    }

    func signature(_ seed: Int, _ value: UInt64, at time: String?, camera: String? = "Canon EOS R5")
        -> TwinSignature
    {
        TwinSignature(
            sha256: String(format: "%064x", seed), hash: DifferenceHash(value: value), takenAt: time, camera: camera)
    }

    @Test("same frames by hash alone; bursts need the same camera within 2 seconds; far hashes never")
    func groups() {
        let base: UInt64 = 0xF0F0_3C3C_AAAA_5555
        let signatures = [
            // A photo and its re-saved copy, 3 bits apart, taken a day apart by different cameras.
            signature(1, base, at: "2026-12-07T09:15:00+07:00"),
            signature(2, base ^ 0b111, at: "2026-12-08T10:00:00+07:00", camera: "Nikon Z 9"),
            // A burst of three: 7 and 9 bits from each other's neighbours, 0.5 s apart.
            signature(3, 0x1234_5678_9ABC_DEF0, at: "2026-12-07T10:00:00.10+07:00"),
            signature(4, 0x1234_5678_9ABC_DEF0 ^ 0x7F, at: "2026-12-07T10:00:00.60+07:00"),
            signature(5, 0x1234_5678_9ABC_DEF0 ^ 0x7F ^ 0x1FF00, at: "2026-12-07T10:00:01.10+07:00"),
            // Close in look but 3 seconds later: not of the burst.
            signature(6, 0x1234_5678_9ABC_DEF0 ^ 0x3F, at: "2026-12-07T10:00:04.20+07:00"),
            // Close in look and time but another camera: not of the burst.
            signature(7, 0x1234_5678_9ABC_DEF0 ^ 0x1F, at: "2026-12-07T10:00:00.30+07:00", camera: "Sony A1"),
            // Far from everything.
            signature(8, ~base, at: "2026-12-07T09:15:00+07:00"),
        ]
        let sha = { (seed: Int) in signatures[seed - 1].sha256 }
        let frames = TwinFinder.groups(signatures, bursts: false).sorted {
            ($0.photos[0].takenAt ?? "") < ($1.photos[0].takenAt ?? "")
        }
        // The copy, 3 bits off (another camera, another day: the look alone decides); and photos 6
        // and 7, 1 and 2 bits from photo 4.
        #expect(frames.map(\.kind) == [.sameFrame, .sameFrame])
        #expect(frames.map { $0.photos.map(\.sha256) } == [[sha(1), sha(2)], [sha(7), sha(4), sha(6)]])
        #expect(frames.first?.photos.map(\.distance) == [0, 3])

        let bursts = TwinFinder.groups(signatures, bursts: true).filter { $0.kind == .burst }
        // 3, 4 and 5: 7 and 9 bits from their neighbours, within 2 s, one camera. Not 6 (3 s
        // later), not 7 (another camera), not 3 with 5 alone (16 bits) but through 4.
        #expect(bursts.map { $0.photos.map(\.sha256) } == [[sha(3), sha(4), sha(5)]])
        #expect(bursts.first?.photos.map(\.distance) == [0, 7, 16])
        // Photo 8 is in no group.
        #expect(!TwinFinder.groups(signatures, bursts: true).contains { $0.photos.contains { $0.sha256 == sha(8) } })
    }

    @Test("capture times read as the camera's clock, fractions included; anything else is no time")
    func captureTimes() throws {
        let whole = try #require(TwinFinder.captureSeconds("2026-12-07T09:15:02+07:00"))
        let fraction = try #require(TwinFinder.captureSeconds("2026-12-07T09:15:02.35"))
        #expect(abs(fraction - whole - 0.35) < 1e-6)
        #expect(TwinFinder.captureSeconds("1970-01-01T00:00:00") == 0)
        let march = try #require(TwinFinder.captureSeconds("2026-03-01T00:00:00"))
        let february = try #require(TwinFinder.captureSeconds("2026-02-28T00:00:00"))
        #expect(march - february == 86_400)
        #expect(TwinFinder.captureSeconds("2026-13-01T00:00:00") == nil)
        #expect(TwinFinder.captureSeconds("yesterday") == nil)
        #expect(TwinFinder.captureSeconds("") == nil)
    }
}
