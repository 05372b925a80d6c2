import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// An object in the bucket: its key (below the location's prefix), size and ETag.
public struct S3Object: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var etag: String
    /// The SHA-256 the uploader recorded with the object (`x-amz-meta-sha256`); a HEAD's
    /// answer only.
    public var sha256: String?

    public init(key: String, size: Int64, etag: String, sha256: String? = nil) {
        self.key = key
        self.size = size
        self.etag = etag
        self.sha256 = sha256
    }
}

/// An S3 client of its own over AsyncHTTPClient: signed requests (Signature V4) to one bucket,
/// path-style, with every key below the location's prefix. Writes carry Content-MD5 and the
/// body's SHA-256, so the service refuses a body changed on the way; large files go up in parts
/// (multipart upload), one part in memory at a time. A 5xx, 429 or SlowDown answer, a dropped
/// connection or a timeout is tried again after a growing pause (0.2 s, 0.4 s, 0.8 s, with
/// jitter); what still fails is an `S3Error` that names the operation, the object and the
/// service's words.
public final class S3Client: Sendable {
    public let location: S3Location
    let signer: SignatureV4
    let http: HTTPClient
    let timeout: TimeAmount
    let attempts: Int
    /// The part size of multipart uploads, and the largest file sent in one PUT.
    public let partSize: Int

    /// Makes a client.
    public init(
        location: S3Location, credentials: S3Credentials, timeout: TimeAmount = .seconds(60), attempts: Int = 4,
        partSize: Int = 16 << 20
    ) {
        self.location = location
        self.signer = SignatureV4(credentials: credentials, region: location.region)
        // The process-wide client: its connections are pooled across S3Clients, and it needs no
        // shutdown (a client dropped without one would stop the process). Each request carries
        // its own deadline.
        self.http = HTTPClient.shared
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.partSize = max(5 << 20, partSize)
    }

    /// Nothing to release (the HTTP client is the process's shared one); kept so callers can
    /// say when they are done.
    public func shutdown() async throws {}

    /// `s3://bucket/prefix/key`, as messages name an object.
    public func name(_ key: String) -> String { "s3://\(location.bucket)/\(location.prefix)\(key)" }

    // MARK: Objects

    /// Stores bytes under a key; returns the object's ETag.
    @discardableResult
    public func put(_ key: String, _ bytes: ByteBuffer, contentType: String? = nil, sha256: String? = nil) async throws
        -> String
    {
        let answer = try await send(
            "PUT", key: key,
            headers: Self.integrityHeaders(bytes) + Self.describing(contentType: contentType, sha256: sha256),
            body: bytes, what: "could not store")
        return answer.headers.first(name: "etag") ?? ""
    }

    /// Stores a file under a key: one PUT up to `partSize`, a multipart upload above it (one
    /// part read into memory at a time). An upload that fails is aborted, leaving no parts.
    @discardableResult
    public func upload(file path: String, to key: String, contentType: String? = nil, sha256: String? = nil)
        async throws -> String
    {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw S3Error(.invalid, "could not store \(name(key)): the file \(path) cannot be read")
        }
        defer { try? handle.close() }
        let size = Int64(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        if size <= Int64(partSize) {
            let data = try handle.readToEnd() ?? Data()
            return try await put(key, ByteBuffer(bytes: data), contentType: contentType, sha256: sha256)
        }
        let started = try await send(
            "POST", key: key, query: [("uploads", "")],
            headers: Self.describing(contentType: contentType, sha256: sha256), what: "could not start the upload of")
        guard let uploadId = XMLScan.values("UploadId", in: started.text).first, !uploadId.isEmpty else {
            throw S3Error(.refused, "could not start the upload of \(name(key)): the answer names no upload")
        }
        do {
            var etags: [String] = []
            var offset: Int64 = 0
            while offset < size {
                try handle.seek(toOffset: UInt64(offset))
                let data = try handle.read(upToCount: partSize) ?? Data()
                guard !data.isEmpty else {
                    throw S3Error(.invalid, "could not store \(name(key)): \(path) ended early (changed while read?)")
                }
                let bytes = ByteBuffer(bytes: data)
                let part = try await send(
                    "PUT", key: key, query: [("partNumber", String(etags.count + 1)), ("uploadId", uploadId)],
                    headers: Self.integrityHeaders(bytes), body: bytes, what: "could not store a part of")
                etags.append(part.headers.first(name: "etag") ?? "")
                offset += Int64(data.count)
            }
            let list = etags.enumerated().map {
                "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(XMLScan.escape($0.element))</ETag></Part>"
            }.joined()
            let body = ByteBuffer(string: "<CompleteMultipartUpload>\(list)</CompleteMultipartUpload>")
            let done = try await send(
                "POST", key: key, query: [("uploadId", uploadId)], headers: Self.integrityHeaders(body), body: body,
                what: "could not finish the upload of")
            // S3 may answer 200 and still fail the completion, in the body.
            if let code = XMLScan.values("Code", in: done.text).first {
                throw S3Error(
                    S3Error.cause(status: 500, code: code),
                    "could not finish the upload of \(name(key)): \(code): \(XMLScan.values("Message", in: done.text).first ?? "")",
                    status: 200, code: code)
            }
            return XMLScan.values("ETag", in: done.text).first ?? ""
        } catch {
            _ = try? await send(
                "DELETE", key: key, query: [("uploadId", uploadId)], what: "could not abort the upload of", retry: false
            )
            throw error
        }
    }

