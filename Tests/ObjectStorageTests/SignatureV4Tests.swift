import Crypto
import Foundation
import ObjectStorage
import Testing

/// The project's Signature V4 against botocore's (`scripts/sigv4-oracle`, botocore from the
/// virtual environment `make test` fills): the cases AWS documents for S3 (the example bucket, its
/// keys and the 2013-05-24 signatures), and the requests Photodesk sends (path-style on a local
/// endpoint, Vietnamese keys, multipart, list pages, session tokens, presigned reads and writes).
@Suite("S3 Signature V4, against botocore")
struct SignatureV4Tests {
    struct Case: Encodable {
        var method: String
        var url: String
        var params: [[String]] = []
        var headers: [[String]] = []
        var body = ""
        var region = "us-east-1"
        var access = "AKIAIOSFODNN7EXAMPLE"
        var secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        var token: String?
        var time = "20130524T000000Z"
        var expires: Int?
    }

    struct Answer: Decodable {
        var authorization: String?
        var contentSHA256: String?
        var query: [[String]]?
    }

    static let cases: [Case] = [
        // AWS's documented examples ("Signature Calculations for the Authorization Header").
        Case(method: "GET", url: "https://examplebucket.s3.amazonaws.com/test.txt", headers: [["Range", "bytes=0-9"]]),
        Case(
            method: "PUT", url: "https://examplebucket.s3.amazonaws.com/test%24file.text",
            headers: [["x-amz-storage-class", "REDUCED_REDUNDANCY"]], body: "Welcome to Amazon S3."),
        Case(method: "GET", url: "https://examplebucket.s3.amazonaws.com/", params: [["lifecycle", ""]]),
        Case(
            method: "GET", url: "https://examplebucket.s3.amazonaws.com/",
            params: [["max-keys", "2"], ["prefix", "J"]]),
        // AWS's documented presigned URL ("Authenticating Requests: Using Query Parameters").
        Case(method: "GET", url: "https://examplebucket.s3.amazonaws.com/test.txt", expires: 86400),
        // What Photodesk sends: path-style on a local endpoint.
        Case(
            method: "PUT",
            url: "http://127.0.0.1:8333/photos/library/originals/%E1%BA%A3nh/H%C3%A0%20N%E1%BB%99i%2001.jpg",
            headers: [["Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="], ["Content-Type", "image/jpeg"]],
            body: "Ảnh Hà Nội", region: "ap-southeast-1", time: "20261208T101500Z"),
        Case(
            method: "GET", url: "http://127.0.0.1:8333/photos/",
            params: [
                ["list-type", "2"], ["prefix", "library/renditions/ab cd/"], ["max-keys", "1000"],
                ["encoding-type", "url"], ["continuation-token", "1/abc+def=="],
            ], time: "20261208T101501Z"),
        Case(
            method: "PUT", url: "http://127.0.0.1:8333/photos/library/originals/big.jpg",
            params: [["partNumber", "2"], ["uploadId", "abc/def=+ghi"]],
            headers: [["Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="]],
            body: String(repeating: "x", count: 300)),
        Case(method: "POST", url: "http://127.0.0.1:8333/photos/library/originals/big.jpg", params: [["uploads", ""]]),
        Case(
            method: "DELETE", url: "http://127.0.0.1:8333/photos/library/originals/big.jpg",
            params: [["uploadId", "abc/def=+ghi"]]),
        Case(method: "HEAD", url: "http://localhost:9000/b-1/a/b/c~d_e.f-g.webp", region: "eu-central-1"),
        Case(
            method: "GET", url: "https://s3.eu-west-1.amazonaws.com/photos/k.jpg",
            headers: [["X-Amz-Meta-Note", "  a  lot\tof   space  "], ["Range", "bytes=100-199"]], region: "eu-west-1",
            token: "FQoGZXIvYXdzEJr//////////wEaDOEXAMPLE+token/with=chars"),
        Case(
            method: "GET", url: "http://127.0.0.1:8333/photos/library/renditions/ab/ab12-thumb.webp",
            region: "us-west-2", time: "20261208T235959Z", expires: 300),
        Case(
            method: "PUT", url: "http://127.0.0.1:8333/photos/library/uploads/%C4%90%C3%A0%20L%E1%BA%A1t.jpg",
            token: "session/token+value=", time: "20261231T000000Z", expires: 900),
    ]

