import Foundation

/// Runs of one figure: median with min and max beside it.
struct Figure {
    var values: [Double]
    var unit: String
    /// Whether a higher value is better (throughput) or lower (time, memory).
    var higherIsBetter: Bool

    var median: Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    var text: String {
        guard let low = values.min(), let high = values.max() else { return "n/a" }
        if values.count == 1 { return "\(Self.format(median)) \(unit)" }
        return "\(Self.format(median)) \(unit) (\(Self.format(low))–\(Self.format(high)))"
    }

    static func format(_ value: Double) -> String {
        if value >= 1000 { return String(format: "%.0f", value) }
        if value >= 100 { return String(format: "%.1f", value) }
        if value >= 10 { return String(format: "%.2f", value) }
        return String(format: "%.3f", value)
    }
}

/// One row of the results table.
struct Row {
    var work: String
    var photodesk: Figure
    var peer: String
    var peerFigure: Figure?
    var note: String = ""

    /// How many times better Photodesk is (above 1 is better).
    var ratio: String {
        guard let peerFigure else { return "–" }
        let ours = photodesk.median
        let theirs = peerFigure.median
        guard ours > 0, theirs > 0 else { return "–" }
        return String(format: "%.2fx", photodesk.higherIsBetter ? ours / theirs : theirs / ours)
    }
}

/// Percentile of a list (nearest rank).
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
