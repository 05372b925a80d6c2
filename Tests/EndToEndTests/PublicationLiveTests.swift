import Foundation
import PhotoFactory
import Testing

/// Who sees what on the real server while another process (the CLI) publishes, schedules and
/// takes back an article: readers see only what is public at this second, through every route
/// and the renditions' fast path; editors see everything, its renditions cached privately.
@Suite("Publication on the live server", .serialized)
struct PublicationLiveTests {
    /// A library with an editor (and a bearer token), two photos and an article using both.
    struct Newsroom {
        let work: TemporaryFolder
        let library: String
        let slug: String
        let ids: [String]
        let editor: [String: String]

        init(label: String, slug: String, status: String) throws {
            work = try TemporaryFolder(label)
            library = work.path + "/library"
            self.slug = slug
            let added = try Binary.run(
                ["user", "add", "--library", library, "desk", "--role", "editor"], input: "correct horse battery\n")
            #expect(added.status == 0, "\(added.stderr)")
            let issued = try Binary.run(["user", "token", "--library", library, "desk"])
            #expect(issued.status == 0, "\(issued.stderr)")
            editor = ["Authorization": "Bearer " + issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)]

            try SyntheticPhoto(width: 900, height: 600, seed: 71).write(to: work.file("story/boats.jpg"))
            try SyntheticPhoto(width: 600, height: 900, seed: 72).write(to: work.file("story/quay.jpg"))
            let article = work.file("story/\(slug).md")
            try """
            ---
            slug: \(slug)
            headline: Boats at the quay
            \(status)
            ---
            The catch comes in.

            ![Boats come in.](boats.jpg)
            ![The quay at dawn.](quay.jpg)

            """.write(toFile: article, atomically: true, encoding: .utf8)
            let imported = try Binary.run(["article", "import", "--library", library, article])
            #expect(imported.status == 0, "\(imported.stderr)")
            let shown = try Binary.run(["article", "show", "--library", library, slug, "--json"])
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any], "\(shown.stderr)")
            ids = try #require(document["photos"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            #expect(ids.count == 2)
        }

        /// Runs `photodesk article ARGUMENTS...` on the library, as another process beside the
        /// server, and returns as soon as it has exited.
        func article(_ arguments: [String]) throws {
            let run = try Binary.runPromptly(["article"] + arguments + ["--library", library])
            #expect(run.status == 0, "photodesk article \(arguments): \(run.stderr)")
        }
    }

    /// The addresses of an article and of its photos (pages, API entries), without renditions.
    static func pages(_ newsroom: Newsroom) -> [String] {
        ["articles/\(newsroom.slug)", "api/v1/articles/\(newsroom.slug)", "articles/\(newsroom.slug)/feed.xml"]
            + newsroom.ids.flatMap { ["photos/\($0)", "api/v1/assets/\($0)"] }
    }

    /// The renditions of the article's photos, as the editors' API lists them.
    static func renditions(_ server: ServeProcess, _ newsroom: Newsroom) async throws -> [String] {
        var urls: [String] = []
        for id in newsroom.ids {
            let answer = try await LiveHTTP.get(server.address + "api/v1/assets/\(id)", headers: newsroom.editor)
            #expect(answer.status == 200)
            let document = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
            let renditions = try #require(document["renditions"] as? [[String: Any]])
            urls += renditions.compactMap { rendition in
                guard let preset = rendition["preset"] as? String, let format = rendition["format"] as? String else {
                    return nil
                }
                return "r/\(id)/\(preset).\(format == "jpeg" ? "jpg" : format)"
            }
        }
        #expect(urls.count >= 4, "every photo has its renditions")
        return urls
    }

    /// Checks what an anonymous reader gets at each address: `status`, and for renditions the
    /// public, immutable caching when they are served.
    static func expectReaders(
        _ server: ServeProcess, _ addresses: [String], status: Int, _ when: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        for address in addresses {
            let answer = try await LiveHTTP.get(server.address + address)
            #expect(answer.status == status, "\(when): a reader's \(address)", sourceLocation: sourceLocation)
            if address.hasPrefix("r/"), status == 200 {
                #expect(
                    answer.header("Cache-Control") == "public, max-age=31536000, immutable", "\(address)",
                    sourceLocation: sourceLocation)
            }
        }
    }

    /// Checks that an editor sees everything, renditions with private caching while the article
    /// is not public.
    static func expectEditors(
        _ server: ServeProcess, _ newsroom: Newsroom, addresses: [String], renditionsPrivate: Bool, _ when: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        for address in addresses {
            let answer = try await LiveHTTP.get(server.address + address, headers: newsroom.editor)
            #expect(answer.status == 200, "\(when): an editor's \(address)", sourceLocation: sourceLocation)
            if address.hasPrefix("r/") {
                #expect(
                    answer.header("Cache-Control")
                        == (renditionsPrivate ? "private, no-cache" : "public, max-age=31536000, immutable"),
                    "\(when): \(address)", sourceLocation: sourceLocation)
            }
        }
        let list = try await LiveHTTP.get(server.address + "api/v1/articles", headers: newsroom.editor)
        #expect(list.text.contains(newsroom.slug), "\(when): the editors' article list", sourceLocation: sourceLocation)
    }

    /// Whether the site's feed and the readers' article list name the article.
    static func listed(_ server: ServeProcess, _ newsroom: Newsroom) async throws -> (feed: Bool, api: Bool) {
        let feed = try await LiveHTTP.get(server.address + "feed.xml")
        let api = try await LiveHTTP.get(server.address + "api/v1/articles")
        return (feed.text.contains("/articles/\(newsroom.slug)"), api.text.contains(newsroom.slug))
    }

    @Test(
        "unpublished by the CLI, an article, its photos' pages, API entries and renditions are 404 to readers at once, the fast path's too; editors still see all, privately"
    )
    func unpublishHidesAtOnce() async throws {
        let newsroom = try Newsroom(label: "live-unpublish", slug: "boats-at-the-quay", status: "published: 2020-09-21")
        let server = try ServeProcess(library: newsroom.library)
        defer { server.stop() }
        let pages = Self.pages(newsroom)
        let renditions = try await Self.renditions(server, newsroom)

        // Published: readers see all; a second request for each rendition is answered from
        // memory on the event loop (the fast path).
        try await Self.expectReaders(server, pages + renditions, status: 200, "published")
        let before = try await LiveHTTP.renditionsFromMemory(server.address)
        try await Self.expectReaders(server, renditions, status: 200, "published, again")
        #expect(
            try await LiveHTTP.renditionsFromMemory(server.address) == before + renditions.count,
            "the second round of renditions came from memory")
        #expect(try await Self.listed(server, newsroom) == (true, true))

        let held = try await LiveHTTP.renditionsFromMemory(server.address)
        let connection = try RawConnection(server.address)
        #expect(try connection.get("/" + renditions[0]).status == 200)
        try newsroom.article(["unpublish", newsroom.slug])

        // At once, with the renditions still in the server's memory: 404 everywhere.
        for rendition in renditions {
            #expect(try connection.get("/" + rendition).status == 404, "unpublished: a reader's \(rendition) at once")
        }
        try await Self.expectReaders(server, renditions + pages, status: 404, "unpublished")
        #expect(
            try await LiveHTTP.renditionsFromMemory(server.address) == held + 1, "nothing private answered from memory")
        #expect(try await Self.listed(server, newsroom) == (false, false))

        // Editors see it all; the renditions are now cached privately, and readers still get 404.
        try await Self.expectEditors(
            server, newsroom, addresses: pages + renditions, renditionsPrivate: true, "unpublished")
        try await Self.expectReaders(server, renditions, status: 404, "unpublished, after an editor's visit")

        // Published and taken back again and again: each time, the rendition served from memory
        // a moment before is 404 the moment the command has finished.
        let beforeRounds = try await LiveHTTP.renditionsFromMemory(server.address)
        for round in 1...8 {
            try newsroom.article(["publish", newsroom.slug])
            #expect(try connection.get("/" + renditions[0]).status == 200, "round \(round): published")
            #expect(try connection.get("/" + renditions[0]).status == 200, "round \(round): from memory")
            try newsroom.article(["unpublish", newsroom.slug])
            #expect(try connection.get("/" + renditions[0]).status == 404, "round \(round): unpublished, at once")
        }
        #expect(
            try await LiveHTTP.renditionsFromMemory(server.address) == beforeRounds + 8,
            "once a round from memory, never after the unpublish")
    }

    @Test(
        "a draft is 404 to readers; scheduled a few seconds ahead by the CLI it turns public at its second without a restart, feed included; unpublish hides it again"
    )
    func scheduledTurnsPublicAtItsTime() async throws {
        let newsroom = try Newsroom(label: "live-embargo", slug: "quay-embargo", status: "status: draft")
        let server = try ServeProcess(library: newsroom.library)
        defer { server.stop() }
        let pages = Self.pages(newsroom)
        let renditions = try await Self.renditions(server, newsroom)

        // A draft: nothing for readers (the editor's visit above put the renditions in memory).
        try await Self.expectReaders(server, pages + renditions, status: 404, "draft")
        #expect(try await Self.listed(server, newsroom) == (false, false))
        try await Self.expectEditors(server, newsroom, addresses: pages + renditions, renditionsPrivate: true, "draft")

        // Scheduled for a whole second a few seconds ahead.
        let at = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 5).rounded(.up))
        let text = ISO8601DateFormatter().string(from: at)
        try newsroom.article(["publish", newsroom.slug, "--at", text])
        try await Self.expectReaders(server, pages + renditions, status: 404, "scheduled for \(text)")
        #expect(try await Self.listed(server, newsroom) == (false, false))
        try await Self.expectEditors(
            server, newsroom, addresses: pages + renditions, renditionsPrivate: true, "scheduled")
        #expect(Date() < at, "the embargo was checked before it lifted (the checks took too long)")

        // The embargo's second, on the wall clock: no write, no restart, and it is public.
        while Date() < at {
            try await Task.sleep(for: .milliseconds(max(1, Int(at.timeIntervalSinceNow * 1000) + 1)))
        }
        try await Self.expectReaders(server, pages + renditions, status: 200, "after \(text)")
        #expect(try await Self.listed(server, newsroom) == (true, true))
        let before = try await LiveHTTP.renditionsFromMemory(server.address)
        try await Self.expectReaders(server, renditions, status: 200, "after \(text), again")
        #expect(
            try await LiveHTTP.renditionsFromMemory(server.address) == before + renditions.count,
            "public now, the renditions are answered from memory")

        let connection = try RawConnection(server.address)
        #expect(try connection.get("/" + renditions[0]).status == 200)
        try newsroom.article(["unpublish", newsroom.slug])
        for rendition in renditions {
            #expect(try connection.get("/" + rendition).status == 404, "unpublished: a reader's \(rendition) at once")
        }
        try await Self.expectReaders(server, renditions + pages, status: 404, "unpublished")
        #expect(try await Self.listed(server, newsroom) == (false, false))
        try await Self.expectEditors(
            server, newsroom, addresses: pages + renditions, renditionsPrivate: true, "unpublished")
    }
}
