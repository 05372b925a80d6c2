import Crypto
import Foundation
import PhotoModel

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
        // Record 2 in ascending dataset order (IIM 4.2, 1.5): the caption fields where their
        // metadata puts them, and the other values.
        var datasets: [(number: Int, values: [String])] = [(5, values.objectName.map { [$0] } ?? [])]
        for field in CaptionField.allCases {
            guard let number = field.metadata.iim, let texts = values.fields[field], !texts.isEmpty else { continue }
            datasets.append((number, field.metadata.iimRepeats ? texts : [texts.joined(separator: ", ")]))
        }
        if let date = values.dateCreated {
            let digits = String(date.prefix(10).filter(\.isNumber))
            if digits.count == 8 { datasets.append((55, [digits])) }
        }
        for dataset in datasets.sorted(by: { $0.number < $1.number }) {
            for value in dataset.values { text(UInt8(dataset.number), value) }
        }
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
