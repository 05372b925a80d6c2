import Foundation

/// The name a client gives an uploaded file, made safe to show and to take an extension from.
/// It never becomes a path: an upload is stored under its content's hash.
enum UploadName {
    /// The most UTF-8 bytes of a name kept.
    static let maxBytes = 255
    /// The name given to a file that came without a usable one.
    static let fallback = "upload"

    /// The last path component of `raw` (after any `/` or `\`), without NUL, control or format
    /// characters and surrounding white space; `.`, `..` and empty names become `upload`.
    static func sanitised(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var scalars = String.UnicodeScalarView()
        for scalar in last.unicodeScalars {
            let category = scalar.properties.generalCategory
            if category == .control || category == .format || category == .lineSeparator
                || category == .paragraphSeparator
            {
                continue
            }
            scalars.append(scalar)
        }
        var name = String(scalars).trimmingCharacters(in: .whitespacesAndNewlines)
        if name.allSatisfy({ $0 == "." }) { return fallback }
        while name.utf8.count > maxBytes { name.removeFirst() }
        return name.isEmpty ? fallback : name
    }

    /// The name's extension, lower-cased, when it is 1 to 10 ASCII letters and digits.
    static func fileExtension(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...].lowercased()
        guard (1...10).contains(ext.utf8.count),
            ext.utf8.allSatisfy({ (48...57).contains($0) || (97...122).contains($0) })
        else { return nil }
        return ext
    }
}
