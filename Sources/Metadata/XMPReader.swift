import Foundation
import PhotoModel

/// What a photo's XMP packet (embedded or sidecar) says.
public struct XMPValues: Sendable, Equatable {
    /// The caption fields the packet holds, each from the property the field's metadata names
    /// (`CaptionField.metadata`): one value, or the items of a list.
    public var fields: [CaptionField: [String]] = [:]
    public var title: String?
    /// Iptc4xmpCore:Location, the sublocation.
    public var location: String?
    public var dateCreated: String?
    public var dateTimeOriginal: String?
    public var orientation: Int?
    public var make: String?
    public var model: String?
    public var lens: String?
    public var latitude: Double?
    public var longitude: Double?

    /// No values.
    public init() {}

    /// A caption field's one value (a list's items joined by ", ").
    public subscript(field: CaptionField) -> String? {
        get { fields[field].flatMap { $0.isEmpty ? nil : $0.joined(separator: ", ") } }
        set { fields[field] = newValue.map { [$0] } }
    }

    /// photoshop:Source.
    public var source: String? {
        get { self[.source] }
        set { self[.source] = newValue }
    }
    /// dc:description, the x-default alternative first.
    public var description: String? {
        get { self[.caption] }
        set { self[.caption] = newValue }
    }
    /// dc:creator, in order.
    public var creator: [String] {
        get { fields[.byline] ?? [] }
        set { fields[.byline] = newValue }
    }
    /// dc:rights.
    public var rights: String? {
        get { self[.copyright] }
        set { self[.copyright] = newValue }
    }
    /// dc:subject.
    public var subject: [String] {
        get { fields[.keywords] ?? [] }
        set { fields[.keywords] = newValue }
    }
    /// photoshop:Headline.
    public var headline: String? {
        get { self[.headline] }
        set { self[.headline] = newValue }
    }
    /// photoshop:Credit.
    public var credit: String? {
        get { self[.credit] }
        set { self[.credit] = newValue }
    }
    /// photoshop:Instructions.
    public var instructions: String? {
        get { self[.instructions] }
        set { self[.instructions] = newValue }
    }
    /// photoshop:City.
    public var city: String? {
        get { self[.city] }
        set { self[.city] = newValue }
    }
    /// photoshop:State.
    public var state: String? {
        get { self[.region] }
        set { self[.region] = newValue }
    }
    /// photoshop:Country.
    public var country: String? {
        get { self[.country] }
        set { self[.country] = newValue }
    }
}

extension XMPValues: Codable {
    /// The names these fields have in the sources kept with each photo (`show --sources`) where
    /// they are not the field's own: the standard's names, as the document always had them.
    static let names: [CaptionField: String] = [
        .caption: "description", .byline: "creator", .copyright: "rights", .keywords: "subject", .region: "state",
    ]

    /// Each caption field by its name (a list for a list property), then the other values.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: NamedKey.self)
        try container.encode(fields: fields, asList: { $0.metadata.xmp?.isList == true }, names: Self.names)
        try container.encodeIfPresent(title, forKey: NamedKey("title"))
        try container.encodeIfPresent(location, forKey: NamedKey("location"))
        try container.encodeIfPresent(dateCreated, forKey: NamedKey("dateCreated"))
        try container.encodeIfPresent(dateTimeOriginal, forKey: NamedKey("dateTimeOriginal"))
        try container.encodeIfPresent(orientation, forKey: NamedKey("orientation"))
        try container.encodeIfPresent(make, forKey: NamedKey("make"))
        try container.encodeIfPresent(model, forKey: NamedKey("model"))
        try container.encodeIfPresent(lens, forKey: NamedKey("lens"))
        try container.encodeIfPresent(latitude, forKey: NamedKey("latitude"))
        try container.encodeIfPresent(longitude, forKey: NamedKey("longitude"))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NamedKey.self)
        fields = try container.decodeFields(names: Self.names)
        title = try container.decodeIfPresent(String.self, forKey: NamedKey("title"))
        location = try container.decodeIfPresent(String.self, forKey: NamedKey("location"))
        dateCreated = try container.decodeIfPresent(String.self, forKey: NamedKey("dateCreated"))
        dateTimeOriginal = try container.decodeIfPresent(String.self, forKey: NamedKey("dateTimeOriginal"))
        orientation = try container.decodeIfPresent(Int.self, forKey: NamedKey("orientation"))
        make = try container.decodeIfPresent(String.self, forKey: NamedKey("make"))
        model = try container.decodeIfPresent(String.self, forKey: NamedKey("model"))
        lens = try container.decodeIfPresent(String.self, forKey: NamedKey("lens"))
        latitude = try container.decodeIfPresent(Double.self, forKey: NamedKey("latitude"))
        longitude = try container.decodeIfPresent(Double.self, forKey: NamedKey("longitude"))
    }
}

