import Catalog
import Foundation
import PhotoModel

/// Photos that are the same picture, or frames of one burst: found by their difference hashes,
/// for the desk to choose among. Nothing is ever merged or deleted by finding them.
public struct TwinGroup: Sendable, Equatable, Encodable {
    /// How the photos of a group are alike.
    public enum Kind: String, Sendable, Encodable {
        /// The same frame: at most `sameFrameDistance` bits apart (a re-save, a re-size, a
        /// light crop).
        case sameFrame = "same-frame"
        /// A burst: at most `burstDistance` bits apart, taken within `burstSeconds` of each
        /// other by the same camera.
        case burst
    }

    /// One photo of a group.
    public struct Member: Sendable, Equatable, Encodable {
        public var sha256: String
        public var id: String
        public var takenAt: String?
        public var camera: String?
        /// Bits from the group's first photo's hash.
        public var distance: Int
    }

    public var kind: Kind
    public var photos: [Member]
}

/// Groups photos into twins from their signatures: pure, so that both backends and the tests
/// share one rule.
public enum TwinFinder {
    /// The most bits two hashes of the same frame differ by.
    public static let sameFrameDistance = 4
    /// The most bits two frames of a burst differ by.
    public static let burstDistance = 10
    /// The most seconds between two frames of a burst.
    public static let burstSeconds = 2.0

    /// The groups among `signatures`: same-frame groups, then (when `bursts`) burst groups, each
    /// a connected set of photos linked pairwise by the rule of its kind, oldest first.
    public static func groups(_ signatures: [TwinSignature], bursts: Bool) -> [TwinGroup] {
        var result = components(signatures, links: sameFrameLinks(signatures)).map {
            group(.sameFrame, $0, signatures)
        }
        if bursts {
            // A burst that is only a same-frame group again says nothing new.
            let frames = Set(result.map { Set($0.photos.map(\.sha256)) })
            result += components(signatures, links: burstLinks(signatures)).map { group(.burst, $0, signatures) }
                .filter { !frames.contains(Set($0.photos.map(\.sha256))) }
        }
        return result
    }

    /// Pairs at most `sameFrameDistance` apart: every such pair shares one of the five blocks,
    /// so only photos in a common block are compared.
    static func sameFrameLinks(_ signatures: [TwinSignature]) -> [(Int, Int)] {
        var links: Set<Pair> = []
        for block in 0..<5 {
            var buckets: [Int: [Int]] = [:]
            for (index, signature) in signatures.enumerated() {
                buckets[signature.hash.blocks[block], default: []].append(index)
            }
            for members in buckets.values where members.count > 1 {
                for (position, first) in members.enumerated() {
                    for second in members[(position + 1)...]
                    where signatures[first].hash.distance(to: signatures[second].hash) <= sameFrameDistance {
                        links.insert(Pair(first, second))
                    }
                }
            }
        }
        return links.map { ($0.low, $0.high) }
    }

    /// Pairs of the same camera within `burstSeconds` of each other and at most `burstDistance`
    /// apart: each photo is compared with the ones just after it in time.
    static func burstLinks(_ signatures: [TwinSignature]) -> [(Int, Int)] {
        var byCamera: [String: [(index: Int, time: Double)]] = [:]
        for (index, signature) in signatures.enumerated() {
            guard let camera = signature.camera?.lowercased(), let taken = signature.takenAt,
                let time = captureSeconds(taken)
            else { continue }
            byCamera[camera, default: []].append((index, time))
        }
        var links: [(Int, Int)] = []
        for var frames in byCamera.values {
            frames.sort { $0.time < $1.time }
            for (position, frame) in frames.enumerated() {
                for later in frames[(position + 1)...] {
                    if later.time - frame.time > burstSeconds { break }
                    if signatures[frame.index].hash.distance(to: signatures[later.index].hash) <= burstDistance {
                        links.append((frame.index, later.index))
                    }
                }
            }
        }
        return links
    }

