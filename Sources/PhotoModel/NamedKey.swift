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
    /// Encodes each caption field's values under its name (or the name `names` gives it): a
    /// list where `asList` says so, always present, else the values joined as one text, left
    /// out when there are none.
    public mutating func encode(
        fields: [CaptionField: [String]], asList: (CaptionField) -> Bool, names: [CaptionField: String] = [:]
    ) throws {
        for field in CaptionField.allCases {
            let key = NamedKey(names[field] ?? field.rawValue)
            let values = fields[field] ?? []
            if asList(field) {
                try encode(values, forKey: key)
            } else if !values.isEmpty {
                try encode(values.joined(separator: ", "), forKey: key)
            }
        }
    }
}

extension KeyedDecodingContainer where K == NamedKey {
    /// The caption fields' values by their names (or the names `names` gives them), each a
    /// list or one text; an empty list is no value.
    public func decodeFields(names: [CaptionField: String] = [:]) throws -> [CaptionField: [String]] {
        var fields: [CaptionField: [String]] = [:]
        for field in CaptionField.allCases {
            let key = NamedKey(names[field] ?? field.rawValue)
            if let list = try? decodeIfPresent([String].self, forKey: key) {
                if !list.isEmpty { fields[field] = list }
            } else if let text = try decodeIfPresent(String.self, forKey: key) {
                fields[field] = [text]
            }
        }
        return fields
    }
}
