/// The XMP namespaces Photodesk reads and writes.
public enum XMPNamespace {
    public static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    public static let dc = "http://purl.org/dc/elements/1.1/"
    public static let photoshop = "http://ns.adobe.com/photoshop/1.0/"
    public static let iptcCore = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
    public static let exif = "http://ns.adobe.com/exif/1.0/"
    public static let exifEX = "http://cipa.jp/exif/1.0/"
    public static let aux = "http://ns.adobe.com/exif/1.0/aux/"
    public static let tiff = "http://ns.adobe.com/tiff/1.0/"
    public static let xmp = "http://ns.adobe.com/xap/1.0/"
    public static let xmpRights = "http://ns.adobe.com/xap/1.0/rights/"
    public static let iptcExt = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    public static let plus = "http://ns.useplus.org/ldf/xmp/1.0/"

    /// The prefix Photodesk writes for each namespace it knows.
    public static let prefixes: [String: String] = [
        rdf: "rdf", dc: "dc", photoshop: "photoshop", iptcCore: "Iptc4xmpCore", exif: "exif", exifEX: "exifEX",
        aux: "aux", tiff: "tiff", xmp: "xmp", xmpRights: "xmpRights", iptcExt: "Iptc4xmpExt", plus: "plus",
    ]
}

/// One property of an XMP packet: its namespace, its name and its form (XMP part 1, 8.2).
public struct XMPProperty: Hashable, Sendable, CustomStringConvertible {
    /// How the value is written.
    public enum Form: Sendable, Hashable {
        /// A simple text value.
        case text
        /// A language alternative (`rdf:Alt`), its `x-default` item.
        case languageAlternative
        /// An unordered list (`rdf:Bag`).
        case bag
        /// An ordered list (`rdf:Seq`).
        case sequence
        /// An ordered list of structures (`rdf:Seq` of `rdf:li rdf:parseType="Resource"`), of which
        /// the field is one member, in the property's namespace (PLUS's Licensor, its LicensorName).
        case structures(member: String)
    }

    public var namespace: String
    public var name: String
    public var form: Form

    /// Makes a property.
    public init(_ namespace: String, _ name: String, _ form: Form = .text) {
        self.namespace = namespace
        self.name = name
        self.form = form
    }

    /// The prefix Photodesk writes it with.
    public var prefix: String { XMPNamespace.prefixes[namespace] ?? "ns" }

    /// `prefix:Name`.
    public var description: String { prefix + ":" + name }

    /// Whether it holds several values (a bag or a sequence).
    public var isList: Bool {
        switch form {
        case .bag, .sequence, .structures: true
        case .text, .languageAlternative: false
        }
    }
}

/// The EXIF text tags MWG reconciles with IPTC and XMP (Guidelines 2.0, section 5): where a
/// non-blank EXIF value wins.
public enum ExifText: String, Sendable, Hashable, CaseIterable {
    /// ImageDescription (0x010E).
    case imageDescription
    /// Artist (0x013B): several creators separated by "; ".
    case artist
    /// Copyright (0x8298).
    case copyright
}

/// Where a caption field lives in a file's metadata: its IPTC-IIM dataset (record 2), its XMP
/// property and, for the three MWG reconciles with EXIF, its EXIF tag. Readers, writers, the
/// reconciliation and the exports all follow it, so a new field is its case and this.
public struct FieldMetadata: Sendable, Hashable {
    /// The IIM dataset number in record 2 (IIM 4.2, chapter 6), nil when IIM has none.
    public var iim: Int?
    /// Whether the dataset repeats (one value per dataset).
    public var iimRepeats: Bool
    /// The XMP property.
    public var xmp: XMPProperty?
    /// The EXIF tag, for the fields MWG reads from EXIF first.
    public var exif: ExifText?
    /// The closed list of values the field takes, when it has one.
    public var vocabulary: FieldVocabulary?

    /// Makes a mapping.
    public init(
        iim: Int?, repeats: Bool = false, xmp: XMPProperty?, exif: ExifText? = nil, vocabulary: FieldVocabulary? = nil
    ) {
        self.iim = iim
        self.iimRepeats = repeats
        self.xmp = xmp
        self.exif = exif
        self.vocabulary = vocabulary
    }
}

/// A field's closed list of values (a controlled vocabulary): each term's short code, which
/// Photodesk keeps, and its label; in XMP the code follows the vocabulary's URI prefix.
public struct FieldVocabulary: Sendable, Hashable {
    public struct Term: Sendable, Hashable {
        public var code: String
        public var label: String
    }

