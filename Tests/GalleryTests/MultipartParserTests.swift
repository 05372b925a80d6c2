import Foundation
import NIOCore
import Testing

@testable import Gallery

/// A `multipart/form-data` body made in tests, part by part.
struct MultipartBody {
    var boundary = "----photodesk-test-7d1f"
    var bytes: [UInt8] = []

    /// A file part.
    mutating func file(_ filename: String, _ content: [UInt8], field: String = "file", type: String = "image/jpeg") {
        bytes += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n"
                .utf8)
        bytes += content
        bytes += Array("\r\n".utf8)
    }

    /// A plain field.
    mutating func field(_ name: String, _ value: String) {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    /// The body with its closing delimiter.
    var closed: [UInt8] { bytes + Array("--\(boundary)--\r\n".utf8) }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }
}

/// A part as the parser reported it, reassembled.
struct ParsedPart: Equatable {
    var head: MultipartPartHead
    var content: [UInt8]
}

/// Feeds `body` to a parser in chunks of `size` bytes; the parts it reported, or its error.
func parse(_ body: [UInt8], boundary: String, chunk size: Int, limits: MultipartParser.Limits = .init())
    throws(MultipartError) -> [ParsedPart]
{
    var parser = MultipartParser(boundary: boundary, limits: limits)
    var parts: [ParsedPart] = []
    var offset = 0
    var open = false
    while offset < body.count {
        let end = min(offset + size, body.count)
        for event in try parser.feed(ByteBuffer(bytes: body[offset..<end])) {
            switch event {
            case .partStarted(let head):
                #expect(!open, "a part starts before the previous one ended")
                parts.append(ParsedPart(head: head, content: []))
                open = true
            case .bytes(let bytes):
                parts[parts.count - 1].content += Array(bytes.readableBytesView)
            case .partEnded:
                open = false
            }
        }
        offset = end
    }
    try parser.finish()
    return parts
}

@Suite("The multipart parser")
struct MultipartParserTests {
    /// Contents that look like delimiters: a line break and dashes, the boundary without its
    /// line break, a boundary that goes on.
    static let tricky: [UInt8] =
        Array("\r\n--".utf8) + [0, 13, 10, 45, 45, 0] + Array("------photodesk-test-7d1f".utf8) + [0xFF, 0xD8]
        + Array("\r\n------photodesk-test-7d1e".utf8) + Array(repeating: 13, count: 9) + [10]

    static func body() -> MultipartBody {
        var body = MultipartBody()
        body.field("csrf", "token-123")
        body.file("a.jpg", tricky)
        body.file("empty.jpg", [])
        body.file("b.bin", (0..<600).map { UInt8(truncatingIfNeeded: $0 * 7) } + Array("\r\n--".utf8))
        return body
    }

    static func expected() -> [ParsedPart] {
        [
            ParsedPart(head: MultipartPartHead(name: "csrf"), content: Array("token-123".utf8)),
            ParsedPart(
                head: MultipartPartHead(name: "file", filename: "a.jpg", contentType: "image/jpeg"), content: tricky),
            ParsedPart(
                head: MultipartPartHead(name: "file", filename: "empty.jpg", contentType: "image/jpeg"), content: []),
            ParsedPart(
                head: MultipartPartHead(name: "file", filename: "b.bin", contentType: "image/jpeg"),
                content: (0..<600).map { UInt8(truncatingIfNeeded: $0 * 7) } + Array("\r\n--".utf8)),
        ]
    }

    @Test("fed in chunks of every size from 1 byte to the whole body, the parts come out the same")
    func everyChunkSize() throws {
        let body = Self.body()
        let bytes = body.closed
        let expected = Self.expected()
        for size in 1...bytes.count {
            let parts = try parse(bytes, boundary: body.boundary, chunk: size)
            #expect(parts == expected, "chunks of \(size) bytes")
            if parts != expected { break }
        }
    }