    static func oracle(_ cases: [Case]) throws -> [Answer] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let python = root.appendingPathComponent(".build/venv/bin/python").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("scripts/sigv4-oracle").path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONEncoder().encode(cases))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OracleFailure(
                description: "scripts/sigv4-oracle failed (is botocore in .build/venv? make venv installs it)")
        }
        return try JSONDecoder().decode([Answer].self, from: data)
    }

    struct OracleFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The case as the project's signer sees it.
    static func request(_ item: Case) throws -> (SignatureV4, SignatureV4.Request, Date) {
        let url = try #require(URLComponents(string: item.url))
        let host = try #require(url.host) + (url.port.map { ":\($0)" } ?? "")
        let signer = SignatureV4(
            credentials: S3Credentials(accessKey: item.access, secretKey: item.secret, sessionToken: item.token),
            region: item.region)
        let request = SignatureV4.Request(
            method: item.method, host: host, encodedPath: url.percentEncodedPath,
            query: item.params.map { ($0[0], $0[1]) }, headers: item.headers.map { ($0[0], $0[1]) })
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return (signer, request, try #require(formatter.date(from: item.time)))
    }

    @Test("every case signs as botocore signs it: the Authorization header, the payload hash, presigned queries")
    func againstBotocore() throws {
        let answers = try Self.oracle(Self.cases)
        #expect(answers.count == Self.cases.count)
        var compared = 0
        for (item, answer) in zip(Self.cases, answers) {
            let (signer, request, date) = try Self.request(item)
            if let expires = item.expires {
                let query = signer.presignedQuery(request, expires: expires, at: date)
                let ours = try #require(URLComponents(string: "http://x/?" + query)).queryItems ?? []
                let theirs = try #require(answer.query)
                #expect(
                    Dictionary(uniqueKeysWithValues: ours.map { ($0.name, $0.value ?? "") })
                        == Dictionary(uniqueKeysWithValues: theirs.map { ($0[0], $0[1]) }), "\(item.method) \(item.url)"
                )
            } else {
                let payload = SignatureV4.hex(SHA256.hash(data: Data(item.body.utf8)))
                let headers = signer.sign(request, payloadHash: payload, at: date)
                let authorization = headers.first { $0.0 == "Authorization" }?.1
                #expect(authorization == answer.authorization, "\(item.method) \(item.url)")
                #expect(payload == answer.contentSHA256)
            }
            compared += 1
        }
        #expect(compared == 14)
    }

    @Test("AWS's documented signatures, written down: the ranged GET and the presigned URL")
    func documentedValues() throws {
        let (signer, request, date) = try Self.request(Self.cases[0])
        let headers = signer.sign(request, payloadHash: SignatureV4.emptyPayload, at: date)
        #expect(
            headers.first { $0.0 == "Authorization" }?.1.hasSuffix(
                "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41") == true)
        let (presigner, presigned, at) = try Self.request(Self.cases[4])
        #expect(
            presigner.presignedQuery(presigned, expires: 86400, at: at).contains(
                "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404&"))
    }

    @Test("keys are encoded byte by byte, slashes kept; locations are read or refused with the reason")
    func encodingAndLocations() throws {
        #expect(
            SignatureV4.encode("Hà Nội/ảnh 1.jpg", keepingSlashes: true) == "H%C3%A0%20N%E1%BB%99i/%E1%BA%A3nh%201.jpg")
        #expect(SignatureV4.encode("a+b=c/d~e") == "a%2Bb%3Dc%2Fd~e")
        let location = try S3Location(parsing: "s3://photos/library/?endpoint=http://127.0.0.1:8333&region=eu-west-1")
        #expect(location.bucket == "photos" && location.prefix == "library/" && location.region == "eu-west-1")
        #expect(location.endpoint == "http://127.0.0.1:8333" && location.host == "127.0.0.1:8333")
        #expect(try S3Location(parsing: "s3://photos?endpoint=https://s3.amazonaws.com:443").host == "s3.amazonaws.com")
        for (bad, words) in [
            ("https://photos/x", "is not an S3 location"), ("s3://Photos/x?endpoint=http://h", "bucket name"),
            ("s3://photos/x", "endpoint=URL is needed"), ("s3://photos/x?endpoint=ftp://h", "endpoint=URL is needed"),
            ("s3://photos/x?endpoint=http://h&secret=1", "unknown setting secret"),
            ("s3://photos/x?endpoint=http://user:pw@h", "no credentials"),
            ("s3://photos/x?endpoint=http://h&region=EU%20WEST", "not a region name"),
        ] {
            #expect(throws: S3Error.self) { try S3Location(parsing: bad) }
            do {
                _ = try S3Location(parsing: bad)
            } catch let error as S3Error {
                #expect(error.message.contains(words), "\(bad): \(error.message)")
            } catch {}
        }
    }

    @Test("credentials come from the environment or a file, never from the location")
    func credentials() throws {
        let fromEnvironment = try S3Credentials.load(environment: [
            "AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK", "AWS_SESSION_TOKEN": "",
        ])
        #expect(fromEnvironment == S3Credentials(accessKey: "AK", secretKey: "SK"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("s3-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "[default]\naws_access_key_id = AK2\naws_secret_access_key = SK2\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        #expect(
            try S3Credentials.load(environment: ["PHOTODESK_S3_CREDENTIALS": file])
                == S3Credentials(accessKey: "AK2", secretKey: "SK2"))
        #expect(throws: S3Error.self) { try S3Credentials.load(environment: [:]) }
        #expect(throws: S3Error.self) {
            try S3Credentials.load(environment: ["PHOTODESK_S3_CREDENTIALS": file + ".none"])
        }
    }
}
