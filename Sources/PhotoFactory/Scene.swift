import Foundation
import Imaging

/// Pictures a person tells apart at a glance, drawn in code for the demo: sky and hills in
/// different light, a flag on its pole, a crowd, a market, a river valley at dusk, a meeting
/// room. Drawn small with simple shapes, then enlarged by libvips and given a photographic grain.
public enum Scene: String, Codable, Sendable, CaseIterable {
    case hillsAtDawn = "hills-dawn"
    case flag
    case school
    case market
    case riverAtDusk = "river-dusk"
    case meeting

    /// The picture at `width` x `height` (upright), reproducible from `seed`.
    public func image(width: Int, height: Int, seed: Int) throws -> VipsImage {
        let scale = 4
        var canvas = Canvas(width: max(8, width / scale), height: max(8, height / scale), seed: seed)
        draw(on: &canvas)
        let small = try VipsImage.fromPixels(canvas.pixels, width: canvas.width, height: canvas.height, bands: 3)
        return try small.resized(by: Double(width) / Double(canvas.width))
    }

    func draw(on canvas: inout Canvas) {
        let w = Double(canvas.width)
        let h = Double(canvas.height)
        switch self {
        case .hillsAtDawn:
            canvas.verticalGradient(top: [250, 170, 150], bottom: [255, 214, 150], to: 0.7)
            canvas.disc(x: w * 0.68, y: h * 0.46, radius: h * 0.09, colour: [255, 238, 190])
            canvas.ridge(base: 0.50, amplitude: 0.08, waves: 2.3, colour: [168, 126, 160])
            canvas.ridge(base: 0.60, amplitude: 0.07, waves: 3.1, colour: [112, 104, 140])
            canvas.ridge(base: 0.72, amplitude: 0.06, waves: 4.2, colour: [60, 96, 84])
            canvas.ridge(base: 0.85, amplitude: 0.04, waves: 5.5, colour: [36, 70, 52])
        case .flag:
            canvas.verticalGradient(top: [70, 130, 215], bottom: [175, 210, 240], to: 1)
            canvas.ridge(base: 0.82, amplitude: 0.05, waves: 2.0, colour: [62, 120, 70])
            canvas.rectangle(x: w * 0.30, y: h * 0.12, width: w * 0.025, height: h * 0.75, colour: [200, 200, 205])
            // A red flag with a yellow five-pointed star, waving.
            let left = w * 0.325
            let flagWidth = w * 0.5
            let flagHeight = flagWidth * 2 / 3
            for x in Canvas.span(left, left + flagWidth, limit: canvas.width) {
                let wave = sin(Double(x) / flagWidth * 2 * .pi) * flagHeight * 0.05
                let top = h * 0.13 + wave
                for y in Canvas.span(top, top + flagHeight, limit: canvas.height) { canvas.set(x, y, [218, 37, 29]) }
            }
            canvas.star(
                x: left + flagWidth / 2, y: h * 0.13 + flagHeight / 2, radius: flagHeight * 0.3, colour: [255, 222, 0])
        case .school:
            canvas.verticalGradient(top: [150, 200, 235], bottom: [225, 235, 240], to: 0.6)
            canvas.rectangle(x: 0, y: h * 0.6, width: w, height: h * 0.4, colour: [150, 160, 120])
            canvas.rectangle(x: w * 0.15, y: h * 0.30, width: w * 0.7, height: h * 0.32, colour: [240, 225, 180])
            canvas.triangle(left: w * 0.12, right: w * 0.88, base: h * 0.30, apex: h * 0.14, colour: [170, 60, 50])
            for column in 0..<7 {
                for row in 0..<2 {
                    canvas.rectangle(
                        x: w * (0.19 + Double(column) * 0.095), y: h * (0.36 + Double(row) * 0.12), width: w * 0.05,
                        height: h * 0.07, colour: [90, 130, 170])
                }
            }
            canvas.crowd(
                count: 26, band: 0.66...0.92,
                palette: [[40, 60, 120], [230, 230, 230], [200, 60, 60], [60, 120, 80]])
        case .market:
            canvas.verticalGradient(top: [200, 205, 210], bottom: [225, 220, 205], to: 0.45)
            canvas.ridge(base: 0.35, amplitude: 0.08, waves: 2.7, colour: [150, 165, 160])
            canvas.rectangle(x: 0, y: h * 0.45, width: w, height: h * 0.55, colour: [150, 115, 80])
            canvas.crowd(
                count: 60, band: 0.45...0.98,
                palette: [
                    [210, 40, 90], [30, 30, 60], [240, 190, 40], [40, 140, 200], [130, 40, 160], [230, 120, 40],
                ])
        case .riverAtDusk:
            canvas.verticalGradient(top: [40, 40, 95], bottom: [230, 120, 90], to: 0.55)
            canvas.ridge(base: 0.42, amplitude: 0.12, waves: 1.8, colour: [70, 60, 100])
            canvas.ridge(base: 0.55, amplitude: 0.10, waves: 2.6, colour: [45, 50, 75])
            canvas.ridge(base: 0.68, amplitude: 0.05, waves: 3.3, colour: [30, 45, 50])
            canvas.river(colour: [60, 150, 160])
        case .meeting:
            canvas.verticalGradient(top: [235, 220, 195], bottom: [215, 195, 165], to: 1)
            canvas.rectangle(x: w * 0.62, y: h * 0.12, width: w * 0.28, height: h * 0.36, colour: [250, 245, 225])
            canvas.rectangle(x: w * 0.75, y: h * 0.12, width: w * 0.012, height: h * 0.36, colour: [120, 90, 60])
            canvas.crowd(
                count: 7, band: 0.30...0.42, palette: [[50, 50, 70], [240, 240, 240], [80, 60, 50], [150, 40, 40]])
            canvas.rectangle(x: w * 0.08, y: h * 0.60, width: w * 0.84, height: h * 0.12, colour: [120, 75, 40])
            canvas.rectangle(x: w * 0.08, y: h * 0.72, width: w * 0.84, height: h * 0.28, colour: [90, 60, 35])
        }
    }
}

