import Foundation
import PhotoModel

/// Writes XMP packets (RDF element form, UTF-8) that ExifTool and Adobe tools read.
public enum XMPWriter {
    /// A complete packet with every value that is set.
    public static func packet(_ values: XMPValues) -> Data {
        var body: [String] = []
        func alt(_ name: String, _ value: String?) {
            guard let value else { return }
            body.append(
                "<\(name)><rdf:Alt><rdf:li xml:lang=\"x-default\">\(escape(value))</rdf:li></rdf:Alt></\(name)>")
        }
        func container(_ name: String, _ kind: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            let list = items.map { "<rdf:li>\(escape($0))</rdf:li>" }.joined()
            body.append("<\(name)><rdf:\(kind)>\(list)</rdf:\(kind)></\(name)>")
        }
        func simple(_ name: String, _ value: String?) {
            guard let value else { return }
            body.append("<\(name)>\(escape(value))</\(name)>")
        }
        // The caption fields where their metadata puts them, each in its property's form.
        for field in CaptionField.allCases {
            guard let property = field.metadata.xmp, var items = values.fields[field], !items.isEmpty else { continue }
            if let vocabulary = field.metadata.vocabulary { items = items.map(vocabulary.uri) }
            let name = property.description
            switch property.form {
            case .text: simple(name, items.joined(separator: ", "))
            case .languageAlternative: alt(name, items.joined(separator: ", "))
            case .bag: container(name, "Bag", items)
            case .sequence: container(name, "Seq", items)
            case .structures(let member):
                let inner = property.prefix + ":" + member
                let list = items.map {
                    "<rdf:li rdf:parseType=\"Resource\"><\(inner)>\(escape($0))</\(inner)></rdf:li>"
                }
                body.append("<\(name)><rdf:Seq>\(list.joined())</rdf:Seq></\(name)>")
            }
        }
        alt("dc:title", values.title)
        simple("photoshop:DateCreated", values.dateCreated)
        simple("Iptc4xmpCore:Location", values.location)
        simple("exif:DateTimeOriginal", values.dateTimeOriginal)
        simple("tiff:Orientation", values.orientation.map(String.init))
        simple("tiff:Make", values.make)
        simple("tiff:Model", values.model)
        // Every namespace Photodesk knows is declared (one line), whichever the packet uses.
        let namespaces = XMPNamespace.prefixes.filter { $0.value != "rdf" }.sorted { $0.value < $1.value }
            .map { "xmlns:\($0.value)=\"\($0.key)\"" }.joined(separator: " ")
        let text = """
            <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Photodesk">
            <rdf:RDF xmlns:rdf="\(XMPNamespace.rdf)">
            <rdf:Description rdf:about="" \(namespaces)>
            \(body.joined(separator: "\n"))
            </rdf:Description>
            </rdf:RDF>
            </x:xmpmeta>
            <?xpacket end="w"?>
            """
        return Data(text.utf8)
    }

    /// Text as XML character data: markup escaped, a carriage return kept as a reference (a parser
    /// turns a literal one into a line feed), and what XML 1.0 forbids (section 2.2: C0 controls
    /// other than tab and line feed, U+FFFE, U+FFFF) left out, so no value can break the packet.
    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x26: out.append(contentsOf: "&amp;".unicodeScalars)
            case 0x3C: out.append(contentsOf: "&lt;".unicodeScalars)
            case 0x3E: out.append(contentsOf: "&gt;".unicodeScalars)
            case 0x22: out.append(contentsOf: "&quot;".unicodeScalars)
            case 0x0D: out.append(contentsOf: "&#xD;".unicodeScalars)
            case 0x09, 0x0A: out.append(scalar)
            case 0x00..<0x20, 0xFFFE, 0xFFFF: continue
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
