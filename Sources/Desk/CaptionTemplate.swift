import Foundation
import PhotoModel

/// A caption template as photo desks use them: `{city}, {country}, {date:d MMMM yyyy}: {caption}
/// Photo: {byline}/{credit}`, with a code-replacement table (`=lt=` becomes a full name and title).
public struct CaptionTemplate: Sendable {
    /// The variables a template may use: every public caption field (a list field's items joined
    /// by ", "; a field for editors only is never copied into a public one), the taking date, the
    /// photo's number in the batch and its id.
    public static let variables = CaptionField.publicFields.map(\.rawValue) + ["date", "n", "id"]

    enum Piece: Sendable {
        case text(String)
        case variable(String, format: String?)
    }

    let pieces: [Piece]
    /// The locale dates are written in ("en", "vi").
    public var locale: Locale

    /// Parses a template; an unknown variable or an unclosed brace is an error naming it.
    public init(_ template: String, locale: Locale = Locale(identifier: "en_US")) throws {
        var pieces: [Piece] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { pieces.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw DeskError(.invalid, "the template has a { without its }: \(template)")
            }
            let inside = rest[rest.index(after: open)..<close]
            let name = inside.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            let format = inside.contains(":") ? String(inside.split(separator: ":", maxSplits: 1)[1]) : nil
            guard CaptionTemplate.variables.contains(name) else {
                throw DeskError(
                    .invalid,
                    "unknown template variable {\(inside)}: use \(CaptionTemplate.variables.map { "{\($0)}" }.joined(separator: " "))"
                )
            }
            pieces.append(.variable(name, format: format))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        self.pieces = pieces
        self.locale = locale
    }

    /// The text for one photo: its fields, its taking date, its number `n` in the batch.
    public func render(
        fields: CaptionFields, takenAt: String?, n: Int, id: String, codes: CodeReplacements = CodeReplacements()
    ) -> String {
        var text = ""
        for piece in pieces {
            switch piece {
            case .text(let literal): text += literal
            case .variable(let name, let format):
                if let field = CaptionField(rawValue: name) {
                    text += fields[field] ?? ""
                    continue
                }
                switch name {
                case "n": text += String(n)
                case "id": text += id
                case "date": text += takenAt.flatMap { formatDate($0, format ?? "d MMMM yyyy") } ?? ""
                default: break
                }
            }
        }
        return codes.apply(to: text).trimmingCharacters(in: .whitespaces)
    }

    /// Formats an ISO 8601 date in the time zone it was taken in (its offset), else as written.
    func formatDate(_ iso: String, _ pattern: String) -> String? {
        let digits = iso.prefix(19)
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        var zone = TimeZone(secondsFromGMT: 0)
        if let match = iso.firstMatch(of: /([+-])(\d\d):(\d\d)$/), let hours = Int(match.output.2),
            let minutes = Int(match.output.3)
        {
            zone = TimeZone(secondsFromGMT: (match.output.1 == "-" ? -1 : 1) * (hours * 3600 + minutes * 60))
        }
        parser.timeZone = zone
        parser.dateFormat = digits.count >= 19 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd"
        guard let date = parser.date(from: String(digits.count >= 19 ? digits : iso.prefix(10))) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = locale
        formatter.timeZone = zone
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}

/// Codes a desk types for long names and titles (`=lt=` → "Lê Thị Thu Hằng, Bộ trưởng Bộ
/// Ngoại giao"), read from a TSV file of code and replacement.
public struct CodeReplacements: Sendable, Equatable {
    /// Code and replacement, longest code first so that no code eats a longer one.
    public private(set) var pairs: [(String, String)] = []

    /// No replacements.
    public init() {}

    /// Reads a TSV text; blank lines and lines starting with # are skipped.
    public init(tsv: String, name: String) throws {
        for (number, line) in tsv.components(separatedBy: .newlines).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let parts = line.split(separator: "\t", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw DeskError(
                    .invalid, "\(name) line \(number + 1): expected a code, a tab, then its replacement")
            }
            pairs.append((parts[0], parts[1]))
        }
        pairs.sort { $0.0.count > $1.0.count }
    }

    /// The text with every code replaced.
    public func apply(to text: String) -> String {
        pairs.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    public static func == (left: CodeReplacements, right: CodeReplacements) -> Bool {
        left.pairs.elementsEqual(right.pairs) { $0 == $1 }
    }
}
