import Desk
import Foundation
import PhotoModel

/// The API's OpenAPI document as served: `Assets/api/openapi.json` with every part that lists
/// caption fields (the caption, the edit's body, the asset) filled in from the field schema
/// (`CaptionField`), so the document cannot drift from the fields.
enum OpenAPIDocument {
    /// The document to serve, made from the file's bytes.
    static func served(_ file: Data) throws -> Data {
        guard var document = try JSONSerialization.jsonObject(with: file) as? [String: Any],
            var components = document["components"] as? [String: Any],
            var schemas = components["schemas"] as? [String: Any]
        else { throw GalleryError(.internal, "the API description is not an OpenAPI document with schemas") }
        func update(_ name: String, _ change: (inout [String: Any], inout [String]) -> Void) {
            var schema = schemas[name] as? [String: Any] ?? ["type": "object"]
            var properties = schema["properties"] as? [String: Any] ?? [:]
            var required = schema["required"] as? [String] ?? []
            change(&properties, &required)
            schema["properties"] = properties
            schema["required"] = required
            schemas[name] = schema
        }
        // A field as a value: a text, or a list of texts; an edit may also clear it (null) and
        // give a list as one comma-separated text.
        func value(_ field: CaptionField) -> [String: Any] {
            let readers = field.isPublic ? "" : " Editors only."
            // A closed list's codes are what an edit takes; a file may carry any text there, kept as it is.
            return field.isList
                ? ["type": "array", "items": ["type": "string"], "description": field.help + readers]
                : ["type": "string", "description": field.help + readers]
        }
        func change(_ field: CaptionField) -> [String: Any] {
            if let vocabulary = field.metadata.vocabulary {
                let terms: [Any] = vocabulary.terms.map(\.code) + ["", NSNull()]
                return ["type": ["string", "null"], "enum": terms, "description": field.help]
            }
            return field.isList
                ? [
                    "oneOf": [["type": "array", "items": ["type": "string"]], ["type": ["string", "null"]]],
                    "description": field.help,
                ]
                : ["type": ["string", "null"], "description": field.help]
        }
        let lists = CaptionField.allCases.filter(\.isList).map(\.rawValue)
        update("Caption") { properties, required in
            for field in CaptionField.allCases { properties[field.rawValue] = value(field) }
            required = ["id", "revision"] + lists
        }
        update("CaptionChanges") { properties, _ in
            for field in CaptionField.allCases { properties[field.rawValue] = change(field) }
        }
        update("Asset") { properties, _ in
            for field in CaptionField.allCases where !field.isPlace { properties[field.rawValue] = value(field) }
            properties["location"] = [
                "type": ["object", "null"],
                "properties": Dictionary(
                    uniqueKeysWithValues: CaptionField.allCases.filter(\.isPlace).map { ($0.rawValue, value($0)) }),
            ]
        }
        components["schemas"] = schemas
        document["components"] = components
        // The `missing` filter takes any caption field's name (or nothing).
        if var paths = document["paths"] as? [String: Any] {
            for (path, item) in paths {
                guard var operations = item as? [String: Any] else { continue }
                for (method, operation) in operations {
                    guard var operation = operation as? [String: Any],
                        var parameters = operation["parameters"] as? [[String: Any]]
                    else { continue }
                    for index in parameters.indices where parameters[index]["name"] as? String == "missing" {
                        parameters[index]["schema"] = [
                            "type": "string", "enum": [""] + SearchQuery.missingFields.map(\.rawValue),
                        ]
                    }
                    operation["parameters"] = parameters
                    operations[method] = operation
                }
                paths[path] = operations
            }
            document["paths"] = paths
        }
        return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
