/// Decides whether a text may be parsed with the GFM table extension, whose cost in cmark-gfm 0.29.0.gfm.6
/// (Debian 12) can grow with the square of the input.
///
/// Two shapes are refused: a line with very many pipes (splitting a table row costs the square of its cells),
/// and a wide delimiter row followed by many short lines (every row is padded with empty cells up to the
/// header's width, so 70 KB of Markdown becomes 10^8 cells and exhausts memory). Later cmark-gfm releases cap
/// the padded cells themselves; this check estimates the cells from the text before cmark sees it.
enum TableBudget {
    /// The most `|` characters one line may hold.
    static let maximumPipesPerLine = 256
    /// The most table cells the text may produce, counting every non-blank line after a delimiter row as a row.
    static let maximumCells = 100_000

    /// Whether `markdown` stays within both limits; false means: parse it without the table extension.
    static func allowsTables(in markdown: String) -> Bool {
        var cells = 0
        var columns = 0
        for line in lines(of: markdown) {
            let pipes = line.count(where: { $0 == UInt8(ascii: "|") })
            guard pipes <= maximumPipesPerLine else { return false }
            let content = line.drop(while: {
                $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: ">")
            })
            if content.isEmpty {
                columns = 0
                continue
            }
            if isDelimiterRow(content) {
                columns = max(columns, pipes + 1)
            }
            cells += columns
            guard cells <= maximumCells else { return false }
        }
        return true
    }

    /// The lines of `text` as cmark splits them: at LF, CR or CR LF.
    private static func lines(of text: String) -> [ArraySlice<UInt8>] {
        let bytes = Array(text.utf8)
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                lines.append(bytes[start..<index])
                if byte == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                    index += 1
                }
                start = index + 1
            }
            index += 1
        }
        lines.append(bytes[start..<bytes.count])
        return lines
    }

    /// Whether a line (without its quote markers) could be a table's delimiter row such as `|:--|--:|`.
    private static func isDelimiterRow(_ line: ArraySlice<UInt8>) -> Bool {
        line.contains(UInt8(ascii: "-")) && line.allSatisfy { delimiterRowBytes.contains($0) }
    }

    private static let delimiterRowBytes = Set("-:| \t".utf8)
}
