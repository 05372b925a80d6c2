import Catalog
import Desk
import Foundation
import Imaging
import Metadata
import PhotoModel

/// Writes photos' current caption fields out for other tools: XMP sidecars that ExifTool,
/// Lightroom and Photo Mechanic read, a CSV or JSON listing, or JPEGs with every caption field
/// embedded in EXIF, IPTC and XMP alike.
public struct Exporter: Sendable {
    /// The kinds of export.
    public enum Format: String, CaseIterable, Sendable {
        case xmp, csv, json, jpeg, ninjs
    }

    let desk: Desk
    let library: Library

    /// Makes an exporter.
    public init(desk: Desk) {
        self.desk = desk
        self.library = desk.library
    }

    /// Exports the photos (all when `ids` is empty, or an article's photos in order with the
    /// captions as used there) into `folder`; returns the files written.
    public func export(
        ids: [String], article: String? = nil, format: Format, to folder: String,
        base: String = "http://127.0.0.1:8080"
    ) async throws -> [String] {
        var documents: [PhotoDocument] = []
        if let article {
            guard let found = try await desk.article(slug: article, audience: .editors)?.0 else {
                throw DeskError(.notFound, "no article \(article)")
            }
            for photo in found.photos {
                guard let sha = photo.sha256, var document = try await desk.document(sha256: sha, for: .editors)
                else { continue }
                document.fields.caption = photo.caption
                documents.append(document)
            }
        } else {
            documents = try await resolve(ids)
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        switch format {
        case .xmp:
            return try uniqueNames(documents).map { document, stem in
                let path = folder + "/" + stem + ".xmp"
                try AtomicFile.write(XMPWriter.packet(Self.xmpValues(document)), to: path)
                return path
            }
        case .jpeg:
            return try uniqueNames(documents).compactMap { document, stem in
                guard let large = document.renditions.last, let relative = large.path else { return nil }
                let image = try VipsImage.load(path: library.absolute(relative))
                for (name, blob) in EmbeddedMetadata(document.fields).blobs { image.setBlob(name, blob) }
                let path = folder + "/" + stem + ".jpg"
                try image.write(to: path, as: .jpeg, quality: 90, keepMetadata: true)
                return path
            }
        case .csv:
            let path = folder + "/photos.csv"
            try AtomicFile.write(Data(Self.csv(documents).utf8), to: path)
            return [path]
        case .ninjs:
            // Each photo as a ninjs picture; with --article, the article as a composite too.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            var written: [String] = []
            if let article, let item = try await desk.ninjs(article: article, audience: .editors, base: base) {
                let path = folder + "/" + Self.safeStem(article) + ".ninjs.json"
                try AtomicFile.write(try encoder.encode(item), to: path)
                written.append(path)
            }
            for (document, stem) in uniqueNames(documents) {
                guard let item = try await desk.ninjs(photo: document.sha256, for: .editors, base: base) else {
                    continue
                }
                let path = folder + "/" + stem + ".ninjs.json"
                try AtomicFile.write(try encoder.encode(item), to: path)
                written.append(path)
            }
            return written
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let path = folder + "/photos.json"
            try AtomicFile.write(try encoder.encode(documents), to: path)
            return [path]
        }
    }

    private func resolve(_ ids: [String]) async throws -> [PhotoDocument] {
        var hashes: [String] = []
        if ids.isEmpty {
            var token: String?
            repeat {
                let page = try await desk.photos(limit: 500, after: token, audience: .editors)
                hashes += page.photos.map(\.sha256)
                token = page.next
            } while token != nil
        } else {
            for id in ids { hashes.append(try await desk.photo(id).sha256) }
        }
        var documents: [PhotoDocument] = []
        for sha in hashes {
            if let document = try await desk.document(sha256: sha, for: .editors) { documents.append(document) }
        }
        return documents
    }

    /// File names from the originals' names, the short id added where two would collide.
    /// A slug as a file name: letters, digits, dots, dashes and underscores only.
    static func safeStem(_ slug: String) -> String {
        let kept = String(
            slug.unicodeScalars.map {
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
                    ? Character($0) : "_"
            })
        return kept.isEmpty || kept.hasPrefix(".") ? "article" + kept : kept
    }

    private func uniqueNames(_ documents: [PhotoDocument]) -> [(PhotoDocument, String)] {
        let stems = documents.map { document in
            document.paths?.first.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
                ?? document.id
        }
        var counts: [String: Int] = [:]
        for stem in stems { counts[stem, default: 0] += 1 }
        return zip(documents, stems).map { document, stem in
            (document, counts[stem, default: 0] > 1 ? "\(stem)-\(document.id)" : stem)
        }
    }

    /// The XMP a sidecar carries for a photo: every caption field where its metadata puts it.
    public static func xmpValues(_ document: PhotoDocument) -> XMPValues {
        var values = XMPValues()
        for field in CaptionField.allCases where field.metadata.xmp != nil {
            let items = field.isList ? document.fields.list(field) : (document.fields[field].map { [$0] } ?? [])
            if !items.isEmpty { values.fields[field] = items }
        }
        values.dateCreated = document.takenAt
        return values
    }

    /// The first characters that make a spreadsheet read a cell as a formula.
    public static let formulaPrefixes: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// The CSV columns: the photo, every caption field, the taking date.
    static let csvColumns = ["id", "file"] + CaptionField.allCases.map(\.rawValue) + ["takenAt"]

    /// One CSV cell (RFC 4180), quoted when it must be. A value a spreadsheet would take for a
    /// formula (starting with =, +, -, @, a tab or a carriage return) gets a ' in front, as OWASP
    /// recommends against CSV injection; `photodesk caption import` takes it off again.
    public static func csvCell(_ value: String?) -> String {
        guard var value else { return "" }
        if let first = value.unicodeScalars.first, formulaPrefixes.contains(first) { value = "'" + value }
        if value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    /// CSV with a header row, one row per photo.
    static func csv(_ documents: [PhotoDocument]) -> String {
        var lines = [csvColumns.joined(separator: ",")]
        for document in documents {
            let fields = CaptionField.allCases.map { field in
                field.isList ? document.fields.list(field).joined(separator: "; ") : document.fields[field]
            }
            let row: [String?] = [document.id, document.paths?.first] + fields + [document.takenAt]
            lines.append(row.map(csvCell).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
