import Crypto
import Foundation

/// Builds IPTC-IIM blocks (UTF-8, declared with ESC % G), wrapped in Photoshop resources as
/// JPEG APP13 carries them, with the IPTC digest that MWG readers check.
public enum IPTCWriter {
    /// The bare IIM stream for the values.
    public static func iim(_ values: IPTCValues, declareUTF8: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = []
        func add(_ record: UInt8, _ number: UInt8, _ payload: [UInt8]) {
            guard payload.count < 0x8000 else { return }
            bytes += [0x1C, record, number, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
        }
        func text(_ number: UInt8, _ value: String?) {
            if let value { add(2, number, Array(value.utf8)) }
        }
        if declareUTF8 { add(1, 90, [0x1B, 0x25, 0x47]) }
        add(2, 0, [0, 4])
        text(5, values.objectName)
        for keyword in values.keywords { text(25, keyword) }
        text(40, values.specialInstructions)
        if let date = values.dateCreated {
            let digits = date.prefix(10).filter(\.isNumber)
            if digits.count == 8 { add(2, 55, Array(digits.utf8)) }
        }
        for creator in values.byline { text(80, creator) }
        text(90, values.city)
        text(95, values.provinceState)
        text(101, values.country)
        text(105, values.headline)
        text(110, values.credit)
        text(115, values.source)
        text(116, values.copyrightNotice)
        text(120, values.caption)
        return bytes
    }

    /// "Photoshop 3.0\0" with resource 0x0404 (the IIM) and 0x0425 (its MD5 digest).
    public static func photoshopBlock(_ values: IPTCValues, declareUTF8: Bool = true, digest: Bool = true) -> Data {
        let stream = iim(values, declareUTF8: declareUTF8)
        var bytes = Array("Photoshop 3.0\0".utf8)
        func resource(_ id: UInt16, _ payload: [UInt8]) {
            bytes += Array("8BIM".utf8) + [UInt8(id >> 8), UInt8(id & 0xFF), 0, 0]
            let size = UInt32(payload.count)
            bytes += [UInt8(size >> 24), UInt8((size >> 16) & 0xFF), UInt8((size >> 8) & 0xFF), UInt8(size & 0xFF)]
            bytes += payload
            if payload.count % 2 == 1 { bytes.append(0) }
        }
        resource(0x0404, stream)
        if digest { resource(0x0425, Array(Insecure.MD5.hash(data: stream))) }
        return Data(bytes)
    }
}
