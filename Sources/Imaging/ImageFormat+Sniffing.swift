extension ImageFormat {
    /// The most leading bytes `init(sniffing:)` looks at.
    public static let sniffedByteCount = 16

    /// The format a file's first bytes announce (its magic number), or nil when they name none
    /// of the formats Photodesk reads. A guess for naming files: only libvips decides whether a
    /// file is a photo.
    public init?(sniffing bytes: some Collection<UInt8>) {
        let head = Array(bytes.prefix(Self.sniffedByteCount))
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + magic.count && Array(head[offset..<offset + magic.count]) == magic
        }
        if starts([0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if starts(Array("II*\0".utf8)) || starts(Array("MM\0*".utf8)) {
            self = .tiff
        } else if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) {
            self = .webp
        } else if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) {
            self = .gif
        } else if starts(Array("ftyp".utf8), at: 4), head.count >= 12 {
            // ISO base media (ISO/IEC 14496-12 4.3): the major brand names the format.
            switch String(decoding: head[8..<12], as: UTF8.self) {
            case "avif", "avis": self = .avif
            case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1": self = .heic
            default: return nil
            }
        } else {
            return nil
        }
    }
}
