/// A coding key by name, for documents whose keys come from the field schema rather than from a
/// type's properties.
public struct NamedKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }

    /// The key of a name.
    public init(_ name: String) {
        stringValue = name
    }

    public init?(stringValue: String) {
        self.stringValue = stringValue
    }

    public init?(intValue: Int) { nil }
}

extension KeyedEncodingContainer where K == NamedKey {
    /// Encodes each caption field's values under its name: a list where `asList` says so, else
    /// the values joined as one text; fields with no value are left out.
    public mutating func encode(fields: [CaptionField: [String]], asList: (CaptionField) -> Bool) throws {
        for field in CaptionField.allCases {
            guard let values = fields[field], !values.isEmpty else { continue }
            if asList(field) {
                try encode(values, forKey: NamedKey(field.rawValue))
            } else {
                try encode(values.joined(separator: ", "), forKey: NamedKey(field.rawValue))
            }
        }
    }
}

extension KeyedDecodingContainer where K == NamedKey {
    /// The caption fields' values by their names, each a list or one text.
    public func decodeFields() throws -> [CaptionField: [String]] {
        var fields: [CaptionField: [String]] = [:]
        for field in CaptionField.allCases {
            if let list = try? decodeIfPresent([String].self, forKey: NamedKey(field.rawValue)) {
                fields[field] = list
            } else if let text = try decodeIfPresent(String.self, forKey: NamedKey(field.rawValue)) {
                fields[field] = [text]
            }
        }
        return fields
    }
}
