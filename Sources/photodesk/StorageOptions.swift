import ArgumentParser
import Catalog
import Desk
import Foundation
import Imaging
import Ingest
import ObjectStorage

/// `--storage`: the object storage a command reads renditions from or writes them to.
struct StorageOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Object storage for renditions (default: $PHOTODESK_STORAGE, else the one the catalog names).",
            discussion: """
                s3://BUCKET/PREFIX?endpoint=URL&region=R, with credentials in AWS_ACCESS_KEY_ID and \\
                AWS_SECRET_ACCESS_KEY (or the file $PHOTODESK_S3_CREDENTIALS names). `photodesk storage \\
                copy` fills a bucket and names it in the catalog; from then on ingest, workers and uploads \\
                store new renditions there too (and in the library folder), and gallery nodes read from it \\
                what their folder lacks.
                """,
            valueName: "s3://..."))
    var storage: String?

    /// The named storage's client, or nil when the files live in the library folder only.
    func client(desk: Desk, environment: [String: String] = ProcessInfo.processInfo.environment) async throws
        -> S3Client?
    {
        var named = storage ?? environment["PHOTODESK_STORAGE"].flatMap { $0.isEmpty ? nil : $0 }
        if named == nil { named = try await desk.storageLocation()?.value }
        guard let named else { return nil }
        return S3Client(
            location: try S3Location(parsing: named), credentials: try S3Credentials.load(environment: environment))
    }
}

/// New renditions into the bucket, each with its MD5 and SHA-256, under its object key.
struct S3Uploader: RenditionUploader {
    let client: S3Client

    func upload(_ renditions: [Rendition], from library: Library) async throws {
        for rendition in renditions {
            let path = library.absolute(rendition.path)
            let sha256 = try ContentHasher.sha256(path: path)
            try await client.upload(
                file: path, to: rendition.objectKey, contentType: ImageFormat(rawValue: rendition.format)?.mimeType,
                sha256: sha256)
        }
    }
}
