/// Text decoding rules shared by the metadata readers.
public enum TextDecoding {
    /// Valid UTF-8 is taken as UTF-8; anything else as Windows-1252 (the usual legacy encoding).
    public static func decodeUnlabelled(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return windows1252(bytes)
    }

    /// Decodes Windows-1252, whose 0x80...0x9F range differs from Latin-1.
    public static func windows1252(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if (0x80...0x9F).contains(byte), let mapped = high[Int(byte) - 0x80] {
                scalars.append(mapped)
            } else if let scalar = Unicode.Scalar(UInt32(byte)) {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// The text without surrounding white space, or nil when nothing is left.
    public static func nonBlank(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    private static let high: [Unicode.Scalar?] = [
        0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, nil,
        0x017D, nil, nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, nil, 0x017E, 0x0178,
    ].map { $0.flatMap { Unicode.Scalar(UInt32($0)) } }
}
