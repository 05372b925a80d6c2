import Catalog
import CatalogPostgres
import CatalogSQLite
import Desk
import Foundation
import Imaging
import Metadata
import PhotoFactory
import PhotoModel
import PostgresNIO

/// A catalog as it grows: the same reader pages and commands measured on catalogs of 10,000,
/// 100,000 and 1,000,000 photos (generated straight into the store, as the search corpora are),
/// on both backends. Photo number `i` is one second newer than the one before; one in ten is
/// private (never published on its own, used by no article); each has a generated caption, a
/// location and three renditions' records; one article in a hundred photos uses five of them,
/// and one article in ten is a draft.
enum GrowthCorpus {
    static let published = SearchCorpus.published
    static let presets: [(name: String, box: Int, format: String)] = [
        ("thumb", 320, "webp"), ("medium", 1024, "webp"), ("large", 2048, "jpg"),
    ]
    static let photosPerArticle = 100
    static let usesPerArticle = 5

    static func sha(_ index: Int) -> String { String(format: "%016x", index + 1) + String(repeating: "e", count: 48) }
    static func isPrivate(_ index: Int) -> Bool { index % 10 == 7 }
    static func isDraft(article: Int) -> Bool { article % 10 == 9 }
    static func slug(_ article: Int) -> String { "growth-\(article)" }

    static func photo(_ index: Int) -> Photo {
        Photo(
            sha256: sha(index), format: "jpeg", bytes: 2_400_000 + index % 1000, width: 6000, height: 4000,
            camera: Camera(make: "Canon", model: "Canon EOS 5D Mark IV"),
            createdAt: published.addingTimeInterval(Double(index)), publishedAt: isPrivate(index) ? nil : published)
    }

    static func location(_ index: Int) -> FileLocation {
        FileLocation(
            path: "/photos/growth/\(index / 1000)/DSC_\(index).jpg", sha256: sha(index), size: 2_400_000,
            modifiedAt: 1_600_000_000, inode: Int64(index + 1), seenAt: published)
    }

    static func renditions(_ index: Int) -> [Rendition] {
        let sha = sha(index)
        return presets.map { preset in
            Rendition(
                sha256: sha, preset: preset.name, format: preset.format, width: preset.box, height: preset.box * 2 / 3,
                bytes: preset.box * 40, path: "renditions/\(sha.prefix(2))/\(sha)-\(preset.name).\(preset.format)",
                fingerprint: "growth")
        }
    }

    /// The articles of a catalog of `count` photos: each uses the first five photos of its hundred.
    static func articleCount(_ count: Int) -> Int { count / photosPerArticle }

    static func article(_ number: Int) -> (ArticleContent, [ArticlePhotoInput]) {
        let subject = SearchCorpus.subjects[number % SearchCorpus.subjects.count]
        let place = SearchCorpus.places[number % SearchCorpus.places.count]
        let content = ArticleContent(
            slug: slug(number), headline: "\(subject) (\(number))", dateline: place, byline: "Nguyễn Văn An",
            body: "Đoàn công tác làm việc tại \(place).\n\nThe delegation met local officials in \(place).",
            publication: isDraft(article: number)
                ? Publication(state: .draft, at: nil, text: nil)
                : Publication(state: .published, at: published, text: nil))
        let photos = (0..<usesPerArticle).map { offset in
            ArticlePhotoInput(
                sha256: sha(number * photosPerArticle + offset), caption: "Ảnh \(offset + 1): \(subject).")
        }
        return (content, photos)
    }