/// A small RGB picture with the shapes the scenes are made of.
struct Canvas {
    let width: Int
    let height: Int
    var pixels: [UInt8]
    var random: SeededRandom

    init(width: Int, height: Int, seed: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        random = SeededRandom(seed: UInt64(truncatingIfNeeded: seed))
    }

    mutating func set(_ x: Int, _ y: Int, _ colour: [UInt8]) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let index = (y * width + x) * 3
        pixels[index] = colour[0]
        pixels[index + 1] = colour[1]
        pixels[index + 2] = colour[2]
    }

    /// The whole picture from `top` to `bottom` colour, reaching `bottom` at `to` of the height.
    mutating func verticalGradient(top: [UInt8], bottom: [UInt8], to fraction: Double) {
        for y in 0..<height {
            let t = min(1, Double(y) / (Double(height) * fraction))
            let colour = (0..<3).map { UInt8(Double(top[$0]) * (1 - t) + Double(bottom[$0]) * t) }
            for x in 0..<width { set(x, y, colour) }
        }
    }

    /// A range of hills filled down to the bottom, its crest `base` of the way down.
    mutating func ridge(base: Double, amplitude: Double, waves: Double, colour: [UInt8]) {
        let phase = Double(random.next() % 1000) / 1000 * 2 * .pi
        for x in 0..<width {
            let u = Double(x) / Double(width)
            let crest =
                base + amplitude * (sin(u * waves * 2 * .pi + phase) * 0.6 + sin(u * waves * 5.3 + phase * 2) * 0.4)
            for y in Self.span(crest * Double(height), Double(height), limit: height) { set(x, y, colour) }
        }
    }

    /// The whole rows (or columns) from `lower` to `upper`, clipped to `0..<limit`; empty when none.
    static func span(_ lower: Double, _ upper: Double, limit: Int) -> Range<Int> {
        let start = max(0, min(limit, Int(lower.rounded(.down))))
        let end = max(start, min(limit, Int(upper.rounded(.up))))
        return start..<end
    }

    mutating func rectangle(x: Double, y: Double, width w: Double, height h: Double, colour: [UInt8]) {
        for row in Self.span(y, y + h, limit: height) {
            for column in Self.span(x, x + w, limit: width) { set(column, row, colour) }
        }
    }

    mutating func disc(x: Double, y: Double, radius: Double, colour: [UInt8]) {
        for row in Self.span(y - radius, y + radius + 1, limit: height) {
            for column in Self.span(x - radius, x + radius + 1, limit: width) {
                let dx = Double(column) - x
                let dy = Double(row) - y
                if dx * dx + dy * dy <= radius * radius { set(column, row, colour) }
            }
        }
    }

    mutating func triangle(left: Double, right: Double, base: Double, apex: Double, colour: [UInt8]) {
        let middle = (left + right) / 2
        for row in Self.span(apex, base, limit: height) {
            let t = (Double(row) - apex) / (base - apex)
            rectangle(
                x: middle - (middle - left) * t, y: Double(row), width: (right - left) * t, height: 1, colour: colour)
        }
    }

    /// A five-pointed star, one point up.
    mutating func star(x: Double, y: Double, radius: Double, colour: [UInt8]) {
        let points = (0..<10).map { index -> (Double, Double) in
            let angle = -Double.pi / 2 + Double(index) * .pi / 5
            let r = index % 2 == 0 ? radius : radius * 0.382
            return (x + r * cos(angle), y + r * sin(angle))
        }
        for row in Self.span(y - radius, y + radius + 1, limit: height) {
            for column in Self.span(x - radius, x + radius + 1, limit: width) {
                if Self.inside(Double(column) + 0.5, Double(row) + 0.5, points) { set(column, row, colour) }
            }
        }
    }

    /// People as heads and shoulders in a band of the picture, nearer ones larger.
    mutating func crowd(count: Int, band: ClosedRange<Double>, palette: [[UInt8]]) {
        for _ in 0..<count {
            let depth = Double(random.next() % 1000) / 1000
            let y = (band.lowerBound + (band.upperBound - band.lowerBound) * depth) * Double(height)
            let x = Double(random.next() % UInt64(max(1, width)))
            let size = Double(height) * (0.03 + 0.05 * depth)
            let clothes = palette[Int(random.next() % UInt64(palette.count))]
            disc(x: x, y: y + size * 1.4, radius: size * 1.1, colour: clothes)
            disc(x: x, y: y, radius: size * 0.55, colour: [95 + UInt8(random.next() % 60), 70, 55])
        }
    }

    /// A river winding down the valley to the bottom of the picture.
    mutating func river(colour: [UInt8]) {
        for row in Self.span(Double(height) * 0.62, Double(height), limit: height) {
            let t = Double(row) / Double(height)
            let centre = Double(width) * (0.5 + 0.18 * sin(t * 9))
            let half = Double(width) * (0.01 + 0.09 * (t - 0.6))
            rectangle(x: centre - half, y: Double(row), width: half * 2, height: 1, colour: colour)
        }
    }

    static func inside(_ x: Double, _ y: Double, _ polygon: [(Double, Double)]) -> Bool {
        var inside = false
        var j = polygon.count - 1
        for i in polygon.indices {
            let (xi, yi) = polygon[i]
            let (xj, yj) = polygon[j]
            if (yi > y) != (yj > y), x < (xj - xi) * (y - yi) / (yj - yi) + xi { inside.toggle() }
            j = i
        }
        return inside
    }
}

/// A small reproducible random number generator (SplitMix64): the same seed draws the same picture.
public struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
