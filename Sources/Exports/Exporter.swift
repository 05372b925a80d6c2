import Catalog
import Foundation
import Imaging
import Metadata

/// Writes photos' current caption fields out for other tools: XMP sidecars that ExifTool,
/// Lightroom and Photo Mechanic read, a CSV or JSON listing, or JPEGs with the caption, byline
/// and copyright embedded in EXIF, IPTC and XMP alike.
public struct Exporter: Sendable {
    /// The kinds of export.
    public enum Format: String, CaseIterable, Sendable {
        case xmp, csv, json, jpeg
    }

    let catalog: any CatalogStore
    let library: Library

    /// Makes an exporter.
    public init(catalog: any CatalogStore, library: Library) {
        self.catalog = catalog
        self.library = library
    }

    /// Exports the assets (all when `ids` is empty, or an article's photos in order with the
    /// captions as used there) into `folder`; returns the files written.
    public func export(ids: [String], article: String? = nil, format: Format, to folder: String) throws -> [String] {
        var documents: [AssetDocument]
        if let article {
            guard let found = try catalog.article(slug: article) else {
                throw CatalogError(.notFound, "no article \(article)")
            }
            documents = try found.photos.compactMap { photo in
                guard let id = photo.id, let asset = try catalog.resolve(id),
                    var document = try catalog.document(sha256: asset.sha256)
                else { return nil }
                document.caption = photo.caption
                return document
            }
        } else {
            documents = try resolve(ids)
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
                guard let large = document.renditions.last else { return nil }
                let image = try VipsImage.load(path: library.absolute(large.path))
                let credits = CreditMetadata(
                    byline: document.byline, credit: document.credit, copyright: document.copyright,
                    caption: document.caption)
                for (name, blob) in credits.blobs { image.setBlob(name, blob) }
                let path = folder + "/" + stem + ".jpg"
                try image.write(to: path, as: .jpeg, quality: 90, keepMetadata: true)
                return path
            }
        case .csv:
            let path = folder + "/photos.csv"
            try AtomicFile.write(Data(Self.csv(documents).utf8), to: path)
            return [path]
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let path = folder + "/photos.json"
            try AtomicFile.write(try encoder.encode(documents), to: path)
            return [path]
        }
    }

    private func resolve(_ ids: [String]) throws -> [AssetDocument] {
        let hashes: [String]
        if ids.isEmpty {
            var all: [String] = []
            var cursor: AssetCursor?
            repeat {
                let page = try catalog.assets(limit: 500, after: cursor)
                all += page.map(\.sha256)
                cursor = page.count == 500 ? page.last?.cursor : nil
            } while cursor != nil
            hashes = all
        } else {
            hashes = try ids.map { id in
                guard let asset = try catalog.resolve(id) else {
                    throw CatalogError(.notFound, "no photo matches \(id)")
                }
                return asset.sha256
            }
        }
        return try hashes.compactMap { try catalog.document(sha256: $0) }
    }

    /// File names from the originals' names, the short id added where two would collide.
    private func uniqueNames(_ documents: [AssetDocument]) -> [(AssetDocument, String)] {
        let stems = documents.map { document in
            document.paths.first.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
                ?? document.id
        }
        var counts: [String: Int] = [:]
        for stem in stems { counts[stem, default: 0] += 1 }
        return zip(documents, stems).map { document, stem in
            (document, counts[stem, default: 0] > 1 ? "\(stem)-\(document.id)" : stem)
        }
    }

    /// The XMP a sidecar carries for a photo.
    public static func xmpValues(_ document: AssetDocument) -> XMPValues {
        var values = XMPValues()
        values.description = document.caption
        values.headline = document.headline
        values.creator = document.byline.map { [$0] } ?? []
        values.credit = document.credit
        values.rights = document.copyright
        values.subject = document.keywords
        values.city = document.location?.city
        values.state = document.location?.region
        values.country = document.location?.country
        values.dateCreated = document.takenAt
        return values
    }

    /// The first characters that make a spreadsheet read a cell as a formula.
    public static let formulaPrefixes: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    static let csvColumns = [
        "id", "file", "caption", "headline", "byline", "credit", "copyright", "keywords", "city", "region", "country",
        "takenAt",
    ]

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
    static func csv(_ documents: [AssetDocument]) -> String {
        var lines = [csvColumns.joined(separator: ",")]
        for document in documents {
            let row: [String?] = [
                document.id, document.paths.first, document.caption, document.headline, document.byline,
                document.credit,
                document.copyright, document.keywords.joined(separator: "; "), document.location?.city,
                document.location?.region, document.location?.country, document.takenAt,
            ]
            lines.append(row.map(csvCell).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
