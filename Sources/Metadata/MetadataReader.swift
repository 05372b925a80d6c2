import Foundation
import Imaging
import PhotoModel

/// Reads and reconciles a photo's metadata from its blobs and its sidecar.
///
/// Reconciliation follows the Metadata Working Group guidelines as ExifTool implements them:
/// for description, creator and copyright a non-blank EXIF value wins; otherwise XMP wins unless
/// the file has IPTC whose Photoshop digest shows it was changed after the XMP (or there is no
/// XMP value), in which case IPTC wins. A sidecar's values win over everything embedded.
public enum MetadataReader {
    /// Reads metadata from the blobs libvips found and an optional sidecar packet.
    public static func read(
        exif exifBlob: Data?, iptc iptcBlob: Data?, xmp xmpBlob: Data?, xmpExtension: Data? = nil, sidecar: Data? = nil
    ) -> PhotoMetadata {
        var sources = PhotoMetadata.Sources()
        sources.exif = exifBlob.flatMap(ExifReader.read)
        sources.iptc = iptcBlob.flatMap(IPTCReader.read)
        if let xmpBlob {
            do { sources.xmp = try XMPReader.read(xmpBlob, extension: xmpExtension) } catch {
                sources.warnings.append("embedded XMP skipped: \(error)")
            }
        }
        if let sidecar {
            do { sources.sidecar = try XMPReader.read(sidecar) } catch {
                sources.warnings.append("XMP sidecar skipped: \(error)")
            }
        }
        return reconcile(sources)
    }

    /// The most bytes an XMP sidecar may have.
    public static let sidecarLimit = 1 << 20

    /// Reads the XMP sidecar beside a photo (`NAME.xmp` or `NAME.EXT.xmp`), if there is one.
    ///
    /// Only a regular file in the photo's own folder is read (a link out of it, a FIFO or a
    /// device is not), up to `sidecarLimit` bytes; a sidecar that is refused is skipped with a
    /// warning naming it in `warnings`.
    public static func sidecar(for path: String, warnings: inout [String]) -> Data? {
        let base = (path as NSString).deletingPathExtension
        let folder = (path as NSString).deletingLastPathComponent
        for candidate in [base + ".xmp", base + ".XMP", path + ".xmp"] {
            do throws(SafeFile.Refusal) {
                if let data = try SafeFile.readIfPresent(path: candidate, maxBytes: sidecarLimit, within: folder) {
                    return data
                }
            } catch {
                warnings.append(sidecarWarning(error))
            }
        }
        return nil
    }

    /// Reads the XMP sidecar beside a photo, dropping the warnings about a refused one.
    public static func sidecar(for path: String) -> Data? {
        var warnings: [String] = []
        return sidecar(for: path, warnings: &warnings)
    }

    /// The warning for a side file that was not read, naming it ("sidecar IMG_1.xmp not read: a
    /// FIFO, not a regular file").
    public static func sidecarWarning(_ refusal: SafeFile.Refusal) -> String {
        "sidecar \((refusal.path as NSString).lastPathComponent) not read: \(refusal.reason)"
    }

    /// Combines the sources into one value.
    public static func reconcile(_ sources: PhotoMetadata.Sources) -> PhotoMetadata {
        let exif = sources.exif
        let iptc = sources.iptc
        let xmp = sources.xmp
        let side = sources.sidecar
        var result = PhotoMetadata()
        result.sources = sources

        // MWG 2.0, section 4.1: XMP unless the IPTC is present and newer (its digest stale).
        let iptcPresent = iptc != nil
        func mwg<T>(_ iptcValue: T?, _ xmpValue: T?) -> T? {
            if !iptcPresent { return xmpValue }
            if xmpValue != nil && iptc?.digestMatches != false { return xmpValue }
            return iptcValue
        }
        func mwgList(_ iptcValue: [String]?, _ xmpValue: [String]?) -> [String] {
            mwg(iptcValue.flatMap { $0.isEmpty ? nil : $0 }, xmpValue.flatMap { $0.isEmpty ? nil : $0 }) ?? []
        }
        func list(_ values: [String]?) -> [String]? { values.flatMap { $0.isEmpty ? nil : $0 } }

        // Each caption field from where the schema says it lives: a sidecar's value, then (for
        // description, creator and copyright) a non-blank EXIF value, then IPTC or XMP by MWG.
        for field in CaptionField.allCases {
            let mapping = field.metadata
            let exifValue = mapping.exif.flatMap { exif?[$0] }.map { mapping.exif == .artist ? splitArtist($0) : [$0] }
            let values =
                list(side?.fields[field]) ?? list(exifValue) ?? mwgList(iptc?.fields[field], xmp?.fields[field])
            result.values[field] = values.isEmpty ? nil : values
            if field.isList {
                result.fields.setList(field, values)
            } else {
                result.fields[field] = values.isEmpty ? nil : values.joined(separator: ", ")
            }
        }
        result.objectName = side?.title ?? mwg(iptc?.objectName, xmp?.title)
        result.sublocation = side?.location ?? xmp?.location
        result.takenAt =
            side?.dateTimeOriginal ?? side?.dateCreated ?? exif?.takenAt
            ?? mwg(iptc?.dateCreated, xmp?.dateCreated ?? xmp?.dateTimeOriginal)
        result.orientation = exif?.orientation ?? xmp?.orientation ?? 1
        result.camera = Camera(
            make: exif?.make ?? xmp?.make, model: exif?.model ?? xmp?.model, lens: exif?.lens ?? xmp?.lens)
        result.exposure = Exposure(
            exposureTime: exif?.exposureTime, fNumber: exif?.fNumber, iso: exif?.iso, focalLength: exif?.focalLength)
        if let latitude = side?.latitude ?? exif?.latitude ?? xmp?.latitude,
            let longitude = side?.longitude ?? exif?.longitude ?? xmp?.longitude
        {
            result.gps = GPS(latitude: latitude, longitude: longitude, altitude: exif?.altitude)
        }
        return result
    }

    /// MWG stores several creators in EXIF Artist separated by "; ".
    static func splitArtist(_ artist: String) -> [String] {
        artist.components(separatedBy: "; ").compactMap { TextDecoding.nonBlank($0) }
    }
}
