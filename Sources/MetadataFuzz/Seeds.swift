import Foundation
import Metadata

/// The seed corpus: one metadata blob of each kind as the project's writers make them, and the
/// HTTP inputs as clients send them (valid ones, and the shapes that broke servers before).
enum Seeds {
    static func write(to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, data) in metadata().merging(http(), uniquingKeysWith: { first, _ in first }) {
            try data.write(to: URL(fileURLWithPath: folder + "/" + name))
        }
    }

    static func metadata() -> [String: Data] {
        var exif = ExifValues()
        exif.make = "Canon"
        exif.dateTimeOriginal = "2020:09:18 09:12:30"
        exif.latitude = -22.8
        exif.longitude = 104.9
        exif.altitude = -3
        exif.userComment = "Ghi chú"
        var iptc = IPTCValues()
        iptc.caption = "Lũng Cú"
        iptc.byline = ["Nguyễn Văn An"]
        iptc.keywords = ["Hà Giang"]
        var xmp = XMPValues()
        xmp.description = "Đồng Văn"
        xmp.creator = ["Trần Thị Bình"]
        xmp.subject = ["chợ"]
        return [
            "exif": ExifWriter.blob(exif), "exif-be": ExifWriter.blob(exif, bigEndian: true),
            "iptc-photoshop": IPTCWriter.photoshopBlock(iptc), "iptc-bare": Data(IPTCWriter.iim(iptc)),
            "xmp": XMPWriter.packet(xmp),
        ]
    }

    static func http() -> [String: Data] {
        let hash = String(repeating: "0123456789abcdef", count: 4)
        let texts: [String: String] = [
            "cursor-search-tier": "t2.1234", "cursor-search-recent": "r.1600416750000_\(hash)",
            "cursor-photo": "1600416750000_\(hash)", "cursor-issue-12": "d7ff0000000000000.i1",
            "range-closed": "bytes=0-1023", "range-open": "bytes=512-", "range-suffix": "bytes=-500",
            "range-several": "bytes=0-0, 5-9,-1", "range-huge": "bytes=0-9223372036854775807",
            "if-match-quoted": "\"3\"", "if-match-weak": "W/\"12\"", "if-match-any": "*",
            "form-caption": "csrf=abc&revision=3&caption=Ch%E1%BB%A3+phi%C3%AAn&keywords=a%2C+b&position=2",
            "form-login": "name=lan&password=a+long+password&csrf=xyz&next=%2Fphotos%3Fmissing%3Dcaption",
            "redirect-local": "/photos?missing=caption", "redirect-tab": "/%09/evil.example/",
            "redirect-backslash": "/\\evil.example", "markdown-inline": "**strong** *em* `code` [link](/photos) _u_",
            "markdown-unbalanced": "**open *em [a](javascript:alert(1)) `x",
            "markdown-local-links": "[a](/photos) [b](/\\x.example) [c](//x.example) [d](#view-2)",
            "xff-chain": "203.0.113.7, 10.0.0.2, 127.0.0.1",
            "xff-v6": "2001:db8::1, ::1",
            "json-caption":
                #"{"caption": "Chợ phiên", "keywords": ["a", "b"], "credit": null, "instructions": "Embargo"}"#,
            "json-caption-keywords-text": #"{"keywords": "a, b; c"}"#, "json-revert": #"{"revision": 3}"#,
            "json-link": #"{"photos": ["0123456789abcdef", "0123"], "position": 1, "caption": "As used"}"#,
            "search-vietnamese": "Đồng Văn chợ phiên", "search-syntax": "ൎ\"ൎ: a* OR NEAR(b c) \"d",
            "integer-limit": "200",
        ]
        return texts.mapValues { Data($0.utf8) }
    }
}
