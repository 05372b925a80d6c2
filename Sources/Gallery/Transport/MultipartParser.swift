import Foundation
import NIOCore
import PhotoModel

/// The head of one part of a `multipart/form-data` body (RFC 7578): its field name, the file
/// name the client gave (sanitised: its last path component only) and its content type.
struct MultipartPartHead: Sendable, Equatable {
    /// The form field's name (`name=`).
    var name: String?
    /// The file's name (`filename=` or `filename*=`), nil for a plain field.
    var filename: String?
    /// The part's `Content-Type`.
    var contentType: String?
}

/// What the parser found in the bytes fed to it.
enum MultipartEvent: Sendable, Equatable {
    /// A part begins; its bytes follow.
    case partStarted(MultipartPartHead)
    /// Some of the current part's bytes (a slice of what was fed, not a copy, where it can be).
    case bytes(ByteBuffer)
    /// The current part is complete.
    case partEnded
}

/// A body that is not the `multipart/form-data` it says it is; `message` says what is wrong.
struct MultipartError: PhotodeskError, Equatable {
    var message: String
    var kind: ErrorKind { .invalid }

    init(_ message: String) { self.message = message }
}

/// A streaming parser of `multipart/form-data` bodies (RFC 2046 §5.1.1, RFC 7578): fed the body
/// in chunks of any size, it reports each part's head and bytes as they arrive, never holding
/// more than a delimiter's length of a part's bytes (or, between parts, one part's headers).
struct MultipartParser: Sendable {
    /// How much of a hostile body is accepted before it is refused.
    struct Limits: Sendable {
        /// Parts in one body.
        var maxParts = 1000
        /// Bytes of one part's header block.
        var maxHeaderBytes = 16 << 10
        /// Bytes before the first boundary (the preamble, which is skipped).
        var maxPreambleBytes = 16 << 10

        /// The default limits.
        init() {}
    }

    private enum State: Sendable {
        case preamble(skipped: Int)
        case afterDelimiter
        case headers
        case body
        case epilogue
    }

    /// RFC 2046 §5.1.1: a boundary is 1 to 70 characters.
    static let maxBoundaryLength = 70
    static let crlf: [UInt8] = [13, 10]
    static let headerEnd: [UInt8] = [13, 10, 13, 10]

    /// CRLF, "--" and the boundary: what ends a part.
    private let delimiter: [UInt8]
    private let limits: Limits
    private var state = State.preamble(skipped: 0)
    /// Bytes fed but not yet decided on.
    private var carry: ByteBuffer
    /// Parts begun so far.
    private(set) var parts = 0

    /// A parser for bodies whose parts are separated by `boundary`.
    init(boundary: String, limits: Limits = Limits()) {
        delimiter = Self.crlf + Array("--\(boundary)".utf8)
        self.limits = limits
        // The first delimiter may open the body without a line break before it: a line break is
        // assumed before the first byte, so that one search finds both.
        carry = ByteBuffer(bytes: Self.crlf)
    }

    /// The boundary of a `multipart/form-data` content type, or the error saying what is wrong.
    static func boundary(contentType: String) throws(MultipartError) -> String {
        let parameters = HeaderParameters(contentType)
        guard parameters.value.lowercased() == "multipart/form-data" else {
            throw MultipartError("the content type is \(parameters.value.prefix(100)), not multipart/form-data")
        }
        guard let boundary = parameters["boundary"] else {
            throw MultipartError("the multipart/form-data content type has no boundary= parameter")
        }
        guard (1...maxBoundaryLength).contains(boundary.utf8.count),
            boundary.utf8.allSatisfy({ (32...126).contains($0) }), boundary.utf8.last != 32
        else {
            throw MultipartError(
                "the multipart boundary must be 1 to \(maxBoundaryLength) printable ASCII characters (RFC 2046 5.1.1)")
        }
        return boundary
    }

    /// Whether the closing delimiter has been read.
    var isComplete: Bool {
        if case .epilogue = state { return true }
        return false
    }

    /// Reads the next bytes of the body and reports what they hold.
    mutating func feed(_ chunk: ByteBuffer) throws(MultipartError) -> [MultipartEvent] {
        var input: ByteBuffer
        if carry.readableBytes == 0 {
            input = chunk
        } else {
            input = ByteBufferAllocator().buffer(capacity: carry.readableBytes + chunk.readableBytes)
            input.writeImmutableBuffer(carry)
            input.writeImmutableBuffer(chunk)
        }
        carry = ByteBuffer()
        var events: [MultipartEvent] = []
        while try step(&input, into: &events) {}
        if input.readableBytes > 0 {
            // Copied, so that what is kept does not pin the whole chunk's storage.
            carry = ByteBuffer(bytes: input.readableBytesView)
        }
        return events
    }

