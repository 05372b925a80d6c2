import Catalog
import Foundation
import PhotoModel

extension Desk {
    /// The setting that names the object storage a library's files were copied to
    /// (`photodesk storage copy`), so that every gallery node reads renditions from it.
    static let storageSetting = "storage.location"

    /// The object storage the catalog names (`s3://BUCKET/PREFIX?endpoint=URL&region=R`), with
    /// who named it when; nil while the files live in the library folder only.
    public func storageLocation() async throws -> StoredSetting? {
        let setting = try await stored { try await store.setting(Self.storageSetting) }
        return setting?.value.isEmpty == false ? setting : nil
    }

    /// Names the object storage holding this library's files (after a complete copy), or the
    /// library folder again (nil).
    public func saveStorageLocation(_ location: String?, by: String) async throws {
        guard (location ?? "").utf8.count <= 2048 else {
            throw DeskError(.invalid, "a storage location is at most 2,048 bytes")
        }
        try await stored {
            try await store.saveSetting(Self.storageSetting, value: location ?? "", by: by, at: clock())
        }
    }
}
