import Foundation
import PhotoFactory
import PhotoModel
import Testing

/// Every caption field, walked through every surface by construction: the test knows no field by
/// name. It sets each case of `CaptionField` from the command line, then finds each in `show
/// --json`, the API, the CSV export, the XMP sidecar and the exported JPEG as ExifTool reads them
/// (by the IIM dataset and XMP property the field's metadata names), and the photo page. A new
/// case that some surface forgets fails here at once.
@Suite("Every caption field through every surface")
struct FieldSchemaTests {
    /// A distinct value per field (two items for a list field), with Vietnamese text and
    /// characters the surfaces must escape.
    static func value(_ field: CaptionField) -> [String] {
        if let vocabulary = field.metadata.vocabulary { return [vocabulary.terms.last?.code ?? ""] }
        return field.isList
            ? ["\(field.rawValue) một", "\(field.rawValue) hai & ba"]
            : ["\(field.title) của ảnh <\(field.rawValue)> “\(CaptionField.allCases.firstIndex(of: field) ?? 0)”"]
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    /// The field's values in a JSON object: at the field's name, or (in a photo's document, not
    /// a caption's) under `location` for a place.
    static func values(_ field: CaptionField, in object: [String: Any], nested: Bool = true) -> [String] {
        let holder = field.isPlace && nested ? object["location"] as? [String: Any] ?? [:] : object
        if let list = holder[field.rawValue] as? [String] { return list }
        return (holder[field.rawValue] as? String).map { [$0] } ?? []
    }

    /// What ExifTool reads in a file, by group and tag id (`-j -G1 -D`: each tag as `{"id", "val"}`).
    static func exiftool(_ path: String) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/exiftool")
        process.arguments = ["-j", "-G1", "-D", "-struct", "-charset", "iptc=UTF8", path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]], "exiftool on \(path)")
        return try #require(list.first)
    }

    /// The values ExifTool found for each tag of a group (`XMP-dc`, `IPTC`) with an id (IPTC's
    /// records share a group, so 1:90 and 2:90 are both there).
    static func tags(_ read: [String: Any], group: String, id: String, member: String? = nil) -> [[String]] {
        read.compactMap { key, entry -> [String]? in
            guard key.hasPrefix(group + ":"), let entry = entry as? [String: Any], "\(entry["id"] ?? "")" == id
            else { return nil }
            // A list of structures (`-struct`): each item's member.
            if let member, let list = entry["val"] as? [[String: Any]] { return list.map { "\($0[member] ?? "")" } }
            if let list = entry["val"] as? [Any] { return list.map { "\($0)" } }
            return entry["val"].map { ["\($0)"] }
        }
    }

    /// The value as HTML text shows it.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    @Test(
        "each case of CaptionField in show --json, the API, CSV, XMP and JPEG as ExifTool reads them, and the photo page"
    )
    func everyField() async throws {
        let work = try TemporaryFolder("e2e-fields")
        let library = work.path + "/library"
        try SyntheticPhoto(width: 320, height: 240, seed: 7).write(to: work.file("in/frame.jpg"))
        let ingested = try Binary.run(["ingest", "--library", library, work.path + "/in"])
        try #require(ingested.status == 0, "\(ingested.stderr)")
        let listed = try Self.json(try Binary.run(["list", "--library", library, "--json"]).stdout)
        let id = try #require((listed["photos"] as? [[String: Any]])?.first?["id"] as? String)

        // Every field from the command line, its options derived from the same cases.
        var options: [String] = []
        for field in CaptionField.allCases {
            options += ["--\(field.optionName)", Self.value(field).joined(separator: ", ")]
        }
        let set = try Binary.run(["caption", "set", "--library", library, id] + options)
        try #require(set.status == 0, "\(set.stderr)")

        // show --json
        let shown = try Self.json(try Binary.run(["show", "--library", library, "--json", id]).stdout)
        for field in CaptionField.allCases {
            #expect(Self.values(field, in: shown) == Self.value(field), "show --json: \(field)")
        }

        // CSV: a column per field, a list's items joined by "; ".
        let out = work.path + "/out"
        #expect(try Binary.run(["export", "--library", library, "--format", "csv", "--out", out]).status == 0)
        let csv = try String(contentsOfFile: out + "/photos.csv", encoding: .utf8)
        let header = csv.split(separator: "\r\n").first.map { $0.split(separator: ",").map(String.init) } ?? []
        for field in CaptionField.allCases {
            #expect(header.contains(field.rawValue), "CSV column \(field)")
            let cell = Self.value(field).joined(separator: field.isList ? "; " : "")
            #expect(csv.contains(cell.contains(",") ? "\"\(cell)\"" : cell), "CSV: \(field)")
        }

        // The XMP sidecar and the JPEG, read back by ExifTool where the field's metadata says.
        #expect(try Binary.run(["export", "--library", library, "--format", "xmp", "--out", out]).status == 0)
        #expect(try Binary.run(["export", "--library", library, "--format", "jpeg", "--out", out]).status == 0)
        let sidecar = try Self.exiftool(out + "/frame.xmp")
        let jpeg = try Self.exiftool(out + "/frame.jpg")
        for field in CaptionField.allCases {
            let expected = Self.value(field)
            // ExifTool shows a vocabulary's term by its label.
            let shown = expected.map { code in
                field.metadata.vocabulary?.terms.first { $0.code == code }?.label ?? code
            }
            if let property = field.metadata.xmp {
                // ExifTool's group for a namespace: its prefix, but for the IPTC Core and Extension ones.
                let groups = ["Iptc4xmpCore": "iptcCore", "Iptc4xmpExt": "iptcExt"]
                let group = "XMP-" + (groups[property.prefix] ?? property.prefix)
                var member: String?
                if case .structures(let name) = property.form { member = name }
                #expect(
                    Self.tags(sidecar, group: group, id: property.name, member: member) == [shown],
                    "XMP sidecar: \(field)")
                #expect(
                    Self.tags(jpeg, group: group, id: property.name, member: member) == [shown],
                    "XMP in the JPEG: \(field)")
            }
            if let dataset = field.metadata.iim {
                #expect(
                    Self.tags(jpeg, group: "IPTC", id: "\(dataset)").contains(expected), "IPTC in the JPEG: \(field)")
            }
            if let exif = field.metadata.exif {
                let ids: [ExifText: String] = [.imageDescription: "270", .artist: "315", .copyright: "33432"]
                let found = Self.tags(jpeg, group: "IFD0", id: ids[exif] ?? "")
                #expect(found == [[expected.joined(separator: ", ")]], "EXIF in the JPEG: \(field)")
            }
        }

        // The API (an editor's token sees every field; readers the public ones) and the page.
        let added = try Binary.run(
            ["user", "add", "--library", library, "desk", "--role", "editor"], input: "correct horse battery\n")
        try #require(added.status == 0, "\(added.stderr)")
        let token = try Binary.run(["user", "token", "--library", library, "desk"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try Binary.run(["publish", "--library", library, id]).status == 0)
        let server = try ServeProcess(library: library)
        defer { server.stop() }
        let editor = ["Authorization": "Bearer \(token)"]
        let caption = try Self.json(
            try await LiveHTTP.get(server.address + "api/v1/assets/\(id)/caption", headers: editor).text)
        let asset = try Self.json(try await LiveHTTP.get(server.address + "api/v1/assets/\(id)", headers: editor).text)
        let readers = try Self.json(try await LiveHTTP.get(server.address + "api/v1/assets/\(id)").text)
        let editorsPage = try await LiveHTTP.get(server.address + "photos/\(id)", headers: editor).text
        let readersPage = try await LiveHTTP.get(server.address + "photos/\(id)").text
        let document = try Self.json(try await LiveHTTP.get(server.address + "api/v1/openapi.json").text)
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let captionSchema = (schemas?["Caption"] as? [String: Any])?["properties"] as? [String: Any] ?? [:]
        for field in CaptionField.allCases {
            let expected = Self.value(field)
            #expect(Self.values(field, in: caption, nested: false) == expected, "API caption: \(field)")
            #expect(Self.values(field, in: asset) == expected, "API asset: \(field)")
            #expect(Self.values(field, in: readers) == (field.isPublic ? expected : []), "API, a reader: \(field)")
            #expect(captionSchema[field.rawValue] != nil, "the OpenAPI document's Caption: \(field)")
            for item in expected {
                #expect(editorsPage.contains(Self.escaped(item)), "the editor's photo page: \(field)")
                #expect(readersPage.contains(Self.escaped(item)) == field.isPublic, "the reader's photo page: \(field)")
            }
        }
    }
}
