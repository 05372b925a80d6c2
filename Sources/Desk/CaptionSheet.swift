import Catalog
import Foundation
import PhotoModel

/// A CSV manifest of captions (`photodesk caption import captions.csv`): a header row naming
/// `file` or `id`, then any of `caption`, `headline`, `byline`, `credit`, `copyright`, `keywords`
/// (separated by ; or ,), `city`, `region`, `country`, `article`.
public struct CaptionSheet: Sendable {
    /// One row.
    public struct Row: Sendable, Equatable {
        /// The line in the file, for errors.
        public var line: Int
        /// A file path (relative to the CSV) or a photo id.
        public var reference: String
        public var changes: CaptionChanges
        /// An article slug to link the photo to.
        public var article: String?
    }

    public var rows: [Row]

    /// Parses RFC 4180 CSV; `name` is used in errors.
    public static func parse(_ text: String, name: String, folder: String) throws -> CaptionSheet {
        let table = parseCSV(text)
        guard let header = table.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
            throw DeskError(.invalid, "\(name) is empty")
        }
        guard let keyColumn = header.firstIndex(of: "file") ?? header.firstIndex(of: "id") else {
            throw DeskError(.invalid, "\(name): the header row must name a file or id column")
        }
        let isFile = header[keyColumn] == "file"
        let known = Set(CaptionField.allCases.map(\.rawValue)).union(["file", "id", "article"])
        if let unknown = header.first(where: { !known.contains($0) && !$0.isEmpty }) {
            throw DeskError(
                .invalid, "\(name): unknown column \"\(unknown)\" (known: \(known.sorted().joined(separator: ", ")))")
        }
        var rows: [Row] = []
        for (index, cells) in table.enumerated().dropFirst() where !(cells.count == 1 && cells[0].isEmpty) {
            guard cells.count <= header.count else {
                throw DeskError(.invalid, "\(name) line \(index + 1): \(cells.count) cells for \(header.count) columns")
            }
            let key = cells.indices.contains(keyColumn) ? cells[keyColumn].trimmingCharacters(in: .whitespaces) : ""
            guard !key.isEmpty else { throw DeskError(.invalid, "\(name) line \(index + 1): no \(header[keyColumn])") }
            var changes = CaptionChanges()
            var article: String?
            for (column, cell) in zip(header, cells) {
                if column == "article" {
                    article = cell.isEmpty ? nil : cell
                } else if let field = CaptionField(rawValue: column), !cell.isEmpty {
                    changes.values[field] = Self.withoutFormulaGuard(cell)
                }
            }
            let reference = isFile && !key.hasPrefix("/") ? folder + "/" + key : key
            rows.append(Row(line: index + 1, reference: reference, changes: changes, article: article))
        }
        return CaptionSheet(rows: rows)
    }

    /// A cell without the ' that `photodesk export --format csv` puts before a value a
    /// spreadsheet would take for a formula (=, +, -, @, tab, carriage return), so that an
    /// exported sheet imports back unchanged.
    static func withoutFormulaGuard(_ cell: String) -> String {
        let scalars = cell.unicodeScalars
        guard scalars.first == "'", let second = scalars.dropFirst().first, "=+-@\t\r".unicodeScalars.contains(second)
        else { return cell }
        return String(String.UnicodeScalarView(scalars.dropFirst()))
    }

    /// Cells of RFC 4180 CSV: quoted cells may hold commas, quotes ("") and line breaks.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var characters = text.makeIterator()
        var pending: Character?
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = characters.next() {
                        if next == "\"" {
                            cell.append("\"")
                        } else {
                            quoted = false
                            pending = next
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(character)
                }
                continue
            }
            switch character {
            case "\"" where cell.isEmpty: quoted = true
            case ",":
                row.append(cell)
                cell = ""
            case "\n", "\r\n", "\r":
                row.append(cell)
                rows.append(row)
                row = []
                cell = ""
            default: cell.append(character)
            }
        }
        if !cell.isEmpty || !row.isEmpty {
            row.append(cell)
            rows.append(row)
        }
        return rows
    }
}
