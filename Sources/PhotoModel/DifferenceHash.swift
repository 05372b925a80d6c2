import Foundation

/// A picture's 64-bit difference hash: from a 9x8 grey thumbnail of the upright picture, one bit
/// per pair of neighbours in a row (1 when the left is brighter by `step` levels or more, so that
/// a sky or a wall, whose neighbours differ by a level of resampling noise, reads the same in
/// every copy). Re-saves, re-sizes and light crops change few bits; a different picture many. Near-identical pictures are found by
/// the number of bits that differ (`distance`).
public struct DifferenceHash: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 64 bits, row by row, the first row in the lowest bits.
    public var value: UInt64

    public init(value: UInt64) { self.value = value }

    /// The stored form: the same bits as a signed 64-bit integer (SQLite and PostgreSQL have no
    /// unsigned one).
    public init(stored: Int64) { value = UInt64(bitPattern: stored) }
    public var stored: Int64 { Int64(bitPattern: value) }

    /// The hash of 72 grey levels (9 columns by 8 rows, row by row), or nil for a nearly uniform
    /// picture (a black frame, a grey card): its bits are noise, and it would match every other
    /// such picture.
    public static func of(grey levels: [UInt8]) -> DifferenceHash? {
        guard levels.count == 72, let low = levels.min(), let high = levels.max(), high - low >= uniformRange else {
            return nil
        }
        var bits: UInt64 = 0
        for row in 0..<8 {
            for column in 0..<8 where Int(levels[row * 9 + column]) - Int(levels[row * 9 + column + 1]) >= step {
                bits |= 1 << UInt64(row * 8 + column)
            }
        }
        return DifferenceHash(value: bits)
    }

    /// How much brighter the left of two neighbours must be for their bit to be 1.
    public static let step = 2

    /// Pictures whose grey levels span less than this are nearly uniform.
    public static let uniformRange: UInt8 = 10

    /// The number of bits that differ.
    public func distance(to other: DifferenceHash) -> Int { (value ^ other.value).nonzeroBitCount }

    /// The hash cut into five blocks (13, 13, 13, 13 and 12 bits): two hashes at most 4 bits
    /// apart agree on at least one block (there are five, and four differing bits touch at most
    /// four), so an index on each block finds every such twin.
    public var blocks: [Int] {
        (0..<5).map { index in Int((value >> UInt64(index * 13)) & (index == 4 ? 0xFFF : 0x1FFF)) }
    }

    /// Sixteen hexadecimal digits.
    public var description: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
