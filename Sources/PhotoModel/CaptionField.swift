import Foundation

/// The caption fields an editor keeps for each photo. This list is the one schema: the stored
/// caption, the API body, the CLI options, the form and the exports all follow it, so a new
/// field is one case here (and its label).
public enum CaptionField: String, CaseIterable, Codable, Sendable, CodingKey {
    case caption, headline, byline, credit, copyright, keywords, city, region, country, instructions

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
        }
    }

    /// Keywords are a list; every other field is one text.
    public var isList: Bool { self == .keywords }

    /// Edited in a text area rather than a one-line field.
    public var isMultiline: Bool { self == .caption || self == .instructions }

    /// Readers see the field; instructions (embargo notes) are for editors only.
    public var isPublic: Bool { self != .instructions }

    /// Part of a photo's search text (the copyright notice is boilerplate, not a description).
    public var isSearchable: Bool { self != .copyright && self != .instructions }

    /// The caption fields as readers may see them, in order.
    public static var publicFields: [CaptionField] { allCases.filter(\.isPublic) }
}

/// The caption fields of a photo as a value: one text per field, keywords as a list. Blank text
/// is no value.
public struct CaptionFields: Sendable, Equatable, Hashable {
    private var texts: [CaptionField: String] = [:]
    /// The keywords, in order.
    public var keywords: [String] = []

    /// No values.
    public init() {}

    /// Fields from values by field (keywords as one comma-separated text).
    public init(_ values: [CaptionField: String?]) {
        for (field, value) in values { self[field] = value }
    }

    /// A field's value; keywords as one comma-separated text. Setting trims, and blank clears.
    public subscript(field: CaptionField) -> String? {
        get {
            if field.isList { return keywords.isEmpty ? nil : keywords.joined(separator: ", ") }
            return texts[field]
        }
        set {
            let text = newValue.flatMap { value -> String? in
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                return trimmed.isEmpty ? nil : trimmed
            }
            if field.isList {
                keywords = CaptionFields.list(text ?? "")
            } else {
                texts[field] = text
            }
        }
    }

    /// A comma- (or semicolon-) separated text as a list, blanks dropped.
    public static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// Whether no field has a value.
    public var isEmpty: Bool { texts.isEmpty && keywords.isEmpty }

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

    /// The fields readers may see (instructions removed).
    public var publicOnly: CaptionFields {
        var copy = self
        for field in CaptionField.allCases where !field.isPublic { copy[field] = nil }
        return copy
    }
}

extension CaptionFields: Codable {
    /// Decodes an object keyed by field names: texts, or for keywords a list or a text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CaptionField.self)
        for field in CaptionField.allCases {
            if field.isList, let list = try? container.decodeIfPresent([String].self, forKey: field) {
                keywords = list.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            } else {
                self[field] = try container.decodeIfPresent(String.self, forKey: field)
            }
        }
    }

    /// Encodes each field that has a value; keywords always, as a list.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CaptionField.self)
        for field in CaptionField.allCases {
            if field.isList {
                try container.encode(keywords, forKey: field)
            } else {
                try container.encodeIfPresent(texts[field], forKey: field)
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
        let names = try decoder.container(keyedBy: AnyKey.self)
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

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
