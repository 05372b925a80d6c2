import Foundation

/// The caption fields an editor keeps for each photo. This list is the one schema: the stored
/// caption, the API body, the CLI options, the form and the exports all follow it, so a new
/// field is one case here (and its label).
public enum CaptionField: String, CaseIterable, Codable, Sendable, CodingKey {
    case caption, headline, byline, credit, copyright, keywords, city, region, country, instructions
    /// Rights: who holds the picture, on what terms, and what made it.
    case source, usageTerms, webStatement, jobIdentifier, digitalSourceType, licensor
    /// Releases (PLUS): whether the people and the property in the picture signed releases.
    case modelRelease, propertyRelease

    /// The form label.
    public var label: String {
        switch self {
        case .caption: "Caption"
        case .headline: "Headline"
        case .byline: "Byline (photographer)"
        case .credit: "Credit"
        case .copyright: "Copyright notice"
        case .keywords: "Keywords (comma-separated)"
        case .city: "City"
        case .region: "Province or state"
        case .country: "Country"
        case .instructions: "Instructions (editors only)"
        case .source: "Source (owner or agency)"
        case .usageTerms: "Rights usage terms"
        case .webStatement: "Web statement of rights (URL)"
        case .jobIdentifier: "Job identifier (editors only)"
        case .digitalSourceType: "Digital source type (IPTC URI)"
        case .licensor: "Licensor"
        case .modelRelease: "Model release (editors only)"
        case .propertyRelease: "Property release (editors only)"
        }
    }

    /// The field's name where a page lists it ("Copyright"); `label` is the form's, with its hints.
    public var title: String {
        switch self {
        case .caption: "Caption"
        case .headline: "Headline"
        case .byline: "Byline"
        case .credit: "Credit"
        case .copyright: "Copyright"
        case .keywords: "Keywords"
        case .city: "City"
        case .region: "Province or state"
        case .country: "Country"
        case .instructions: "Instructions"
        case .source: "Source"
        case .usageTerms: "Usage terms"
        case .webStatement: "Web statement"
        case .jobIdentifier: "Job identifier"
        case .digitalSourceType: "Digital source type"
        case .licensor: "Licensor"
        case .modelRelease: "Model release"
        case .propertyRelease: "Property release"
        }
    }

    /// One line of help for the CLI option.
    public var help: String {
        switch self {
        case .caption: "The caption (description)."
        case .headline: "The headline."
        case .byline: "The photographer(s)."
        case .credit: "The credit line (agency, desk)."
        case .copyright: "The copyright notice."
        case .keywords: "Keywords, separated by commas."
        case .city: "City."
        case .region: "Province or state."
        case .country: "Country."
        case .instructions: "Special instructions (embargo notes): shown to editors only."
        case .source: "Who holds the picture: the original owner, the agency or the handout's source."
        case .usageTerms: "The rights usage terms, as the licensor wrote them."
        case .webStatement: "A URL to the statement of rights."
        case .jobIdentifier: "The job or transmission reference (an agency's number): editors only."
        case .digitalSourceType: "How the picture was made (an IPTC Digital Source Type URI): camera, composite, AI."
        case .licensor: "Who licenses the picture (PLUS Licensor): the agency or person to ask for rights."
        case .modelRelease, .propertyRelease:
            "The release status (PLUS), one of: " + (metadata.vocabulary?.described ?? "") + "."
        }
    }

    /// Keywords are a list; every other field is one text.
    public var isList: Bool { self == .keywords }

    /// A photo is not ready for a page without it: the desk's front page lists the photos that
    /// lack it (caption, byline, credit).
    public var isExpected: Bool { self == .caption || self == .byline || self == .credit }

    /// Part of where the photo was taken (city, province or state, country): JSON documents nest
    /// these as `location`.
    public var isPlace: Bool { self == .city || self == .region || self == .country }

    /// Shown in the photo's own caption on its page (headline, caption, byline and credit); the
    /// other public fields are listed among its details.
    public var isInPhotoCaption: Bool { self == .headline || self == .caption || self == .byline || self == .credit }

    /// Carried in the metadata of the renditions readers download (who took the photo and who
    /// owns it, as MWG asks), not only in exports.
    public var isEmbeddedInRenditions: Bool { self == .byline || self == .credit || self == .copyright }

    /// Edited in a text area rather than a one-line field.
    public var isMultiline: Bool { self == .caption || self == .instructions || self == .usageTerms }

    /// Readers see the field; instructions (embargo notes), the job identifier and the releases
    /// are for editors only.
    public var isPublic: Bool {
        switch self {
        case .instructions, .jobIdentifier, .modelRelease, .propertyRelease: false
        default: true
        }
    }

    /// Part of a photo's search text: the description and who made it, not the rights'
    /// boilerplate (copyright, terms, statements) or what only editors see.
    public var isSearchable: Bool {
        switch self {
        case .copyright, .instructions, .usageTerms, .webStatement, .jobIdentifier, .digitalSourceType,
            .modelRelease, .propertyRelease:
            false
        default: true
        }
    }

    /// The command line's option for the field: `--usage-terms` for `usageTerms`.
    public var optionName: String {
        rawValue.reduce(into: "") { name, character in
            if character.isUppercase { name += "-" + character.lowercased() } else { name.append(character) }
        }
    }