    /// What the XMP value starts with before the code.
    public var uriPrefix: String
    public var terms: [Term]

    /// The code a text names: a code, a label or a term's whole URI, in any case; nil for none.
    public func code(for text: String) -> String? {
        let wanted = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return terms.first {
            [$0.code, $0.label, uriPrefix + $0.code].contains { $0.lowercased() == wanted }
        }?.code
    }

    /// The terms for a person: `MR-NON (None), MR-NAP (Not Applicable), ...`.
    public var described: String { terms.map { "\($0.code) (\($0.label))" }.joined(separator: ", ") }

    /// Whether a value is exactly one of the codes (what the API takes).
    public func isCode(_ value: String) -> Bool { terms.contains { $0.code == value } }

    /// A value as XMP writes it: a known code as its URI, anything else as it is.
    public func uri(_ value: String) -> String {
        isCode(value) ? uriPrefix + value : value
    }

    /// A value as XMP held it, as Photodesk keeps it: a term's code where it names one.
    public func kept(_ value: String) -> String { code(for: value) ?? value }

    /// PLUS's release status vocabulary: `MR` for models, `PR` for property.
    static func release(_ kind: String, _ what: String) -> FieldVocabulary {
        FieldVocabulary(
            uriPrefix: "http://ns.useplus.org/ldf/vocab/",
            terms: [
                Term(code: "\(kind)-NON", label: "None"), Term(code: "\(kind)-NAP", label: "Not Applicable"),
                Term(code: "\(kind)-U\(kind)", label: "Unlimited \(what) Releases"),
                Term(code: "\(kind)-L\(kind)", label: "Limited or Incomplete \(what) Releases"),
            ])
    }
}

extension CaptionField {
    /// Where the field lives in a file's metadata.
    public var metadata: FieldMetadata {
        switch self {
        case .caption:
            FieldMetadata(
                iim: 120, xmp: XMPProperty(XMPNamespace.dc, "description", .languageAlternative),
                exif: .imageDescription)
        case .headline: FieldMetadata(iim: 105, xmp: XMPProperty(XMPNamespace.photoshop, "Headline"))
        case .byline:
            FieldMetadata(
                iim: 80, repeats: true, xmp: XMPProperty(XMPNamespace.dc, "creator", .sequence), exif: .artist)
        case .credit: FieldMetadata(iim: 110, xmp: XMPProperty(XMPNamespace.photoshop, "Credit"))
        case .copyright:
            FieldMetadata(
                iim: 116, xmp: XMPProperty(XMPNamespace.dc, "rights", .languageAlternative), exif: .copyright)
        case .keywords: FieldMetadata(iim: 25, repeats: true, xmp: XMPProperty(XMPNamespace.dc, "subject", .bag))
        case .city: FieldMetadata(iim: 90, xmp: XMPProperty(XMPNamespace.photoshop, "City"))
        case .region: FieldMetadata(iim: 95, xmp: XMPProperty(XMPNamespace.photoshop, "State"))
        case .country: FieldMetadata(iim: 101, xmp: XMPProperty(XMPNamespace.photoshop, "Country"))
        case .instructions: FieldMetadata(iim: 40, xmp: XMPProperty(XMPNamespace.photoshop, "Instructions"))
        case .source: FieldMetadata(iim: 115, xmp: XMPProperty(XMPNamespace.photoshop, "Source"))
        case .usageTerms:
            FieldMetadata(iim: nil, xmp: XMPProperty(XMPNamespace.xmpRights, "UsageTerms", .languageAlternative))
        case .webStatement: FieldMetadata(iim: nil, xmp: XMPProperty(XMPNamespace.xmpRights, "WebStatement"))
        case .jobIdentifier:
            FieldMetadata(iim: 103, xmp: XMPProperty(XMPNamespace.photoshop, "TransmissionReference"))
        case .digitalSourceType:
            FieldMetadata(iim: nil, xmp: XMPProperty(XMPNamespace.iptcExt, "DigitalSourceType"))
        case .licensor:
            FieldMetadata(
                iim: nil, xmp: XMPProperty(XMPNamespace.plus, "Licensor", .structures(member: "LicensorName")))
        case .modelRelease:
            FieldMetadata(
                iim: nil, xmp: XMPProperty(XMPNamespace.plus, "ModelReleaseStatus"),
                vocabulary: .release("MR", "Model"))
        case .propertyRelease:
            FieldMetadata(
                iim: nil, xmp: XMPProperty(XMPNamespace.plus, "PropertyReleaseStatus"),
                vocabulary: .release("PR", "Property"))
        }
    }
}
