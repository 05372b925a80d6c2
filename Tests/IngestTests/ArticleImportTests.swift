import Catalog
import CatalogSQLite
import Desk
import Foundation
import Imaging
import Ingest
import Metadata
import PhotoFactory
import PhotoModel
import Testing

@Suite("Article import")
struct ArticleImportTests {
    @Test("import, edit the Markdown, import again: one article, updated, photos in the new order")
    func roundTrip() async throws {
        let work = try TemporaryFolder("article")
        for index in 1...3 {
            var photo = SyntheticPhoto(width: 300, height: 200, seed: index)
            var iptc = IPTCValues()
            iptc.caption = "Caption of photo \(index)"
            photo.iptc = iptc
            try photo.write(to: work.file("story/photos/\(index).jpg"))
        }
        let library = Library(path: work.path + "/library")
        let desk = Desk(store: try SQLiteCatalog(library: library), library: library)
        let pipeline = Pipeline(
            name: "t", renditions: [RenditionSpec(name: "thumb", width: 100, height: 100, format: .webp, quality: 70)])
        let importer = ArticleImporter(desk: desk, ingester: Ingester(desk: desk, pipeline: pipeline))
        let article = work.file("story/article.md")
        try """
        ---
        slug: border-province-visit
        headline: Bộ trưởng thăm Hà Giang
        dateline: Hà Giang
        published: 2020-09-21
        byline: Nguyễn Văn An
        ---
        Đoàn công tác thăm xã Lũng Cú.

        ![Bộ trưởng trò chuyện với người dân.](photos/1.jpg)
        ![](photos/2.jpg)
        """.write(toFile: article, atomically: true, encoding: .utf8)

        let first = try await importer.importFile(article)
        #expect(first.created && first.photos == 2 && first.ingested == 2)
        var document = try #require(try await desk.article(slug: "border-province-visit", audience: .editors)?.0)
        #expect(document.headline == "Bộ trưởng thăm Hà Giang")
        #expect(document.status == "published", "published: without status: publishes")
        #expect(document.photos.map(\.caption) == ["Bộ trưởng trò chuyện với người dân.", "Caption of photo 2"])

        let third = try await desk.photo(work.path + "/story/photos/1.jpg")
        try """
        ---
        slug: border-province-visit
        headline: Bộ trưởng thăm tỉnh biên giới Hà Giang
        ---
        ![](photos/3.jpg)
        ![Người dân xã Lũng Cú.](asset:\(third.shortId))
        ![](photos/2.jpg)
        """.write(toFile: article, atomically: true, encoding: .utf8)
        let second = try await importer.importFile(article)
        #expect(!second.created && second.photos == 3 && second.ingested == 1)
        #expect(try await desk.articles(limit: 10, audience: .editors).count == 1)
        document = try #require(try await desk.article(slug: "border-province-visit", audience: .editors)?.0)
        #expect(document.headline == "Bộ trưởng thăm tỉnh biên giới Hà Giang")
        #expect(document.status == "published", "a file that says nothing of publication keeps the article's")
        #expect(
            document.photos.map(\.caption) == ["Caption of photo 3", "Người dân xã Lũng Cú.", "Caption of photo 2"])
        #expect(document.photos.map(\.position) == [1, 2, 3])
        #expect(try await desk.usages(of: third.sha256).map(\.caption) == ["Người dân xã Lũng Cú."])
        #expect(
            try await desk.search(SearchQuery(text: "bien gioi"), limit: 10, after: nil, audience: .editors).total == 3,
            "article headlines are searchable")
    }

    @Test("a bad article file is refused with what to fix")
    func badFiles() throws {
        #expect(throws: IngestError.self) { try ArticleFile.parse("no front matter", name: "a.md") }
        #expect(throws: IngestError.self) { try ArticleFile.parse("---\nheadline: x\n---\n", name: "a.md") }
        #expect(throws: IngestError.self) {
            try ArticleFile.parse("---\nslug: Bad Slug\nheadline: x\n---\n", name: "a.md")
        }
        let file = try ArticleFile.parse(
            "---\nslug: s\nheadline: \"Quoted: yes\"\n---\n![a \\] b](<my photo.jpg> \"title\")", name: "a.md")
        #expect(file.headline == "Quoted: yes")
        #expect(file.images == [ArticleFile.Image(source: .path("my photo.jpg"), caption: "a ] b")])
    }

    @Test("a CSV manifest: quoted cells, line breaks, keywords")
    func captionSheet() throws {
        let sheet = try CaptionSheet.parse(
            "file,caption,byline,keywords,article\nphotos/1.jpg,\"Lũng Cú, Hà Giang\",An,\"a; b\",visit\r\nphotos/2.jpg,\"Two\nlines, \"\"quoted\"\"\",,,\n",
            name: "c.csv", folder: "/x")
        #expect(sheet.rows.count == 2)
        #expect(sheet.rows[0].reference == "/x/photos/1.jpg")
        #expect(sheet.rows[0].changes.values[.caption] == "Lũng Cú, Hà Giang")
        #expect(CaptionFields([.keywords: sheet.rows[0].changes.values[.keywords] ?? nil]).keywords == ["a", "b"])
        #expect(sheet.rows[0].article == "visit")
        #expect(sheet.rows[1].changes.values[.caption] == "Two\nlines, \"quoted\"")
        #expect(throws: DeskError.self) { try CaptionSheet.parse("caption\nx\n", name: "c.csv", folder: "/") }
    }

    @Test("photos outside the article's folder are refused by name unless --allow-outside; FIFOs always")
    func outside() async throws {
        let work = try TemporaryFolder("article-outside")
        try SyntheticPhoto(width: 300, height: 200, seed: 1).write(to: work.file("elsewhere/x.jpg"))
        try SyntheticPhoto(width: 300, height: 200, seed: 2).write(to: work.file("story/photos/in.jpg"))
        try FileManager.default.createSymbolicLink(
            atPath: work.path + "/story/photos/link.jpg", withDestinationPath: work.path + "/elsewhere/x.jpg")
        #expect(mkfifo(work.path + "/story/photos/pipe.jpg", 0o600) == 0)
        let library = Library(path: work.path + "/library")
        let desk = Desk(store: try SQLiteCatalog(library: library), library: library)
        let pipeline = Pipeline(
            name: "t", renditions: [RenditionSpec(name: "thumb", width: 100, height: 100, format: .webp, quality: 70)])
        let importer = ArticleImporter(desk: desk, ingester: Ingester(desk: desk, pipeline: pipeline))
        let article = work.file("story/article.md")
        func write(_ image: String) throws {
            try "---\nslug: visit\nheadline: Visit\n---\n![](photos/in.jpg)\n![](\(image))\n".write(
                toFile: article, atomically: true, encoding: .utf8)
        }
        func refusal(allowOutside: Bool = false) async -> String? {
            do {
                _ = try await importer.importFile(article, allowOutside: allowOutside)
                return nil
            } catch {
                return "\(error)"
            }
        }
        let folder = work.path + "/story"
        for image in ["../elsewhere/x.jpg", work.path + "/elsewhere/x.jpg", "photos/link.jpg"] {
            try write(image)
            #expect(
                await refusal()
                    == "\(article): the photo \(image) is outside the article's folder \(folder) (give --allow-outside to import it)"
            )
        }
        #expect(
            try await desk.articles(limit: 10, audience: .editors).isEmpty, "nothing is imported from a refused file")
        try write("photos/pipe.jpg")
        #expect(
            await refusal(allowOutside: true)
                == "\(article): the photo photos/pipe.jpg is not a regular file (a FIFO, device or folder)")
        try write("../elsewhere/x.jpg")
        #expect(await refusal(allowOutside: true) == nil)
        #expect(try await desk.article(slug: "visit", audience: .editors)?.0.photos.count == 2)
    }
}
