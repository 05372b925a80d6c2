/// The EXIF tags Photodesk reads and writes, each with the IFD it belongs in.
public struct ExifTag: Hashable, Sendable {
    /// Which image file directory a tag lives in.
    public enum Directory: Int32, Sendable {
        case ifd0 = 0, ifd1 = 1, exif = 2, gps = 3, interoperability = 4
    }

    /// The IFD the tag is read from.
    public var directory: Directory
    /// The tag number.
    public var number: Int32

    /// A tag in a directory.
    public init(_ directory: Directory, _ number: Int32) {
        self.directory = directory
        self.number = number
    }

    public static let imageDescription = ExifTag(.ifd0, 0x010E)
    public static let make = ExifTag(.ifd0, 0x010F)
    public static let model = ExifTag(.ifd0, 0x0110)
    public static let orientation = ExifTag(.ifd0, 0x0112)
    public static let dateTime = ExifTag(.ifd0, 0x0132)
    public static let artist = ExifTag(.ifd0, 0x013B)
    public static let copyright = ExifTag(.ifd0, 0x8298)
    public static let exposureTime = ExifTag(.exif, 0x829A)
    public static let fNumber = ExifTag(.exif, 0x829D)
    public static let isoSpeed = ExifTag(.exif, 0x8827)
    public static let dateTimeOriginal = ExifTag(.exif, 0x9003)
    public static let offsetTimeOriginal = ExifTag(.exif, 0x9011)
    public static let focalLength = ExifTag(.exif, 0x920A)
    public static let userComment = ExifTag(.exif, 0x9286)
    public static let subSecTimeOriginal = ExifTag(.exif, 0x9291)
    public static let lensMake = ExifTag(.exif, 0xA433)
    public static let lensModel = ExifTag(.exif, 0xA434)
    public static let gpsVersion = ExifTag(.gps, 0x0000)
    public static let gpsLatitudeRef = ExifTag(.gps, 0x0001)
    public static let gpsLatitude = ExifTag(.gps, 0x0002)
    public static let gpsLongitudeRef = ExifTag(.gps, 0x0003)
    public static let gpsLongitude = ExifTag(.gps, 0x0004)
    public static let gpsAltitudeRef = ExifTag(.gps, 0x0005)
    public static let gpsAltitude = ExifTag(.gps, 0x0006)
}

/// The TIFF field types, as numbered by the EXIF specification (section 4.6.2).
enum ExifFieldType: Int32 {
    case byte = 1, ascii = 2, short = 3, long = 4, rational = 5, signedByte = 6, undefined = 7
    case signedShort = 8, signedLong = 9, signedRational = 10, float = 11, double = 12
}