    /// A SQLite library of `count` photos, through the desk's own ingest write and article saves;
    /// built beside its folder and moved into place when complete, and kept between runs.
    static func sqlite(count: Int, at library: Library, log: (String) -> Void) async throws {
        if FileManager.default.fileExists(atPath: library.root + "/growth-complete") { return }
        let partial = library.root + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        let partialLibrary = Library(path: partial)
        let catalog = try SQLiteCatalog(library: partialLibrary)
        let desk = Desk(store: catalog, library: partialLibrary)
        var batch: [IngestedFile] = []
        for index in 0..<count {
            batch.append(
                IngestedFile(
                    photo: photo(index), location: location(index), captions: SearchCorpus.fields(index),
                    captionSource: "embedded", renditions: renditions(index), author: "bench"))
            if batch.count == 10_000 || index == count - 1 {
                try await desk.record(batch)
                batch.removeAll(keepingCapacity: true)
                if (index + 1) % 100_000 == 0 { log("  \(index + 1) photos") }
            }
        }
        for number in 0..<articleCount(count) {
            let (content, photos) = article(number)
            try await desk.saveArticle(content, photos: photos)
        }
        try catalog.close()
        _ = FileManager.default.createFile(atPath: partial + "/growth-complete", contents: Data())
        try? FileManager.default.removeItem(atPath: library.root)
        try FileManager.default.moveItem(atPath: partial, toPath: library.root)
    }

    /// A PostgreSQL catalog of the same photos, written 10,000 at a time with one statement per
    /// table (the rows the store's `record` writes), and the same articles through the desk.
    static func postgres(count: Int, name: String, library: Library, log: (String) -> Void) async throws -> String {
        let url = try await BenchPostgres.freshDatabase(name)
        let catalog = try await PostgresCatalog.open(url: url, logger: BenchPostgres.logger)
        await catalog.shutdown()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await BenchPostgres.connect(url) { connection in
            for start in stride(from: 0, to: count, by: 10_000) {
                let indexes = Array(start..<min(count, start + 10_000))
                let hashes = indexes.map(sha)
                let created = indexes.map { Int64((photo($0).createdAt.timeIntervalSince1970 * 1000).rounded()) }
                let publishedFlags = indexes.map { !isPrivate($0) }
                let fields = try indexes.map {
                    String(decoding: try encoder.encode(SearchCorpus.fields($0)), as: UTF8.self)
                }
                let texts = indexes.map { SearchText.photoText(SearchCorpus.fields($0)) }
                let paths = indexes.map { location($0).path }
                let inodes = indexes.map { Int64($0 + 1) }
                let renditionRows = indexes.flatMap(renditions)
                let publishedAt = published
                try await BenchPostgres.run(connection, "BEGIN")
                _ = try await connection.query(
                    """
                    INSERT INTO asset (sha256, format, bytes, width, height, orientation, camera_make, camera_model,
                      created_at, published_at, public_from)
                    SELECT sha256, 'jpeg', 2400000, 6000, 4000, 1, 'Canon', 'Canon EOS 5D Mark IV',
                      timestamptz 'epoch' + created_ms * interval '1 millisecond',
                      CASE WHEN shown THEN \(publishedAt) END, CASE WHEN shown THEN \(publishedAt) END
                    FROM unnest(\(hashes)::text[], \(created)::bigint[], \(publishedFlags)::boolean[])
                      AS new(sha256, created_ms, shown)
                    """, logger: BenchPostgres.logger
                ).collect()
                try await PostgresSearchCorpus.insertCaptions(
                    connection, hashes: hashes, fields: fields, texts: texts, shown: publishedFlags,
                    publishedAt: publishedAt)
                _ = try await connection.query(
                    """
                    INSERT INTO location (path, sha256, size, modified_at, inode, seen_at)
                    SELECT path, sha256, 2400000, 1600000000, inode, \(publishedAt)
                    FROM unnest(\(paths)::text[], \(hashes)::text[], \(inodes)::bigint[]) AS new(path, sha256, inode)
                    """, logger: BenchPostgres.logger
                ).collect()
                _ = try await connection.query(
                    """
                    INSERT INTO rendition (sha256, preset, format, width, height, bytes, path, fingerprint)
                    SELECT * FROM unnest(\(renditionRows.map(\.sha256))::text[], \(renditionRows.map(\.preset))::text[],
                      \(renditionRows.map(\.format))::text[], \(renditionRows.map(\.width))::int[],
                      \(renditionRows.map(\.height))::int[], \(renditionRows.map(\.bytes))::bigint[],
                      \(renditionRows.map(\.path))::text[], \(renditionRows.map(\.fingerprint))::text[])
                    """, logger: BenchPostgres.logger
                ).collect()
                try await BenchPostgres.run(connection, "COMMIT")
                if (start + 10_000) % 100_000 == 0 { log("  \(start + 10_000) photos") }
            }
        }
        let store = try await PostgresCatalog.open(url: url, logger: BenchPostgres.logger)
        let desk = Desk(store: store, library: library)
        for number in 0..<articleCount(count) {
            let (content, photos) = article(number)
            try await desk.saveArticle(content, photos: photos)
        }
        await store.shutdown()
        try await BenchPostgres.connect(url) { connection in
            try await BenchPostgres.run(connection, "VACUUM (ANALYZE)")
        }
        return url
    }