    /// An object's bytes, or the bytes of `range` (offsets, the end excluded); at most `limit`.
    public func get(_ key: String, range: Range<Int64>? = nil, limit: Int = 256 << 20) async throws -> ByteBuffer {
        var headers: [(String, String)] = []
        if let range, !range.isEmpty { headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")) }
        return try await send("GET", key: key, headers: headers, what: "could not read", limit: limit).body
    }

    /// An object's size and ETag, or nil when there is no such object.
    public func head(_ key: String) async throws -> S3Object? {
        do {
            let answer = try await send("HEAD", key: key, what: "could not look up")
            return S3Object(
                key: key, size: Int64(answer.headers.first(name: "content-length") ?? "") ?? 0,
                etag: answer.headers.first(name: "etag") ?? "", sha256: answer.headers.first(name: "x-amz-meta-sha256"))
        } catch let error as S3Error where error.cause == .notFound {
            return nil
        }
    }

    /// Removes an object (nothing happens when there is none).
    public func delete(_ key: String) async throws {
        do {
            _ = try await send("DELETE", key: key, what: "could not remove")
        } catch let error as S3Error where error.cause == .notFound {
            return
        }
    }

    /// One page of the objects whose keys start with `prefix` (below the location's), in key
    /// order, and the token of the next page when there is one (ListObjectsV2).
    public func list(prefix: String = "", continuation: String? = nil, maxKeys: Int = 1000) async throws -> (
        objects: [S3Object], next: String?
    ) {
        var query = [
            ("list-type", "2"), ("prefix", location.prefix + prefix), ("max-keys", String(min(max(maxKeys, 1), 1000))),
            ("encoding-type", "url"),
        ]
        if let continuation { query.append(("continuation-token", continuation)) }
        let answer = try await send("GET", key: nil, query: query, what: "could not list")
        let text = answer.text
        let objects = XMLScan.blocks("Contents", in: text).compactMap { block -> S3Object? in
            guard let encoded = XMLScan.values("Key", in: block).first,
                let full = encoded.replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                full.hasPrefix(location.prefix)
            else { return nil }
            return S3Object(
                key: String(full.dropFirst(location.prefix.count)),
                size: Int64(XMLScan.values("Size", in: block).first ?? "") ?? 0,
                etag: XMLScan.values("ETag", in: block).first ?? "")
        }
        let truncated = XMLScan.values("IsTruncated", in: text).first == "true"
        return (objects, truncated ? XMLScan.values("NextContinuationToken", in: text).first : nil)
    }

    /// Every object whose key starts with `prefix`, page after page.
    public func listAll(prefix: String = "") async throws -> [S3Object] {
        var objects: [S3Object] = []
        var token: String?
        repeat {
            let page = try await list(prefix: prefix, continuation: token)
            objects += page.objects
            token = page.next
        } while token != nil
        return objects
    }

    /// A URL that reads (or, with "PUT", writes) the object without credentials for `expires`
    /// seconds.
    public func presignedURL(_ key: String, method: String = "GET", expires: Int, at date: Date = Date()) -> String {
        let path = SignatureV4.encodePath(bucket: location.bucket, key: location.prefix + key)
        let query = signer.presignedQuery(
            SignatureV4.Request(method: method, host: location.host, encodedPath: path), expires: expires, at: date)
        return location.endpoint + path + "?" + query
    }

    /// Makes the bucket; one that is already there is fine.
    public func createBucket() async throws {
        do {
            _ = try await send("PUT", key: nil, bucketOnly: true, what: "could not create the bucket of")
        } catch let error as S3Error
            where ["BucketAlreadyOwnedByYou", "BucketAlreadyExists"].contains(error.code ?? "")
        {
            return
        }
    }

    // MARK: Requests

    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
        var text: String { String(buffer: body) }
    }