    /// Checks that the body ended where a body may end: after its closing delimiter.
    func finish() throws(MultipartError) {
        switch state {
        case .epilogue: return
        case .preamble: throw MultipartError("the body holds no multipart boundary (--BOUNDARY): nothing was sent")
        case .body, .headers, .afterDelimiter:
            throw MultipartError(
                "the body ends in the middle of a part, before the closing --BOUNDARY--: it was cut short")
        }
    }

    /// One step of the state machine; false when it needs more bytes.
    private mutating func step(_ input: inout ByteBuffer, into events: inout [MultipartEvent]) throws(MultipartError)
        -> Bool
    {
        switch state {
        case .preamble(let skipped):
            if let index = Self.find(delimiter, in: input) {
                guard skipped + index <= limits.maxPreambleBytes else { throw preambleError() }
                input.moveReaderIndex(forwardBy: index + delimiter.count)
                state = .afterDelimiter
                return true
            }
            let discard = max(0, input.readableBytes - (delimiter.count - 1))
            input.moveReaderIndex(forwardBy: discard)
            guard skipped + discard <= limits.maxPreambleBytes else { throw preambleError() }
            state = .preamble(skipped: skipped + discard)
            return false
        case .afterDelimiter:
            return try afterDelimiter(&input)
        case .headers:
            guard let head = try headers(&input) else { return false }
            events.append(.partStarted(head))
            state = .body
            return true
        case .body:
            if let index = Self.find(delimiter, in: input) {
                if index > 0, let bytes = input.readSlice(length: index) { events.append(.bytes(bytes)) }
                input.moveReaderIndex(forwardBy: delimiter.count)
                events.append(.partEnded)
                state = .afterDelimiter
                return true
            }
            // Only the last delimiter-length bytes might begin a delimiter: the rest is the part's.
            let safe = input.readableBytes - (delimiter.count - 1)
            if safe > 0, let bytes = input.readSlice(length: safe) { events.append(.bytes(bytes)) }
            return false
        case .epilogue:
            input.moveReaderIndex(forwardBy: input.readableBytes)
            return false
        }
    }

    private func preambleError() -> MultipartError {
        MultipartError(
            "no multipart boundary in the first \(limits.maxPreambleBytes) bytes: the body does not match its boundary= parameter"
        )
    }

    /// After a delimiter: `--` closes the body; otherwise optional white space and CRLF open a part.
    private mutating func afterDelimiter(_ input: inout ByteBuffer) throws(MultipartError) -> Bool {
        let view = input.readableBytesView
        guard view.count >= 2 else { return false }
        if view.starts(with: [45, 45]) {
            input.moveReaderIndex(forwardBy: 2)
            state = .epilogue
            return true
        }
        // RFC 2046 5.1.1 allows transport padding (spaces and tabs) before the line break.
        var offset = view.startIndex
        while offset < view.endIndex, view[offset] == 32 || view[offset] == 9 { offset += 1 }
        let padding = offset - view.startIndex
        guard padding <= 64 else { throw MultipartError("a multipart boundary line goes on past the boundary") }
        guard view.endIndex - offset >= 2 else { return false }
        guard view[offset] == 13, view[offset + 1] == 10 else {
            throw MultipartError("a multipart boundary is followed by something other than a line break or --")
        }
        input.moveReaderIndex(forwardBy: padding + 2)
        parts += 1
        guard parts <= limits.maxParts else {
            throw MultipartError("the body has more than \(limits.maxParts) parts; send the files in several requests")
        }
        state = .headers
        return true
    }

    /// A part's header block, once it is all there; nil while more bytes are needed.
    private func headers(_ input: inout ByteBuffer) throws(MultipartError) -> MultipartPartHead? {
        let view = input.readableBytesView
        if view.count >= 2, view.starts(with: Self.crlf) {
            input.moveReaderIndex(forwardBy: 2)
            throw MultipartError("a multipart part has no Content-Disposition header (RFC 7578 4.2)")
        }
        guard let end = Self.find(Self.headerEnd, in: input) else {
            guard input.readableBytes <= limits.maxHeaderBytes else { throw headerSizeError() }
            return nil
        }
        guard end <= limits.maxHeaderBytes, let block = input.readString(length: end) else { throw headerSizeError() }
        input.moveReaderIndex(forwardBy: Self.headerEnd.count)
        return try Self.head(block)
    }

