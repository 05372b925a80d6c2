/// One rendition preset: a name, the box the picture is fitted into, and how it is encoded.
public struct RenditionSpec: Codable, Hashable, Sendable {
    /// The preset's name, as used in paths and URLs ("thumb", "medium", "large").
    public var name: String
    /// The largest width the rendition may have.
    public var width: Int
    /// The largest height the rendition may have.
    public var height: Int
    /// The output format.
    public var format: ImageFormat
    /// Encoder quality, 1 to 100.
    public var quality: Int

    /// Makes a preset.
    public init(name: String, width: Int, height: Int, format: ImageFormat, quality: Int) {
        self.name = name
        self.width = width
        self.height = height
        self.format = format
        self.quality = quality
    }

    /// A short text that changes whenever anything that shapes the output changes.
    public var fingerprint: String { "\(width)x\(height) \(format.rawValue) q\(quality)" }
}

/// A rendition written to disk.
public struct RenditionResult: Sendable, Equatable {
    /// The preset it was made for.
    public var spec: RenditionSpec
    /// Its width in pixels.
    public var width: Int
    /// Its height in pixels.
    public var height: Int
    /// Its size in bytes.
    public var bytes: Int
    /// Where it was written.
    public var path: String
}