    /// A capture time's seconds, as the camera's clock read them ("2026-12-07T09:15:02.35+07:00":
    /// the offset is left aside, as frames of one camera share it).
    public static func captureSeconds(_ text: String) -> Double? {
        let digits = Array(text.utf8)
        guard digits.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = digits[index]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        // Days from a civil date (Howard Hinnant's algorithm), so no calendar object is needed.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        var seconds = Double(days * 86_400 + hour * 3_600 + minute * 60 + second)
        if digits.count > 20, digits[19] == UInt8(ascii: ".") {
            var scale = 0.1
            for byte in digits[20...] {
                guard byte >= 48 && byte <= 57 else { break }
                seconds += Double(byte - 48) * scale
                scale /= 10
            }
        }
        return seconds
    }

    struct Pair: Hashable {
        var low: Int
        var high: Int
        init(_ a: Int, _ b: Int) {
            low = min(a, b)
            high = max(a, b)
        }
    }

    /// The connected sets of two or more photos the links make.
    static func components(_ signatures: [TwinSignature], links: [(Int, Int)]) -> [[Int]] {
        var parent = Array(signatures.indices)
        func root(_ index: Int) -> Int {
            var index = index
            while parent[index] != index {
                parent[index] = parent[parent[index]]
                index = parent[index]
            }
            return index
        }
        for (first, second) in links {
            let (a, b) = (root(first), root(second))
            if a != b { parent[max(a, b)] = min(a, b) }
        }
        var sets: [Int: [Int]] = [:]
        for index in signatures.indices { sets[root(index), default: []].append(index) }
        return sets.values.filter { $0.count > 1 }
    }

    static func group(_ kind: TwinGroup.Kind, _ members: [Int], _ signatures: [TwinSignature]) -> TwinGroup {
        let ordered = members.map { signatures[$0] }.sorted {
            ($0.takenAt ?? "~", $0.sha256) < ($1.takenAt ?? "~", $1.sha256)
        }
        let first = ordered[0].hash
        return TwinGroup(
            kind: kind,
            photos: ordered.map {
                TwinGroup.Member(
                    sha256: $0.sha256, id: String($0.sha256.prefix(16)), takenAt: $0.takenAt, camera: $0.camera,
                    distance: $0.hash.distance(to: first))
            })
    }
}

extension [TwinGroup] {
    /// Oldest group first (by its first photo), then by hash.
    func ordered() -> [TwinGroup] {
        sorted {
            ($0.photos[0].takenAt ?? "~", $0.photos[0].sha256) < ($1.photos[0].takenAt ?? "~", $1.photos[0].sha256)
        }
    }
}

extension Desk {
    /// The twins of the whole catalog: same-frame groups, and bursts when asked.
    public func twins(bursts: Bool) async throws -> [TwinGroup] {
        let signatures = try await stored { try await store.twinSignatures() }
        let groups = TwinFinder.groups(signatures, bursts: bursts)
        return groups.filter { $0.kind == .sameFrame }.ordered() + groups.filter { $0.kind == .burst }.ordered()
    }

    /// The photos of the same frame as a photo (at most `TwinFinder.sameFrameDistance` bits from
    /// its hash), found through the hash's blocks: one indexed query however large the catalog.
    public func sameFrame(as sha256: String, hash: DifferenceHash) async throws -> [TwinSignature] {
        try await stored { try await store.twinCandidates(of: hash, limit: 1000) }.filter {
            $0.sha256 != sha256 && $0.hash.distance(to: hash) <= TwinFinder.sameFrameDistance
        }
    }

    /// Photos catalogued before their look was kept, oldest first.
    public func photosWithoutLook(limit: Int) async throws -> [String] {
        try await stored { try await store.photosWithoutLook(limit: limit) }
    }

    /// Keeps the looks made for photos catalogued before.
    public func saveLooks(_ looks: [PhotoLook]) async throws {
        try await stored { try await store.saveLooks(looks) }
    }
}