    /// The caption fields as readers may see them, in order.
    public static var publicFields: [CaptionField] { allCases.filter(\.isPublic) }
}

/// The caption fields of a photo as a value: one text per field, a list for the list fields
/// (keywords). Blank text is no value.
public struct CaptionFields: Sendable, Equatable, Hashable {
    private var texts: [CaptionField: String] = [:]
    private var lists: [CaptionField: [String]] = [:]

    /// No values.
    public init() {}

    /// Fields from values by field (a list field as one comma-separated text).
    public init(_ values: [CaptionField: String?]) {
        for (field, value) in values { self[field] = value }
    }

    /// A field's value; a list field's items as one comma-separated text. Setting trims, and
    /// blank clears; a list field's text is split on commas and semicolons.
    public subscript(field: CaptionField) -> String? {
        get {
            if field.isList { return lists[field].map { $0.joined(separator: ", ") } }
            return texts[field]
        }
        set {
            let text = newValue.flatMap { value -> String? in
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                return trimmed.isEmpty ? nil : trimmed
            }
            if field.isList {
                setList(field, CaptionFields.list(text ?? ""))
            } else {
                texts[field] = text
            }
        }
    }

    /// A list field's items (empty for none, and for a field that is not a list).
    public func list(_ field: CaptionField) -> [String] { lists[field] ?? [] }

    /// Sets a list field's items, each trimmed, blanks dropped.
    public mutating func setList(_ field: CaptionField, _ items: [String]) {
        let kept = items.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        lists[field] = kept.isEmpty ? nil : kept
    }

    /// A comma- (or semicolon-) separated text as a list, blanks dropped.
    public static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// Whether no field has a value.
    public var isEmpty: Bool { texts.isEmpty && lists.isEmpty }

    /// The keywords, in order.
    public var keywords: [String] {
        get { list(.keywords) }
        set { setList(.keywords, newValue) }
    }
    public var caption: String? {
        get { self[.caption] }
        set { self[.caption] = newValue }
    }
    public var headline: String? {
        get { self[.headline] }
        set { self[.headline] = newValue }
    }
    public var byline: String? {
        get { self[.byline] }
        set { self[.byline] = newValue }
    }
    public var credit: String? {
        get { self[.credit] }
        set { self[.credit] = newValue }
    }
    public var copyright: String? {
        get { self[.copyright] }
        set { self[.copyright] = newValue }
    }
    public var city: String? {
        get { self[.city] }
        set { self[.city] = newValue }
    }
    public var region: String? {
        get { self[.region] }
        set { self[.region] = newValue }
    }
    public var country: String? {
        get { self[.country] }
        set { self[.country] = newValue }
    }
    public var instructions: String? {
        get { self[.instructions] }
        set { self[.instructions] = newValue }
    }

    /// The fields readers may see (the editors' own removed).
    public var publicOnly: CaptionFields {
        var copy = self
        for field in CaptionField.allCases where !field.isPublic { copy[field] = nil }
        return copy
    }
}

extension CaptionFields: Codable {
    /// Decodes an object keyed by field names: texts, or for a list field a list or a text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CaptionField.self)
        for field in CaptionField.allCases {
            if field.isList, let list = try? container.decodeIfPresent([String].self, forKey: field) {
                setList(field, list)
            } else {
                self[field] = try container.decodeIfPresent(String.self, forKey: field)
            }
        }
    }

    /// Encodes each field that has a value; a list field always, as a list.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CaptionField.self)
        for field in CaptionField.allCases {
            if field.isList {
                try container.encode(list(field), forKey: field)
            } else {
                try container.encodeIfPresent(self[field], forKey: field)
            }
        }
    }
}

/// An edit: new values for some fields (nil clears a field).
public struct CaptionChanges: Sendable, Equatable {
    public var values: [CaptionField: String?]

    /// Makes an edit.
    public init(_ values: [CaptionField: String?] = [:]) {
        self.values = values
    }

    /// Whether the edit changes nothing.
    public var isEmpty: Bool { values.isEmpty }

    /// Every field set to the value it has in `fields` (restoring a revision).
    public static func replacing(with fields: CaptionFields) -> CaptionChanges {
        CaptionChanges(Dictionary(uniqueKeysWithValues: CaptionField.allCases.map { ($0, fields[$0]) }))
    }
}

extension CaptionChanges: Decodable {
    /// A JSON object of caption fields: text or null (clears); keywords also as a list of texts.
    /// An unknown name is an error that lists the known ones.
    public init(from decoder: any Decoder) throws {
        let names = try decoder.container(keyedBy: NamedKey.self)
        var values: [CaptionField: String?] = [:]
        for key in names.allKeys {
            guard let field = CaptionField(rawValue: key.stringValue) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: names,
                    debugDescription:
                        "unknown field \(key.stringValue); fields: \(CaptionField.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            if try names.decodeNil(forKey: key) {
                values[field] = .some(nil)
            } else if let text = try? names.decode(String.self, forKey: key) {
                values[field] = .some(text)
            } else if field.isList, let list = try? names.decode([String].self, forKey: key) {
                values[field] = .some(list.joined(separator: ", "))
            } else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: names,
                    debugDescription: field.isList
                        ? "\(field.rawValue) must be a text, a list of texts or null"
                        : "\(field.rawValue) must be a text or null")
            }
        }
        self.init(values)
    }
}
