/// The caption fields an editor can change, by the names the CLI, the API and revisions use.
public enum CaptionField: String, CaseIterable, Codable, Sendable {
    case caption, headline, byline, credit, copyright, keywords, city, region, country, instructions

    /// The field's value in a set of fields; keywords as one comma-separated text.
    public func value(in fields: CaptionFields) -> String? {
        switch self {
        case .caption: fields.caption
        case .headline: fields.headline
        case .byline: fields.byline
        case .credit: fields.credit
        case .copyright: fields.copyright
        case .keywords: fields.keywords.isEmpty ? nil : fields.keywords.joined(separator: ", ")
        case .city: fields.city
        case .region: fields.region
        case .country: fields.country
        case .instructions: fields.instructions
        }
    }

    /// Sets the field's value; blank text is no value.
    public func set(_ value: String?, in fields: inout CaptionFields) {
        let text = value.flatMap { text -> String? in
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        switch self {
        case .caption: fields.caption = text
        case .headline: fields.headline = text
        case .byline: fields.byline = text
        case .credit: fields.credit = text
        case .copyright: fields.copyright = text
        case .keywords:
            fields.keywords = (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter
            { !$0.isEmpty }
        case .city: fields.city = text
        case .region: fields.region = text
        case .country: fields.country = text
        case .instructions: fields.instructions = text
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
}

/// An edit refused because it was based on an older revision: both versions, so nothing is lost.
public struct StaleEdit: Error, CustomStringConvertible, Sendable {
    /// The revision the edit was based on.
    public var basedOn: Int
    /// The stored caption fields now.
    public var current: CaptionRecord
    /// Who made the newest change, and when.
    public var lastAuthor: String?
    /// The values the refused edit would have set.
    public var attempted: CaptionChanges

    public var description: String {
        var lines = [
            "refused: the caption was changed since revision \(basedOn) (now revision \(current.revision)\(lastAuthor.map { " by \($0)" } ?? "")); nothing was saved."
        ]
        for field in CaptionField.allCases {
            guard let yours = attempted.values[field] else { continue }
            lines.append(
                "  \(field.rawValue): stored \(quoted(field.value(in: current.fields))), yours \(quoted(yours))")
        }
        lines.append("Edit again from revision \(current.revision) to apply your change.")
        return lines.joined(separator: "\n")
    }

    private func quoted(_ text: String?) -> String { text.map { "\"\($0)\"" } ?? "(empty)" }
}
