import Foundation

/// Bad input made on purpose, as photographers' cards and fuzzers produce it.
public enum BrokenFiles {
    /// A file with no bytes.
    public static func empty(at path: String) throws {
        try Data().write(to: URL(fileURLWithPath: path))
    }

    /// The first `fraction` of a valid file's bytes: a copy cut off in the middle.
    public static func truncated(_ data: Data, keeping fraction: Double, at path: String) throws {
        try data.prefix(Int(Double(data.count) * fraction)).write(to: URL(fileURLWithPath: path))
    }

    /// Plain text under a photo's name.
    public static func text(at path: String) throws {
        try Data("This is a shot list, not a photo.\n".utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A PNG whose header declares `width` x `height` pixels but which holds almost no data: the
    /// shape of a decompression bomb, refused from the header before any decoding.
    public static func hugePNG(width: UInt32, height: UInt32, at path: String) throws {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func chunk(_ type: String, _ payload: [UInt8]) { bytes += pngChunk(type, payload) }
        // IHDR: width, height, 8-bit, colour type 2 (RGB), deflate, adaptive filter, no interlace.
        chunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0])
        // A valid zlib stream holding a single empty stored block: far too little data.
        chunk("IDAT", [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01])
        chunk("IEND", [])
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// A PNG whose compressed pixels are scrambled from the middle of its first IDAT chunk on,
    /// the chunk's CRC made to match: the damage is in the image data, not in a checksum.
    public static func corruptPNG(_ data: Data, at path: String) throws {
        var bytes = [UInt8](data)
        var index = 8
        while index + 12 <= bytes.count {
            let length =
                Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8
                | Int(bytes[index + 3])
            let type = String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self)
            if type == "IDAT", length > 16 {
                let start = index + 8 + length / 2
                for offset in start..<(index + 8 + length) { bytes[offset] = UInt8(truncatingIfNeeded: offset &* 131) }
                let crc = crc32(Array(bytes[(index + 4)..<(index + 8 + length)]))
                bytes.replaceSubrange((index + 8 + length)..<(index + 12 + length), with: bigEndian(crc))
                break
            }
            index += 12 + length
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// One PNG chunk: length, type, payload and CRC.
    public static func pngChunk(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + payload
        return bigEndian(UInt32(payload.count)) + body + bigEndian(crc32(body))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// CRC-32 as PNG uses it (ISO 3309, polynomial 0xEDB88320).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