    static func describing(contentType: String?, sha256: String?) -> [(String, String)] {
        (contentType.map { [("Content-Type", $0)] } ?? []) + (sha256.map { [("x-amz-meta-sha256", $0)] } ?? [])
    }

    static func integrityHeaders(_ bytes: ByteBuffer) -> [(String, String)] {
        let digest = bytes.withUnsafeReadableBytes { Insecure.MD5.hash(data: $0) }
        return [("Content-MD5", Data(digest).base64EncodedString())]
    }

    /// Sends one signed request, again after a pause when the service is busy or unreachable.
    func send(
        _ method: String, key: String?, bucketOnly: Bool = false, query: [(String, String)] = [],
        headers: [(String, String)] = [], body: ByteBuffer? = nil, what: String, limit: Int = 1 << 20,
        retry: Bool = true
    ) async throws -> Answer {
        let objectKey = key.map { location.prefix + $0 }
        let path =
            bucketOnly || objectKey == nil
            ? "/" + SignatureV4.encode(location.bucket) + (bucketOnly ? "" : "/")
            : SignatureV4.encodePath(bucket: location.bucket, key: objectKey ?? "")
        let target = key.map(name) ?? "s3://\(location.bucket)/\(location.prefix)"
        let payloadHash =
            body.map { buffer in SignatureV4.hex(buffer.withUnsafeReadableBytes { SHA256.hash(data: $0) }) }
            ?? SignatureV4.emptyPayload
        let url = location.endpoint + path + (query.isEmpty ? "" : "?" + SignatureV4.canonicalQuery(query))
        var lastError: S3Error?
        for attempt in 0..<(retry ? attempts : 1) {
            if attempt > 0 {
                let pause = 0.2 * pow(2, Double(attempt - 1)) * Double.random(in: 0.8...1.2)
                try await Task.sleep(for: .seconds(pause))
            }
            let signed = signer.sign(
                SignatureV4.Request(
                    method: method, host: location.host, encodedPath: path, query: query, headers: headers),
                payloadHash: payloadHash, at: Date())
            var request = HTTPClientRequest(url: url)
            request.method = HTTPMethod(rawValue: method)
            for (name, value) in headers + signed { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(body) }
            do {
                let response = try await http.execute(request, timeout: timeout)
                let status = Int(response.status.code)
                let bytes =
                    method == "HEAD"
                    ? ByteBuffer() : try await response.body.collect(upTo: status < 300 ? limit : 1 << 20)
                if (200..<300).contains(status) {
                    return Answer(status: status, headers: response.headers, body: bytes)
                }
                let text = String(buffer: bytes)
                let code = XMLScan.values("Code", in: text).first
                let message = XMLScan.values("Message", in: text).first
                let kind = S3Error.cause(status: status, code: code)
                let words = [code, message].compactMap { $0 }.joined(separator: ": ")
                lastError = S3Error(
                    kind,
                    "\(what) \(target): \(status) \(words.isEmpty ? response.status.reasonPhrase : words)\(Self.meaning(kind))",
                    status: status, code: code)
                if kind != .unavailable { break }
            } catch let error as S3Error {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                lastError = S3Error(
                    .unreachable, "\(what) \(target): the service at \(location.endpoint) did not answer (\(error))")
            }
        }
        throw lastError ?? S3Error(.unreachable, "\(what) \(target): no answer")
    }

    static func meaning(_ kind: S3Error.Cause) -> String {
        switch kind {
        case .full: return " (the bucket is full)"
        case .denied: return " (the credentials were refused, or the bucket's policy forbids it)"
        case .unavailable: return " (the service failed or was busy, after retries)"
        default: return ""
        }
    }
}

/// The few XML answers S3 sends, read by tag: values are unescaped, nothing else is interpreted.
enum XMLScan {
    /// The text of every `<tag>...</tag>`, in order, unescaped.
    static func values(_ tag: String, in text: String) -> [String] {
        blocks(tag, in: text).map(unescape)
    }

    /// The inner text of every `<tag>...</tag>`, as it is.
    static func blocks(_ tag: String, in text: String) -> [String] {
        var found: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "<\(tag)>"), let close = rest[open.upperBound...].range(of: "</\(tag)>") {
            found.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return found
    }

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += rest[amp...]
                return out
            }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let number =
                    entity.hasPrefix("#x")
                    ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let number, let scalar = Unicode.Scalar(number) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += rest[amp...semi]
                }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
