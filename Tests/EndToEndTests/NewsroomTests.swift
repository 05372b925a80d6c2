import Foundation
import Metadata
import PhotoFactory
import Testing

@Suite("The newsroom commands", .serialized)
struct NewsroomTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("captions, history, stale edits, $EDITOR, articles, search, usages, removal and exports through the binary")
    func newsroom() throws {
        let work = try TemporaryFolder("e2e-newsroom")
        let library = work.path + "/library"
        for index in 1...3 {
            var photo = SyntheticPhoto(width: 400, height: 300, seed: index)
            var iptc = IPTCValues()
            iptc.caption = ["Phiên chợ Đồng Văn", "Cột cờ Lũng Cú", "Ruộng bậc thang"][index - 1]
            iptc.byline = ["Nguyễn Văn An"]
            photo.iptc = iptc
            try photo.write(to: work.file("story/photos/\(index).jpg"))
        }
        try """
        ---
        slug: border-visit
        headline: Chuyến thăm Hà Giang
        ---
        Đoàn công tác thăm huyện Đồng Văn.

        ![Bộ trưởng tại phiên chợ.](photos/1.jpg)
        ![](photos/2.jpg)
        """.write(toFile: work.file("story/article.md"), atomically: true, encoding: .utf8)
        let imported = try Binary.run(["article", "import", "--library", library, work.path + "/story/article.md"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("created border-visit: 2 photos (2 ingested)"))
        let article = try json(
            try Binary.run(["article", "show", "--library", library, "--json", "border-visit"]).stdout)
        let photos = try #require(article["photos"] as? [[String: Any]])
        #expect(photos.map { $0["caption"] as? String } == ["Bộ trưởng tại phiên chợ.", "Cột cờ Lũng Cú"])
        let first = try #require(photos[0]["id"] as? String)

        let set = try Binary.run([
            "caption", "set", "--library", library, first, "--caption", "Phiên chợ Đồng Văn sáng Chủ nhật",
            "--revision", "1",
        ])
        #expect(set.status == 0 && set.stdout.contains("caption revision 2"), "\(set.stderr)")
        let stale = try Binary.run([
            "caption", "set", "--library", library, first, "--caption", "Một chú thích khác", "--revision", "1",
        ])
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("stored \"Phiên chợ Đồng Văn sáng Chủ nhật\", yours \"Một chú thích khác\""))

        let editor = work.file("editor.sh")
        try "#!/bin/sh\nsed -i 's/^credit: .*/credit: Cổng Thông tin Demo/' \"$1\"\n".write(
            toFile: editor, atomically: true, encoding: .utf8)
        chmod(editor, 0o755)
        let edited = try Binary.run(
            ["caption", "edit", "--library", library, first],
            environment: ["EDITOR": editor, "PHOTODESK_USER": "bien-tap"])
        #expect(edited.status == 0 && edited.stdout.contains("caption revision 3"), "\(edited.stderr)")
        let history = try json(try Binary.run(["caption", "history", "--library", library, "--json", first]).stdout)
        let revisions = try #require(history["revisions"] as? [[String: Any]])
        #expect(revisions.last?["field"] as? String == "credit")
        #expect(revisions.last?["author"] as? String == "bien-tap")
        #expect(revisions.last?["source"] as? String == "cli")

        let codes = work.file("desk.tsv")
        try "=hg=\tHà Giang\n".write(toFile: codes, atomically: true, encoding: .utf8)
        let template = ["--template", "Ảnh {n}, =hg=: {caption}", "--codes", codes, "--field", "headline"]
        let dryRun = try Binary.run(
            ["caption", "apply", "--library", library, "--article", "border-visit", "--dry-run"] + template)
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("after:  Ảnh 2, Hà Giang: Cột cờ Lũng Cú"))
        let second = try #require(photos[1]["id"] as? String)
        #expect(
            !(try Binary.run(["show", "--library", library, "--json", second]).stdout.contains("Ảnh 2")),
            "a dry run changes nothing")
        let applied = try Binary.run(
            ["caption", "apply", "--library", library, "--article", "border-visit"] + template)
        #expect(applied.status == 0 && applied.stdout.contains("\(second): headline revision 2"), "\(applied.stderr)")
        #expect(
            try json(try Binary.run(["show", "--library", library, "--json", second]).stdout)["headline"] as? String
                == "Ảnh 2, Hà Giang: Cột cờ Lũng Cú")

        let search = try json(try Binary.run(["search", "--library", library, "--json", "dong van"]).stdout)
        #expect(search["total"] as? Int == 1)
        #expect((search["results"] as? [[String: Any]])?.first?["id"] as? String == first)
        let todo = try json(
            try Binary.run([
                "search", "--library", library, "--json", "--article", "border-visit", "--missing", "credit",
            ]).stdout)
        #expect(todo["total"] as? Int == 1, "the second photo still lacks a credit")

        let usages = try Binary.run(["usages", "--library", library, first])
        #expect(usages.stdout.contains("border-visit #1: Bộ trưởng tại phiên chợ."))
        let refused = try Binary.run(["remove", "--library", library, first])
        #expect(refused.status == 1 && refused.stderr.contains("--force"))

        let export = try Binary.run([
            "export", "--library", library, "--article", "border-visit", "--format", "csv", "--out", work.path + "/out",
        ])
        #expect(export.status == 0)
        let csv = try String(contentsOfFile: work.path + "/out/photos.csv", encoding: .utf8)
        #expect(csv.contains("Bộ trưởng tại phiên chợ."), "the caption as used in the article")

        let sources = try json(try Binary.run(["show", "--library", library, "--json", "--sources", first]).stdout)
        let raw = try #require(sources["sources"] as? [String: Any])
        #expect((raw["iptc"] as? [String: Any])?["caption"] as? String == "Phiên chợ Đồng Văn")

        let forced = try Binary.run(["remove", "--library", library, "--force", first])
        #expect(forced.status == 0)
        let after = try json(
            try Binary.run(["article", "show", "--library", library, "--json", "border-visit"]).stdout)
        #expect((after["photos"] as? [[String: Any]])?.first?["id"] == nil, "a visible gap where the photo was")
    }
}
