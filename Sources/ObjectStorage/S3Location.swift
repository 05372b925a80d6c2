import Foundation

/// Where a library's objects live in S3-compatible storage, as written on the command line or in
/// `$PHOTODESK_STORAGE`: `s3://BUCKET/PREFIX?endpoint=URL&region=R`. The endpoint is the S3
/// service's address (`http://127.0.0.1:8333` for a local SeaweedFS, `https://s3.eu-west-1.amazonaws.com`);
/// requests name the bucket in the path (path-style), which every S3-compatible server accepts.
/// Credentials never appear here: they come from the environment or a file (`S3Credentials.load`).
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    public var bucket: String
    /// The keys' common beginning, without a leading slash, ending with `/` unless empty.
    public var prefix: String
    /// scheme://host[:port], without a path.
    public var endpoint: String
    public var region: String

    public init(bucket: String, prefix: String = "", endpoint: String, region: String = "us-east-1") {
        self.bucket = bucket
        self.prefix = Self.normalised(prefix)
        self.endpoint = endpoint
        self.region = region
    }

    /// Reads `s3://BUCKET/PREFIX?endpoint=URL&region=R`; the error names what is wrong.
    public init(parsing text: String) throws {
        guard text.hasPrefix("s3://"), let components = URLComponents(string: text) else {
            throw S3Error(
                .invalid, "\(text.prefix(200)) is not an S3 location: write s3://BUCKET/PREFIX?endpoint=URL&region=R")
        }
        guard let bucket = components.host, Self.isBucketName(bucket) else {
            throw S3Error(
                .invalid,
                "\(text.prefix(200)): the bucket name must be 3 to 63 lower-case letters, digits, dots and hyphens")
        }
        var endpoint: String?
        var region = "us-east-1"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "endpoint": endpoint = item.value
            case "region": region = item.value ?? region
            default:
                throw S3Error(
                    .invalid,
                    "\(text.prefix(200)): unknown setting \(item.name.prefix(40)) (endpoint and region are known)")
            }
        }
        guard let endpoint, let url = URLComponents(string: endpoint), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty,
            url.path.isEmpty || url.path == "/", url.query == nil, url.user == nil
        else {
            throw S3Error(
                .invalid,
                "\(text.prefix(200)): endpoint=URL is needed, the service's address such as http://127.0.0.1:8333 or https://s3.eu-west-1.amazonaws.com (no path, no credentials)"
            )
        }
        guard region.range(of: "^[a-z0-9-]{1,40}$", options: .regularExpression) != nil else {
            throw S3Error(.invalid, "\(text.prefix(200)): the region \(region.prefix(40)) is not a region name")
        }
        self.init(
            bucket: bucket,
            prefix: String(components.percentEncodedPath.drop { $0 == "/" }).removingPercentEncoding ?? "",
            endpoint: "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")", region: region)
    }

    public var description: String {
        "s3://\(bucket)/\(prefix)?endpoint=\(endpoint)&region=\(region)"
    }

    /// The Host header: the endpoint's host and its port when it is not the scheme's.
    public var host: String {
        let stripped = endpoint.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: true)
        guard stripped.count >= 2 else { return endpoint }
        let authority = String(stripped[1])
        if endpoint.hasPrefix("http://"), authority.hasSuffix(":80") { return String(authority.dropLast(3)) }
        if endpoint.hasPrefix("https://"), authority.hasSuffix(":443") { return String(authority.dropLast(4)) }
        return authority
    }

    static func normalised(_ prefix: String) -> String {
        let trimmed = prefix.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        return trimmed.isEmpty ? "" : trimmed + "/"
    }

    static func isBucketName(_ name: String) -> Bool {
        guard (3...63).contains(name.count), let first = name.first, first.isASCII, first.isLetter || first.isNumber
        else { return false }
        return name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" }
    }
}

extension S3Credentials {
    /// The keys from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`), or
    /// else from the file `PHOTODESK_S3_CREDENTIALS` names: lines `access_key_id = ...`,
    /// `secret_access_key = ...` (and `session_token = ...`), as in an AWS credentials file's
    /// section. Never from the command line, where other users of the machine could read them.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> S3Credentials
    {
        if let access = environment["AWS_ACCESS_KEY_ID"], !access.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        {
            return S3Credentials(
                accessKey: access, secretKey: secret,
                sessionToken: environment["AWS_SESSION_TOKEN"].flatMap {
                    $0.isEmpty ? nil : $0
                })
        }
        guard let path = environment["PHOTODESK_S3_CREDENTIALS"], !path.isEmpty else {
            throw S3Error(
                .denied,
                "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or PHOTODESK_S3_CREDENTIALS to a file with access_key_id = ... and secret_access_key = ..."
            )
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw S3Error(.denied, "the S3 credentials file \(path) cannot be read")
        }
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
            values[name.hasPrefix("aws_") ? String(name.dropFirst(4)) : name] = parts[1].trimmingCharacters(
                in: .whitespaces)
        }
        guard let access = values["access_key_id"], let secret = values["secret_access_key"] else {
            throw S3Error(
                .denied, "the S3 credentials file \(path) has no access_key_id = ... and secret_access_key = ... lines")
        }
        return S3Credentials(accessKey: access, secretKey: secret, sessionToken: values["session_token"])
    }
}