    private func headerSizeError() -> MultipartError {
        MultipartError("a multipart part's headers are over \(limits.maxHeaderBytes) bytes")
    }

    /// A part's head from its header lines (obsolete folded lines are joined).
    static func head(_ block: String) throws(MultipartError) -> MultipartPartHead {
        var lines: [String] = []
        for line in block.components(separatedBy: "\r\n") {
            if let first = line.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                lines.append(line)
            }
        }
        var head = MultipartPartHead()
        var disposition: HeaderParameters?
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                throw MultipartError("a multipart part's header line has no colon: \(line.prefix(80))")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-disposition": disposition = HeaderParameters(value)
            case "content-type": head.contentType = value
            default: continue
            }
        }
        guard let disposition else {
            throw MultipartError("a multipart part has no Content-Disposition header (RFC 7578 4.2)")
        }
        guard disposition.value.lowercased() == "form-data" else {
            throw MultipartError(
                "a multipart part's Content-Disposition is \(disposition.value.prefix(40)), not form-data (RFC 7578 4.2)"
            )
        }
        head.name = disposition["name"]
        if let extended = disposition["filename*"], let decoded = Self.extendedValue(extended) {
            head.filename = UploadName.sanitised(decoded)
        } else if let plain = disposition["filename"] {
            head.filename = plain.isEmpty ? "" : UploadName.sanitised(plain)
        }
        return head
    }

    /// An RFC 8187 value (`UTF-8''%E1%BA%A2nh.jpg`), decoded; nil when it is not one.
    static func extendedValue(_ text: String) -> String? {
        let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { return nil }
        return String(pieces[2]).removingPercentEncoding
    }

    /// Where `needle` first occurs in the buffer's readable bytes.
    static func find(_ needle: [UInt8], in buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard let base = bytes.baseAddress, let first = needle.first, bytes.count >= needle.count else {
                return nil
            }
            let last = bytes.count - needle.count
            var from = 0
            return needle.withUnsafeBytes { pattern -> Int? in
                guard let pattern = pattern.baseAddress else { return nil }
                while from <= last {
                    guard let hit = memchr(base + from, Int32(first), last - from + 1) else { return nil }
                    let index = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hit, pattern, needle.count) == 0 { return index }
                    from = index + 1
                }
                return nil
            }
        }
    }
}

/// A header value with parameters, as `Content-Type` and `Content-Disposition` have them:
/// `form-data; name="file"; filename="a.jpg"`. Quoted values may hold `;`, `\"` and `\\`.
struct HeaderParameters: Sendable {
    /// The value before the first `;`, trimmed.
    var value: String
    /// The parameters by lower-cased name; the first of a repeated name wins.
    var parameters: [String: String] = [:]

    subscript(name: String) -> String? { parameters[name] }

    init(_ text: String) {
        var scalars = Substring(text).unicodeScalars[...]
        var head = ""
        while let scalar = scalars.first, scalar != ";" {
            head.unicodeScalars.append(scalar)
            scalars.removeFirst()
        }
        value = head.trimmingCharacters(in: .whitespaces)
        while !scalars.isEmpty {
            scalars.removeFirst()  // the ";"
            var name = ""
            while let scalar = scalars.first, scalar != "=", scalar != ";" {
                name.unicodeScalars.append(scalar)
                scalars.removeFirst()
            }
            name = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard scalars.first == "=" else { continue }
            scalars.removeFirst()
            while let scalar = scalars.first, scalar == " " || scalar == "\t" { scalars.removeFirst() }
            var parameter = ""
            if scalars.first == "\"" {
                scalars.removeFirst()
                while let scalar = scalars.first {
                    scalars.removeFirst()
                    if scalar == "\"" { break }
                    // Only \" and \\ are escapes: browsers send Windows paths with bare backslashes.
                    if scalar == "\\", let escaped = scalars.first, escaped == "\"" || escaped == "\\" {
                        scalars.removeFirst()
                        parameter.unicodeScalars.append(escaped)
                    } else {
                        parameter.unicodeScalars.append(scalar)
                    }
                }
                while let scalar = scalars.first, scalar != ";" { scalars.removeFirst() }
            } else {
                while let scalar = scalars.first, scalar != ";" {
                    parameter.unicodeScalars.append(scalar)
                    scalars.removeFirst()
                }
                parameter = parameter.trimmingCharacters(in: .whitespaces)
            }
            if !name.isEmpty, parameters[name] == nil { parameters[name] = parameter }
        }
    }
}