/// A malformed XMP packet: it is skipped with a warning, never fatal.
public struct XMPParseError: PhotodeskError {
    /// What is wrong with the packet.
    public var message: String
    /// A packet that cannot be read.
    public var kind: ErrorKind { .unreadable }

    /// Makes an error.
    public init(_ message: String) {
        self.message = message
    }
}

/// Reads XMP packets: RDF in attribute and element forms, UTF-8 and UTF-16.
public enum XMPReader {
    /// Parses a packet. Throws `XMPParseError` when it is not well-formed XML with RDF.
    public static func read(_ packet: Data, extension extended: Data? = nil) throws -> XMPValues {
        guard let root = XMLElementNode.parse(normalise(packet)) else {
            throw XMPParseError("the XMP packet is not well-formed XML")
        }
        var descriptions = root.descendants(XMPNamespace.rdf, "Description")
        guard !descriptions.isEmpty else { throw XMPParseError("the XMP packet has no rdf:Description") }
        // Extended XMP (part 3, 1.1.3.1) carries the properties that did not fit the main packet.
        if let extended, let more = XMLElementNode.parse(normalise(extended)) {
            descriptions += more.descendants(XMPNamespace.rdf, "Description")
        }
        var properties = Properties()
        for description in descriptions { properties.collect(description) }
        var values = XMPValues()
        let p = properties
        for field in CaptionField.allCases {
            guard let property = field.metadata.xmp else { continue }
            let found: [String]
            switch property.form {
            case .structures(let member): found = p.members(property.namespace, property.name, member)
            case .bag, .sequence: found = p.list(property.namespace, property.name)
            case .text, .languageAlternative: found = p.text(property.namespace, property.name).map { [$0] } ?? []
            }
            guard !found.isEmpty else { continue }
            values.fields[field] = field.metadata.vocabulary.map { found.map($0.kept) } ?? found
        }
        values.title = p.text(XMPNamespace.dc, "title")
        values.location = p.text(XMPNamespace.iptcCore, "Location")
        values.dateCreated = p.text(XMPNamespace.photoshop, "DateCreated")
        values.dateTimeOriginal =
            p.text(XMPNamespace.exif, "DateTimeOriginal") ?? p.text(XMPNamespace.exifEX, "DateTimeOriginal")
        values.orientation = p.text(XMPNamespace.tiff, "Orientation").flatMap { Int($0) }.flatMap {
            (1...8).contains($0) ? $0 : nil
        }
        values.make = p.text(XMPNamespace.tiff, "Make")
        values.model = p.text(XMPNamespace.tiff, "Model")
        values.lens = p.text(XMPNamespace.aux, "Lens") ?? p.text(XMPNamespace.exifEX, "LensModel")
        values.latitude = p.text(XMPNamespace.exif, "GPSLatitude").flatMap(coordinate).flatMap(
            GPS.latitude)
        values.longitude = p.text(XMPNamespace.exif, "GPSLongitude").flatMap(coordinate).flatMap(
            GPS.longitude)
        return values
    }

    /// Turns UTF-16 (with or without BOM) into UTF-8, drops the libvips APP1 name and trailing
    /// padding.
    static func normalise(_ packet: Data) -> Data {
        var bytes = [UInt8](packet)
        let app1Name = Array("http://ns.adobe.com/xap/1.0/\0".utf8)
        if bytes.starts(with: app1Name) { bytes.removeFirst(app1Name.count) }
        guard bytes.count >= 2 else { return Data(bytes) }
        let bigEndian16 = bytes.starts(with: [0xFE, 0xFF]) || (bytes[0] == 0 && bytes[1] != 0)
        let littleEndian16 = bytes.starts(with: [0xFF, 0xFE]) || (bytes[0] != 0 && bytes[1] == 0)
        var text: String
        if bigEndian16 || littleEndian16 {
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var index = 0
            while index + 1 < bytes.count {
                units.append(
                    bigEndian16
                        ? UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
                        : UInt16(bytes[index + 1]) << 8 | UInt16(bytes[index]))
                index += 2
            }
            if units.first == 0xFEFF { units.removeFirst() }
            text = String(decoding: units, as: UTF16.self)
        } else {
            text = String(decoding: bytes, as: UTF8.self)
        }
        // Packets are padded with white space, and some writers add NULs.
        while let last = text.unicodeScalars.last, last == "\0" || last.properties.isWhitespace {
            text.unicodeScalars.removeLast()
        }
        return Data(withoutProcessingInstructions(text).utf8)
    }

