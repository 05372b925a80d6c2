import Catalog
import Desk
import Foundation
import Imaging

/// Imports an article file: photos named by path are matched to the catalog by content (and
/// ingested first when new), `asset:` references are resolved, and importing the same file again
/// updates the article rather than duplicating it.
public struct ArticleImporter: Sendable {
    let desk: Desk
    let ingester: Ingester

    /// Makes an importer; `ingester` ingests photos the catalog does not have yet.
    public init(desk: Desk, ingester: Ingester) {
        self.desk = desk
        self.ingester = ingester
    }

    /// What an import did.
    public struct Outcome: Sendable {
        public var slug: String
        public var created: Bool
        public var photos: Int
        /// Photos ingested on the way.
        public var ingested: Int
    }

    /// The most bytes an article file may have.
    static let fileLimit = 4 << 20

    /// Imports a Markdown article file.
    ///
    /// The photos it names must be regular files inside the article's folder: an absolute path,
    /// `..` or a link that leads out of it is refused with the reason unless `allowOutside` is set.
    public func importFile(_ path: String, allowOutside: Bool = false) async throws -> Outcome {
        let data: Data
        do throws(SafeFile.Refusal) { data = try SafeFile.read(path: path, maxBytes: Self.fileLimit) } catch {
            throw IngestError(.usage, "cannot read the article \(error)")
        }
        let file = try ArticleFile.parse(String(decoding: data, as: UTF8.self), name: path)
        let folder = (URL(fileURLWithPath: path).standardizedFileURL.path as NSString).deletingLastPathComponent
        var ingested = 0
        var photos: [ArticlePhotoInput] = []
        for image in file.images {
            switch image.source {
            case .asset(let id):
                guard let asset = try await desk.findPhoto(id) else {
                    throw IngestError(.usage, "\(path): asset:\(id) matches no photo in the library")
                }
                photos.append(ArticlePhotoInput(sha256: asset.sha256, caption: image.caption))
            case .path(let relative):
                let photoPath =
                    relative.hasPrefix("/")
                    ? relative : URL(fileURLWithPath: folder + "/" + relative).standardizedFileURL.path
                var info = stat()
                guard stat(photoPath, &info) == 0 else {
                    throw IngestError(.usage, "\(path): the photo \(relative) is not there (looked for \(photoPath))")
                }
                if !allowOutside, !SafeFile.isInside(photoPath, folder: folder) {
                    throw IngestError(
                        .usage,
                        "\(path): the photo \(relative) is outside the article's folder \(folder) (give --allow-outside to import it)"
                    )
                }
                guard info.st_mode & S_IFMT == S_IFREG else {
                    throw IngestError(
                        .usage, "\(path): the photo \(relative) is not a regular file (a FIFO, device or folder)")
                }
                // By content: the photo may be catalogued from another path.
                let sha = try ContentHasher.sha256(path: photoPath)
                if try await desk.photo(sha256: sha) == nil {
                    let log = IngestLog()
                    let summary = try await ingester.run([photoPath]) { log.add($0) }
                    if summary.failed > 0 {
                        throw IngestError(
                            .usage,
                            "\(path): the photo \(relative) cannot be ingested: \(log.firstFailure ?? "unknown reason")"
                        )
                    }
                    ingested += summary.ingested
                }
                photos.append(ArticlePhotoInput(sha256: sha, caption: image.caption))
            }
        }
        let content = ArticleContent(
            slug: file.slug, headline: file.headline, dateline: file.dateline, byline: file.byline, body: file.body,
            publication: try Publication.frontMatter(status: file.status, published: file.published, name: path))
        let saved = try await desk.saveArticle(content, photos: photos)
        return Outcome(slug: file.slug, created: saved.created, photos: photos.count, ingested: ingested)
    }
}