    @Test("a part's bytes are handed on as they come: at most a delimiter's length is held back")
    func carryOver() throws {
        var body = MultipartBody()
        let content = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        body.file("big.jpg", content)
        let bytes = body.closed
        let start = bytes.count - content.count - "\r\n--\(body.boundary)--\r\n".utf8.count
        let delimiterLength = "\r\n--\(body.boundary)".utf8.count
        for size in [1, 7, 100, 4096, 65_536] {
            var parser = MultipartParser(boundary: body.boundary)
            var emitted = 0
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + size, bytes.count)
                for case .bytes(let chunk) in try parser.feed(ByteBuffer(bytes: bytes[offset..<end])) {
                    emitted += chunk.readableBytes
                }
                offset = end
                let fedOfPart = min(max(0, end - start), content.count)
                #expect(fedOfPart - emitted <= delimiterLength - 1, "chunks of \(size): \(fedOfPart - emitted) held")
            }
            #expect(emitted == content.count)
        }
    }

    @Test("a preamble, transport padding and an epilogue are skipped; the first boundary may open the body")
    func preambleAndEpilogue() throws {
        let boundary = "xyz"
        let body = Array(
            "This is the preamble.\r\n--xyz \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\none\r\n--xyz\r\ncontent-disposition: form-data; name=b\r\n\r\ntwo\r\n--xyz--\r\nThis is the epilogue, with --xyz in it."
                .utf8)
        for size in 1...body.count {
            let parts = try parse(body, boundary: boundary, chunk: size)
            #expect(parts.map(\.head.name) == ["a", "b"])
            #expect(parts.map { String(decoding: $0.content, as: UTF8.self) } == ["one", "two"])
        }
        let bare = Array("--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xyz--".utf8)
        #expect(try parse(bare, boundary: boundary, chunk: 3).first?.content == [49])
    }

    @Test("file names keep only their last path component, without NUL or control characters")
    func fileNames() throws {
        let cases: [(String, String)] = [
            ("IMG_0001.JPG", "IMG_0001.JPG"), ("../../etc/passwd", "passwd"),
            ("C:\\\\Users\\\\lan\\\\Ảnh 1.jpg", "Ảnh 1.jpg"),
            ("..", "upload"), ("folder/..", "upload"), ("a\u{0}b.jpg", "ab.jpg"), ("x/\u{202E}gpj.exe", "gpj.exe"),
            ("  spaced.jpg  ", "spaced.jpg"),
        ]
        for (sent, kept) in cases {
            let head = try MultipartParser.head("Content-Disposition: form-data; name=\"file\"; filename=\"\(sent)\"")
            #expect(head.filename == kept, "\(sent)")
        }
        let extended = try MultipartParser.head(
            "Content-Disposition: form-data; name=file; filename=\"fallback.jpg\"; filename*=UTF-8''%E1%BA%A2nh%201.jpg"
        )
        #expect(extended.filename == "Ảnh 1.jpg")
        let escaped = try MultipartParser.head(
            "Content-Disposition: form-data; name=file; filename*=utf-8''a%2F..%2F%00b.jpg")
        #expect(escaped.filename == "b.jpg")
        let quoted = try MultipartParser.head("Content-Disposition: form-data; name=\"f\"; filename=\"a\\\"b;c.jpg\"")
        #expect(quoted.filename == "a\"b;c.jpg")
        // Old browsers send a Windows path as it is, its backslashes unescaped.
        let windows = try MultipartParser.head(
            "Content-Disposition: form-data; name=\"f\"; filename=\"C:\\Users\\lan\\IMG_2.jpg\"")
        #expect(windows.filename == "IMG_2.jpg")
        #expect(UploadName.fileExtension("IMG_0001.JPG") == "jpg")
        #expect(UploadName.fileExtension("archive.tar.gz") == "gz")
        #expect(UploadName.fileExtension(".hidden") == nil)
        #expect(UploadName.fileExtension("x.j p g") == nil)
    }

    @Test("the boundary comes from the content type, and a bad one is refused")
    func boundaries() throws {
        #expect(try MultipartParser.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(
            try MultipartParser.boundary(contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\"")
                == "a b:c")
        for bad in [
            "multipart/form-data", "multipart/form-data; boundary=", "multipart/mixed; boundary=abc",
            "multipart/form-data; boundary=" + String(repeating: "x", count: 71),
        ] {
            #expect(throws: MultipartError.self, "\(bad)") { try MultipartParser.boundary(contentType: bad) }
        }
    }

    @Test("malformed bodies are refused with what is wrong: cut short, no boundary, too many parts, huge headers")
    func malformed() throws {
        let body = Self.body()
        let closed = body.closed
        func message(_ bytes: [UInt8], limits: MultipartParser.Limits = .init()) -> String? {
            do {
                _ = try parse(bytes, boundary: body.boundary, chunk: 1000, limits: limits)
                return nil
            } catch {
                return error.message
            }
        }
        for cut in [closed.count - 3, closed.count / 2, 60] {
            #expect(message(Array(closed.prefix(cut)))?.contains("cut short") == true, "cut at \(cut)")
        }
        #expect(message([])?.contains("no multipart boundary") == true)
        #expect(message(Array(repeating: 65, count: 40_000))?.contains("no multipart boundary") == true)
        var many = MultipartBody()
        for index in 0..<2000 { many.file("\(index).jpg", [1, 2, 3]) }
        #expect(message(many.closed)?.contains("more than 1000 parts") == true)
        var huge = MultipartBody()
        huge.bytes += Array("--\(huge.boundary)\r\nX-Filler: \(String(repeating: "y", count: 20_000))\r\n\r\n".utf8)
        #expect(message(huge.closed)?.contains("headers are over") == true)
        var headless = MultipartBody()
        headless.bytes += Array("--\(headless.boundary)\r\nContent-Type: image/jpeg\r\n\r\nxx\r\n".utf8)
        #expect(message(headless.closed)?.contains("no Content-Disposition") == true)
        let garbage = Array("--\(body.boundary)XYZ\r\n".utf8)
        #expect(message(garbage)?.contains("followed by something other") == true)
    }
}
