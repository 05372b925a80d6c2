import Foundation

/// A folder under the system's temporary folder, removed when the value is released.
public final class TemporaryFolder: Sendable {
    /// The folder's absolute path.
    public let path: String

    /// Makes a new, empty folder.
    public init(_ label: String = "photodesk") throws {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the folder, its parent folders made.
    public func file(_ name: String) -> String {
        let full = path + "/" + name
        try? FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        return full
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Checks on decoded pictures, for tests.
public enum PictureCheck {
    /// Whether the pixel near the centre of each quadrant has that quadrant's upright colour,
    /// within `tolerance` levels per band.
    public static func isUpright(
        _ pixel: (Double, Double) throws -> [Double], width: Int, height: Int, tolerance: Double = 60
    )
        rethrows -> Bool
    {
        let points = [
            (width / 4, height / 4), (3 * width / 4, height / 4), (width / 4, 3 * height / 4),
            (3 * width / 4, 3 * height / 4),
        ]
        for (index, point) in points.enumerated() {
            let values = try pixel(Double(point.0), Double(point.1))
            let expected = SyntheticPhoto.quadrantColours[index]
            for band in 0..<3 where abs(values[band] - Double(expected[band])) > tolerance { return false }
        }
        return true
    }
}
