import Crypto
import Foundation
import PhotoModel

/// What a photo's IPTC-IIM block says (record 2, the application record).
public struct IPTCValues: Sendable, Equatable {
    /// The caption fields the block holds, each from the dataset the field's metadata names
    /// (`CaptionField.metadata`): one value, or one per dataset for those that repeat.
    public var fields: [CaptionField: [String]] = [:]
    /// 2:05 ObjectName (the title).
    public var objectName: String?
    /// Date created as ISO 8601 (with time and offset when TimeCreated gives them).
    public var dateCreated: String?
    /// The character set the block declared ("UTF-8"), or nil when it declared none.
    public var declaredCharacterSet: String?
    /// Whether the Photoshop IPTC digest (resource 0x0425) was present and matches the IIM block
    /// (true), present and stale (false), or absent (nil). MWG uses it to judge which of IPTC and
    /// XMP is current.
    public var digestMatches: Bool?

    /// No values.
    public init() {}

    /// A caption field's one value (several joined by ", ").
    public subscript(field: CaptionField) -> String? {
        get { fields[field].flatMap { $0.isEmpty ? nil : $0.joined(separator: ", ") } }
        set { fields[field] = newValue.map { [$0] } }
    }

    /// 2:120 Caption/Abstract.
    public var caption: String? {
        get { self[.caption] }
        set { self[.caption] = newValue }
    }
    /// 2:105 Headline.
    public var headline: String? {
        get { self[.headline] }
        set { self[.headline] = newValue }
    }
    /// 2:80 By-line, one dataset per creator.
    public var byline: [String] {
        get { fields[.byline] ?? [] }
        set { fields[.byline] = newValue }
    }
    /// 2:110 Credit.
    public var credit: String? {
        get { self[.credit] }
        set { self[.credit] = newValue }
    }
    /// 2:116 Copyright Notice.
    public var copyrightNotice: String? {
        get { self[.copyright] }
        set { self[.copyright] = newValue }
    }
    /// 2:25 Keywords, one dataset each.
    public var keywords: [String] {
        get { fields[.keywords] ?? [] }
        set { fields[.keywords] = newValue }
    }
    /// 2:90 City.
    public var city: String? {
        get { self[.city] }
        set { self[.city] = newValue }
    }
    /// 2:95 Province/State.
    public var provinceState: String? {
        get { self[.region] }
        set { self[.region] = newValue }
    }
    /// 2:101 Country/Primary Location Name.
    public var country: String? {
        get { self[.country] }
        set { self[.country] = newValue }
    }
    /// 2:115 Source.
    public var source: String? {
        get { self[.source] }
        set { self[.source] = newValue }
    }
    /// 2:40 Special Instructions.
    public var specialInstructions: String? {
        get { self[.instructions] }
        set { self[.instructions] = newValue }
    }

    /// The caption field each dataset holds.
    static let fieldsByDataset: [Int: CaptionField] = Dictionary(
        uniqueKeysWithValues: CaptionField.allCases.compactMap { field in field.metadata.iim.map { ($0, field) } })
}

extension IPTCValues: Codable {
    /// The names these fields have in the sources kept with each photo (`show --sources`) where
    /// they are not the field's own: the standard's names, as the document always had them.
    static let names: [CaptionField: String] = [
        .region: "provinceState", .copyright: "copyrightNotice", .instructions: "specialInstructions",
    ]

    /// Each caption field by its name (a list for those that repeat), then the other values.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: NamedKey.self)
        try container.encode(fields: fields, asList: { $0.metadata.iimRepeats }, names: Self.names)
        try container.encodeIfPresent(objectName, forKey: NamedKey("objectName"))
        try container.encodeIfPresent(dateCreated, forKey: NamedKey("dateCreated"))
        try container.encodeIfPresent(declaredCharacterSet, forKey: NamedKey("declaredCharacterSet"))
        try container.encodeIfPresent(digestMatches, forKey: NamedKey("digestMatches"))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NamedKey.self)
        fields = try container.decodeFields(names: Self.names)
        objectName = try container.decodeIfPresent(String.self, forKey: NamedKey("objectName"))
        dateCreated = try container.decodeIfPresent(String.self, forKey: NamedKey("dateCreated"))
        declaredCharacterSet = try container.decodeIfPresent(String.self, forKey: NamedKey("declaredCharacterSet"))
        digestMatches = try container.decodeIfPresent(Bool.self, forKey: NamedKey("digestMatches"))
    }
}

/// Parses IPTC-IIM, bare or inside Photoshop image resources (APP13, "8BIM").
///
/// The parser is bounded by its input: every length is checked before it is used.
public enum IPTCReader {
    /// Parses a blob as libvips hands it over ("iptc-data"): Photoshop resources or bare IIM.
    public static func read(_ blob: Data) -> IPTCValues? {
        let bytes = [UInt8](blob)
        var digest: [UInt8]?
        let iim: [UInt8]
        if let resources = PhotoshopResources.parse(bytes) {
            guard let block = resources.first(where: { $0.id == 0x0404 })?.data else { return nil }
            iim = block
            digest = resources.first(where: { $0.id == 0x0425 })?.data
        } else if bytes.count >= 4, bytes[0] != 0x1C, bytes[3] == 0x1C {
            // TIFF keeps IPTC as LONGs (RichTIFFIPTC); read on a machine of the other byte order,
            // each 4-byte word comes back reversed.
            iim = stride(from: 0, to: bytes.count - bytes.count % 4, by: 4).flatMap { bytes[$0..<($0 + 4)].reversed() }
        } else {
            iim = bytes
        }
        guard var values = parseIIM(iim) else { return nil }
        if let digest, digest.count == 16 {
            values.digestMatches = Array(Insecure.MD5.hash(data: iim)) == digest
        }
        return values
    }