    /// The text without `<?...?>` processing instructions (the xpacket wrapper, an XML
    /// declaration): RDF needs none, and swift-corelibs-foundation's XMLParser crashes on one
    /// without data (it takes the length of a null string). An unterminated one ends the text.
    static func withoutProcessingInstructions(_ text: String) -> String {
        var result = ""
        var rest = text[...]
        while let open = rest.range(of: "<?") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "?>") else { return result }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    /// XMP GPS coordinates: "22,49.398N" or "22,49,23.88N" (XMP part 2, 1.2.7.4), as signed degrees;
    /// nil when a part is not a finite number (`1e999`, `nan`) or the parts are negative.
    static func coordinate(_ text: String) -> Double? {
        guard let reference = text.last, "NSEW".contains(reference.uppercased()) else {
            return Double(text).flatMap { $0.isFinite ? $0 : nil }
        }
        let fields = text.dropLast().split(separator: ",", omittingEmptySubsequences: false)
        let parts = fields.compactMap { Double($0) }
        guard !parts.isEmpty, parts.count == fields.count, parts.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            return nil
        }
        var degrees = parts[0]
        if parts.count > 1 { degrees += parts[1] / 60 }
        if parts.count > 2 { degrees += parts[2] / 3600 }
        return "SW".contains(reference.uppercased()) ? -degrees : degrees
    }

    /// The simple, list and language-alternative values of every rdf:Description.
    struct Properties {
        struct Key: Hashable {
            var namespace: String
            var name: String
        }
        var texts: [Key: String] = [:]
        var lists: [Key: [String]] = [:]
        /// The items of lists of structures: each item's simple members.
        var structures: [Key: [[Key: String]]] = [:]

        /// Whether an attribute in this namespace is a property (RDF's and XML's own are syntax).
        static func isProperty(_ namespace: String) -> Bool {
            !namespace.isEmpty && namespace != XMPNamespace.rdf && namespace != "http://www.w3.org/XML/1998/namespace"
        }

        mutating func collect(_ description: XMLElementNode) {
            for attribute in description.attributes where Self.isProperty(attribute.namespace) {
                set(Key(namespace: attribute.namespace, name: attribute.name), [attribute.value])
            }
            for element in description.children {
                let key = Key(namespace: element.namespace, name: element.name)
                if let container = element.children.first(where: {
                    $0.namespace == XMPNamespace.rdf && ["Alt", "Bag", "Seq"].contains($0.name)
                }) {
                    let items = container.children.filter { $0.namespace == XMPNamespace.rdf && $0.name == "li" }
                    let members = items.map(Self.members)
                    if structures[key] == nil, members.contains(where: { !$0.isEmpty }) { structures[key] = members }
                    // Language alternatives: x-default first (XMP part 1, 8.2.2.4).
                    let ordered =
                        items.filter { $0.attribute("http://www.w3.org/XML/1998/namespace", "lang") == "x-default" }
                        + items.filter { $0.attribute("http://www.w3.org/XML/1998/namespace", "lang") != "x-default" }
                    set(key, ordered.map(\.text))
                } else if let resource = element.attribute(XMPNamespace.rdf, "resource") {
                    set(key, [resource])
                } else if element.children.isEmpty {
                    set(key, [element.text])
                }
            }
        }

        private mutating func set(_ key: Key, _ values: [String]) {
            let kept = values.compactMap { TextDecoding.nonBlank($0) }
            guard !kept.isEmpty, lists[key] == nil else { return }
            lists[key] = kept
            texts[key] = kept[0]
        }

        /// A structure's simple members, in any of RDF's spellings: child elements of the item
        /// (`rdf:parseType="Resource"`), of an `rdf:Description` inside it, or attributes of either.
        static func members(_ item: XMLElementNode) -> [Key: String] {
            var found: [Key: String] = [:]
            func take(_ node: XMLElementNode) {
                for attribute in node.attributes where Self.isProperty(attribute.namespace) {
                    found[Key(namespace: attribute.namespace, name: attribute.name)] = attribute.value
                }
                for child in node.children {
                    if child.namespace == XMPNamespace.rdf && child.name == "Description" {
                        take(child)
                    } else if child.children.isEmpty, child.namespace != XMPNamespace.rdf {
                        found[Key(namespace: child.namespace, name: child.name)] = child.text
                    }
                }
            }
            take(item)
            return found
        }

        /// One member of each structure of a list, in order (items without it left out).
        func members(_ namespace: String, _ name: String, _ member: String) -> [String] {
            (structures[Key(namespace: namespace, name: name)] ?? []).compactMap {
                $0[Key(namespace: namespace, name: member)].flatMap(TextDecoding.nonBlank)
            }
        }

        func text(_ namespace: String, _ name: String) -> String? { texts[Key(namespace: namespace, name: name)] }
        func list(_ namespace: String, _ name: String) -> [String] {
            lists[Key(namespace: namespace, name: name)] ?? []
        }
    }
}
