import Desk
import Foundation

/// A page of search results as the API's JSON, written directly: the same document
/// `JSONEncoder` makes of `SearchPage` (keys sorted, absent values left out), at a fraction of
/// its cost, which was a tenth of the search API's CPU under load.
enum SearchPageJSON {
    static func encode(_ page: SearchPage) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + page.results.count * 120)
        out += "{".utf8
        if let next = page.next {
            out += "\"next\":".utf8
            string(next, into: &out)
            out += ",".utf8
        }
        out += "\"results\":[".utf8
        for (index, result) in page.results.enumerated() {
            if index > 0 { out += ",".utf8 }
            out += "{".utf8
            if let caption = result.caption {
                out += "\"caption\":".utf8
                string(caption, into: &out)
                out += ",".utf8
            }
            out += "\"id\":".utf8
            string(result.id, into: &out)
            out += ",\"score\":".utf8
            let score = result.score
            if score.isFinite, score == score.rounded(), abs(score) < 1e15 {
                out += String(Int(score)).utf8
            } else if score.isFinite {
                out += "\(score)".utf8
            } else {
                string(score.isNaN ? "NaN" : score > 0 ? "Infinity" : "-Infinity", into: &out)
            }
            out += "}".utf8
        }
        out += "],\"total\":".utf8
        out += String(page.total).utf8
        out += "}".utf8
        return out
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// A JSON string: quote and backslash escaped, control characters as escapes.
    static func string(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\"".utf8
            case UInt8(ascii: "\\"): out += "\\\\".utf8
            case 0x0A: out += "\\n".utf8
            case 0x0D: out += "\\r".utf8
            case 0x09: out += "\\t".utf8
            case 0x08: out += "\\b".utf8
            case 0x0C: out += "\\f".utf8
            case 0..<0x20:
                out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