    /// A PostgreSQL database's size on disk, in bytes.
    static func databaseSize(_ url: String) async throws -> Double {
        final class Box: @unchecked Sendable { var bytes = 0.0 }
        let box = Box()
        try await BenchPostgres.connect(url) { connection in
            let rows = try await connection.query(
                "SELECT pg_database_size(current_database())", logger: BenchPostgres.logger)
            for try await value in rows.decode(Int64.self) { box.bytes = Double(value) }
        }
        return box.bytes
    }

    /// Paths of reader pages to ask for, 200 of each kind where there are as many.
    static func photoPages(count: Int) -> [String] {
        var random = SeededRandom(seed: UInt64(count))
        var paths: [String] = []
        while paths.count < 200 {
            let index = Int(random.next() % UInt64(count))
            if !isPrivate(index) { paths.append("/photos/\(sha(index).prefix(16))") }
        }
        return paths
    }

    static func articlePages(count: Int) -> [String] {
        let articles = articleCount(count)
        var random = SeededRandom(seed: UInt64(count) &+ 1)
        var paths: [String] = []
        while paths.count < 200 {
            let number = Int(random.next() % UInt64(articles))
            if !isDraft(article: number) { paths.append("/articles/\(slug(number))") }
        }
        return paths
    }

    static func searchPages() -> [String] {
        SearchCorpus.queries.map {
            "/search?q=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)
        }
    }

    /// A wrk script that asks for `paths` in turn, each request under a host name of its own (the
    /// reader cache keys pages by host and path), so none is answered from the cache.
    static func script(_ paths: [String], at file: String) throws {
        try """
        local paths = { \(paths.map { "\"\($0)\"" }.joined(separator: ", ")) }
        local run = os.time() .. "x" .. math.random(1000000000)
        local n = 0
        function request()
            n = n + 1
            return wrk.format("GET", paths[(n % #paths) + 1], { ["Host"] = "growth-" .. run .. "-" .. n })
        end
        """.write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// A new JPEG for the one-more-file ingest: a small picture whose description makes its bytes
    /// new every time.
    static func newFile(in folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var picture = SyntheticPhoto(width: 640, height: 427, seed: Int.random(in: 1...1_000_000))
        picture.noise = 22
        let image = try picture.uprightImage()
        var exif = ExifValues()
        exif.make = "Canon"
        exif.model = "Canon EOS 5D Mark IV"
        exif.dateTimeOriginal = "2026:12:08 10:00:00"
        exif.imageDescription = "Growth bench \(UUID().uuidString)"
        image.setBlob("exif-data", ExifWriter.blob(exif))
        let path = folder + "/\(UUID().uuidString).jpg"
        try image.write(to: path, as: .jpeg, quality: 90, keepMetadata: true)
        return path
    }
}
