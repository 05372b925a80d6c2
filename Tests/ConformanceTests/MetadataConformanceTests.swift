import Foundation
import Imaging
import Metadata
import Testing

/// Compares Photodesk's reconciled metadata with ExifTool's MWG values (`mwg.json`), field by field.
@Suite("Metadata against ExifTool (MWG)", .enabled(if: Corpus.path != nil))
struct MetadataConformanceTests {
    /// One field: how to read ExifTool's value and ours, as comparable text.
    struct Field: Sendable {
        var name: String
        var reference: @Sendable (Any) -> String?
        var ours: @Sendable (PhotoMetadata, ImageHeader) -> String?
    }

    static func text(_ value: Any?) -> String? {
        switch value {
        case let list as [Any]: return TextDecoding.nonBlank(list.map { "\($0)" }.joined(separator: ", "))
        case let number as NSNumber: return number.stringValue
        case let string as String: return TextDecoding.nonBlank(string)
        default: return nil
        }
    }

    /// Date and time digits to the second, then the offset when both sides have one.
    static func date(_ value: String?) -> String? {
        guard let value else { return nil }
        let digits = String(value.prefix(19).filter(\.isNumber))
        return digits.isEmpty ? nil : digits
    }

    static func degrees(_ value: Double?) -> String? {
        value.map { String(format: "%.5f", $0) }
    }

    static let fields: [Field] = [
        Field(name: "Make", reference: { text($0) }, ours: { metadata, _ in metadata.camera.make }),
        Field(name: "Model", reference: { text($0) }, ours: { metadata, _ in metadata.camera.model }),
        Field(
            name: "Orientation",
            // ExifTool's 0 is an invalid value: no orientation, which displays as 1.
            reference: { ($0 as? Int).map { String($0 == 0 ? 1 : $0) } },
            ours: { metadata, _ in String(metadata.orientation) }),
        Field(
            name: "DateTimeOriginal", reference: { date($0 as? String) },
            ours: { metadata, _ in date(metadata.takenAt) }),
        Field(
            name: "GPSLatitude", reference: { degrees(($0 as? NSNumber)?.doubleValue) },
            ours: { metadata, _ in degrees(metadata.gps?.latitude) }),
        Field(
            name: "GPSLongitude", reference: { degrees(($0 as? NSNumber)?.doubleValue) },
            ours: { metadata, _ in degrees(metadata.gps?.longitude) }),
        Field(name: "Description", reference: { text($0) }, ours: { metadata, _ in metadata.caption }),
        Field(
            name: "Creator", reference: { text($0) },
            ours: { metadata, _ in TextDecoding.nonBlank(metadata.creators.joined(separator: ", ")) }),
        Field(name: "Copyright", reference: { text($0) }, ours: { metadata, _ in metadata.copyright }),
    ]

    /// The places MWG reads a field from (ExifTool's family 1 groups).
    static let mwgGroups: Set<String> = [
        "IFD0", "ExifIFD", "GPS", "IPTC", "XMP-dc", "XMP-photoshop", "XMP-exif", "XMP-exifEX", "XMP-tiff", "XMP-xmp",
        "XMP-aux", "Composite", "File",
    ]

    /// When ExifTool found the reference value only outside MWG's sources (maker notes, CIFF,
    /// XMP-pdf), those groups; nil when an MWG source holds it. Asks ExifTool (installed by
    /// `make setup`) for the family 1 groups of the field.
    static func nonMWGGroups(field: String, path: String, reference: Any?) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/exiftool")
        process.arguments = ["-json", "-a", "-G1", "-n", "-\(field)", path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let entries = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]],
            let entry = entries.first,
            let expected = text(reference)
        else { return nil }
        let sources = entry.compactMap { key, value -> String? in
            let parts = key.split(separator: ":")
            guard parts.count == 2, parts[1] == field, text(value) == expected else { return nil }
            return String(parts[0])
        }
        guard !sources.isEmpty, sources.allSatisfy({ !mwgGroups.contains($0) }) else { return nil }
        return sources.sorted().joined(separator: ", ")
    }

    @Test("each field agrees with ExifTool on at least 99.5% of the files both read")
    func agreement() throws {
        let root = try #require(Corpus.path)
        let reference = try Corpus.reference()
        var agree: [String: Int] = [:]
        var compared: [String: Int] = [:]
        var disagreements: [String: [String]] = [:]
        var judged: [String: [String]] = [:]
        var unreadable: [String] = []
        for (file, values) in reference.sorted(by: { $0.key < $1.key }) {
            let path = root + "/" + file
            guard let header = try? ImageHeader.read(path: path) else {
                unreadable.append(file)
                continue
            }
            let metadata = MetadataReader.read(
                exif: header.exif, iptc: header.iptc, xmp: header.xmp, xmpExtension: header.xmpExtension,
                sidecar: MetadataReader.sidecar(for: path))
            for field in Self.fields {
                let theirs = values[field.name].flatMap(field.reference)
                let ours = field.ours(metadata, header).flatMap { TextDecoding.nonBlank($0) }
                if theirs == nil && (ours == nil || (field.name == "Orientation" && ours == "1")) { continue }
                compared[field.name, default: 0] += 1
                if theirs == ours {
                    agree[field.name, default: 0] += 1
                    continue
                }
                let line =
                    "\(file): ours \(ours.map { "\"\($0)\"" } ?? "none"), ExifTool \(theirs.map { "\"\($0)\"" } ?? "none")"
                if let groups = Self.nonMWGGroups(field: field.name, path: path, reference: values[field.name]) {
                    compared[field.name, default: 0] -= 1
                    judged[field.name, default: []].append(
                        "\(line) (ExifTool read it from \(groups), which MWG does not read)")
                } else {
                    disagreements[field.name, default: []].append(line)
                }
            }
        }
        print(
            "metadata agreement with ExifTool (MWG), over \(reference.count - unreadable.count) files libvips opens (\(unreadable.count) it cannot):"
        )
        for field in Self.fields {
            let total = compared[field.name] ?? 0
            let matched = agree[field.name] ?? 0
            let percent = total == 0 ? 100 : 100 * Double(matched) / Double(total)
            print(String(format: "  %-17@ %3d/%3d  %6.2f%%", field.name as NSString, matched, total, percent))
            for line in disagreements[field.name] ?? [] { print("      \(line)") }
            for line in judged[field.name] ?? [] { print("      judged: \(line)") }
            #expect(percent >= 99.5, "\(field.name): \(matched) of \(total) agree")
        }
    }
}