    /// One dataset of the IIM stream.
    struct DataSet {
        var record: UInt8
        var number: UInt8
        var bytes: [UInt8]
    }

    /// Splits an IIM stream into datasets (IIM 4.2, section 1.5). Stops at the first malformed one.
    static func dataSets(_ bytes: [UInt8]) -> [DataSet] {
        var sets: [DataSet] = []
        var index = 0
        while index + 5 <= bytes.count, bytes[index] == 0x1C {
            let record = bytes[index + 1]
            let number = bytes[index + 2]
            var length = Int(bytes[index + 3]) << 8 | Int(bytes[index + 4])
            index += 5
            if length & 0x8000 != 0 {
                // Extended dataset: the low bits give how many bytes hold the length.
                let lengthBytes = length & 0x7FFF
                guard lengthBytes <= 4, index + lengthBytes <= bytes.count else { break }
                length = 0
                for offset in 0..<lengthBytes { length = length << 8 | Int(bytes[index + offset]) }
                index += lengthBytes
            }
            guard length >= 0, index + length <= bytes.count else { break }
            sets.append(DataSet(record: record, number: number, bytes: Array(bytes[index..<(index + length)])))
            index += length
        }
        return sets
    }

    static func parseIIM(_ bytes: [UInt8]) -> IPTCValues? {
        let sets = dataSets(bytes)
        guard !sets.isEmpty else { return nil }
        var values = IPTCValues()
        // 1:90 CodedCharacterSet; ESC % G declares UTF-8 (IIM 4.2, appendix C).
        let charset = sets.first { $0.record == 1 && $0.number == 90 }?.bytes
        let utf8Declared = charset == [0x1B, 0x25, 0x47]
        if let charset {
            values.declaredCharacterSet =
                utf8Declared ? "UTF-8" : charset.map { String(format: "%02X", $0) }.joined(separator: " ")
        }
        func decode(_ raw: [UInt8]) -> String? {
            let text = utf8Declared ? String(decoding: raw, as: UTF8.self) : TextDecoding.decodeUnlabelled(raw)
            return TextDecoding.nonBlank(text.replacingOccurrences(of: "\0", with: ""))
        }
        var date: String?
        var time: String?
        for set in sets where set.record == 2 {
            guard let text = decode(set.bytes) else { continue }
            if let field = IPTCValues.fieldsByDataset[Int(set.number)] {
                if field.metadata.iimRepeats {
                    values.fields[field, default: []].append(text)
                } else {
                    values.fields[field] = [text]
                }
                continue
            }
            switch set.number {
            case 5: values.objectName = text
            case 55: date = text
            case 60: time = text
            default: break
            }
        }
        if let date { values.dateCreated = isoDate(date: date, time: time) }
        return values
    }

    /// IIM dates are CCYYMMDD; times HHMMSS±HHMM.
    static func isoDate(date: String, time: String?) -> String? {
        let digits = Array(date.filter { $0.isASCII && $0.isNumber })
        guard digits.count == 8 else { return nil }
        var text = "\(String(digits[0..<4]))-\(String(digits[4..<6]))-\(String(digits[6..<8]))"
        guard let time else { return text }
        let clock = Array(time.prefix(6))
        guard clock.count == 6, clock.allSatisfy({ $0.isASCII && $0.isNumber }) else { return text }
        text += "T\(String(clock[0..<2])):\(String(clock[2..<4])):\(String(clock[4..<6]))"
        let zone = Array(time.dropFirst(6))
        if zone.count == 5, zone[0] == "+" || zone[0] == "-", zone.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber })
        {
            text += "\(zone[0])\(String(zone[1..<3])):\(String(zone[3..<5]))"
        }
        return text
    }
}

/// Photoshop image resource blocks, as found in JPEG APP13.
enum PhotoshopResources {
    struct Resource {
        var id: UInt16
        var data: [UInt8]
    }

    private static let header = Array("Photoshop 3.0\0".utf8)
    private static let signature = Array("8BIM".utf8)

    /// Parses "Photoshop 3.0\0" followed by resources, or resources alone. Nil when it is neither.
    static func parse(_ bytes: [UInt8]) -> [Resource]? {
        var index = 0
        if bytes.starts(with: header) {
            index = header.count
        } else if !bytes.starts(with: signature) {
            return nil
        }
        var resources: [Resource] = []
        while index + 12 <= bytes.count, Array(bytes[index..<(index + 4)]) == signature {
            let id = UInt16(bytes[index + 4]) << 8 | UInt16(bytes[index + 5])
            index += 6
            // A Pascal string name, padded so that length byte plus text is even.
            let nameLength = Int(bytes[index])
            index += nameLength + 1
            if (nameLength + 1) % 2 != 0 { index += 1 }
            guard index + 4 <= bytes.count else { break }
            let size =
                Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8
                | Int(bytes[index + 3])
            index += 4
            guard size >= 0, index + size <= bytes.count else { break }
            resources.append(Resource(id: id, data: Array(bytes[index..<(index + size)])))
            index += size + (size % 2)
        }
        return resources
    }
}
