/// Text from files and people (captions, paths, errors that quote them) made safe to print on a
/// terminal: control characters and escape sequences are shown, never obeyed.
enum TerminalText {
    /// `text` with every character a terminal would act on written out as `\u{1B}`: C0 controls
    /// but tab (and line feed when `keepingNewlines`), DEL, C1 controls, and the bidirectional
    /// overrides and isolates that reorder what is shown.
    static func safe(_ text: String, keepingNewlines: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { neutralised($0, keepingNewlines: keepingNewlines) }) else {
            return text
        }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if neutralised(scalar, keepingNewlines: keepingNewlines) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether a terminal would act on the character rather than show it.
    static func neutralised(_ scalar: Unicode.Scalar, keepingNewlines: Bool = true) -> Bool {
        switch scalar.value {
        case 0x09: false
        case 0x0A: !keepingNewlines
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
