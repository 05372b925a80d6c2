import Crypto
import Foundation

/// The keys an S3 request is signed with: an access key id and its secret, and a session token
/// when the keys are temporary.
public struct S3Credentials: Sendable, Equatable {
    public var accessKey: String
    public var secretKey: String
    public var sessionToken: String?

    public init(accessKey: String, secretKey: String, sessionToken: String? = nil) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
    }
}

/// AWS Signature Version 4 for S3, as AWS documents it ("Authenticating Requests: Using the
/// Authorization Header" and "Using Query Parameters"): a canonical request, a string to sign
/// over its SHA-256, and an HMAC-SHA256 chain from the secret through the date, the region, the
/// service and `aws4_request`. Held to botocore's signatures by `SignatureV4Tests`.
public struct SignatureV4: Sendable {
    public var credentials: S3Credentials
    public var region: String
    public var service = "s3"

    /// The payload hash S3 accepts in place of the body's own (presigned URLs; streamed parts are
    /// signed with their hash instead).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The SHA-256 of nothing, the payload hash of a request without a body.
    public static let emptyPayload = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    public static let algorithm = "AWS4-HMAC-SHA256"

    public init(credentials: S3Credentials, region: String) {
        self.credentials = credentials
        self.region = region
    }

    /// A request to sign: the method, the host (with its port when not the scheme's), the path
    /// already encoded (`encodePath`), the query's names and values as they are (encoded here),
    /// and the headers to sign besides those this adds.
    public struct Request: Sendable {
        public var method: String
        public var host: String
        public var encodedPath: String
        public var query: [(String, String)]
        public var headers: [(String, String)]

        public init(
            method: String, host: String, encodedPath: String, query: [(String, String)] = [],
            headers: [(String, String)] = []
        ) {
            self.method = method
            self.host = host
            self.encodedPath = encodedPath
            self.query = query
            self.headers = headers
        }
    }

    /// The headers to send with `request`: x-amz-date, x-amz-content-sha256, the session token
    /// when there is one, and Authorization over them and the request's own headers.
    public func sign(_ request: Request, payloadHash: String, at date: Date) -> [(String, String)] {
        let stamp = Self.timestamp(date)
        var added = [("x-amz-date", stamp), ("x-amz-content-sha256", payloadHash)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        let headers = Self.canonicalHeaders(request.headers + added + [("host", request.host)])
        let canonical = [
            request.method.uppercased(), request.encodedPath, Self.canonicalQuery(request.query),
            headers.map { "\($0.0):\($0.1)\n" }.joined(), headers.map(\.0).joined(separator: ";"), payloadHash,
        ].joined(separator: "\n")
        let scope = self.scope(stamp)
        let signature = self.signature(canonical, stamp: stamp, scope: scope)
        let authorization =
            "\(Self.algorithm) Credential=\(credentials.accessKey)/\(scope), "
            + "SignedHeaders=\(headers.map(\.0).joined(separator: ";")), Signature=\(signature)"
        return added + [("Authorization", authorization)]
    }

    /// A presigned URL's query: the request's own query with the X-Amz-* parameters and the
    /// signature, encoded, for a URL that works without any header for `expires` seconds
    /// (at most a week). Only the host is signed, and the payload is `UNSIGNED-PAYLOAD`.
    public func presignedQuery(_ request: Request, expires: Int, at date: Date) -> String {
        let stamp = Self.timestamp(date)
        let scope = self.scope(stamp)
        var query = request.query
        query += [
            ("X-Amz-Algorithm", Self.algorithm), ("X-Amz-Credential", "\(credentials.accessKey)/\(scope)"),
            ("X-Amz-Date", stamp), ("X-Amz-Expires", String(min(max(expires, 1), 604_800))),
            ("X-Amz-SignedHeaders", "host"),
        ]
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        let canonical = [
            request.method.uppercased(), request.encodedPath, Self.canonicalQuery(query),
            "host:\(request.host)\n", "host", Self.unsignedPayload,
        ].joined(separator: "\n")
        let signature = self.signature(canonical, stamp: stamp, scope: scope)
        return Self.canonicalQuery(query + [("X-Amz-Signature", signature)])
    }

    func scope(_ stamp: String) -> String { "\(stamp.prefix(8))/\(region)/\(service)/aws4_request" }

    func signature(_ canonical: String, stamp: String, scope: String) -> String {
        let stringToSign = [Self.algorithm, stamp, scope, Self.hex(SHA256.hash(data: Data(canonical.utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretKey).utf8))
        for part in [String(stamp.prefix(8)), region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// Names lower-cased, values trimmed with inner runs of spaces made one, sorted by name;
    /// values of a repeated name joined by commas.
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(String, String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            merged[name.lowercased(), default: []].append(words.joined(separator: " "))
        }
        return merged.keys.sorted().map { ($0, merged[$0, default: []].joined(separator: ",")) }
    }

    /// Each name and value encoded, sorted by name then value, joined by `&`.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        query.map { (encode($0.0), encode($0.1)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Percent-encodes every byte but the unreserved characters (RFC 3986: letters, digits,
    /// `-`, `_`, `.`, `~`), and `/` too when `keepingSlashes` (an object key in a path).
    public static func encode(_ text: String, keepingSlashes: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlashes:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// A path of a bucket and key, encoded: `/BUCKET/KEY`.
    public static func encodePath(bucket: String, key: String) -> String {
        "/" + encode(bucket) + (key.isEmpty ? "" : "/" + encode(key, keepingSlashes: true))
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
            parts.tm_min, parts.tm_sec)
    }

    public static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
