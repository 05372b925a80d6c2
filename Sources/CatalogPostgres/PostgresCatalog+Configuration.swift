import Catalog
import Foundation
import PostgresNIO

extension PostgresCatalog {
    /// Where the catalog's PostgreSQL server is and how to use it: read from a URL
    /// (`postgres://user[:password]@host[:port]/db`, or a Unix socket directory with
    /// `?host=/dir` or `postgres:///db?host=/dir`), with the pool size and statement timeout as
    /// settings (also `?pool_size=N&statement_timeout=30s` in the URL).
    public struct Configuration: Sendable, Equatable {
        /// How to reach the server.
        public enum Endpoint: Sendable, Equatable {
            /// A host name or address and a port.
            case tcp(host: String, port: Int)
            /// A Unix socket directory (as libpq's `host=/dir`) and the port that names the socket
            /// file in it (`.s.PGSQL.<port>`).
            case unixSocket(directory: String, port: Int)
        }

        /// How to use TLS on a TCP connection (libpq's `sslmode`).
        public enum TLSMode: String, Sendable, Equatable {
            /// Never: the default, for loopback and private networks.
            case disable
            /// When the server offers it.
            case prefer
            /// Always: the connection fails without it.
            case require
        }

        public var endpoint: Endpoint
        public var username: String
        public var password: String?
        public var database: String
        public var tls: TLSMode
        /// Connections the pool may open (listeners for notifications hold one each).
        public var poolSize: Int
        /// Longest a statement may run before the server cancels it; nil for no limit.
        public var statementTimeout: Duration?
        /// Longest to wait for a connection when opening.
        public var connectTimeout: Duration
        /// The name the server shows in `pg_stat_activity`.
        public var applicationName: String

        /// A configuration from its parts.
        public init(
            endpoint: Endpoint, username: String, password: String? = nil, database: String, tls: TLSMode = .disable,
            poolSize: Int = 10, statementTimeout: Duration? = .seconds(30), connectTimeout: Duration = .seconds(10),
            applicationName: String = "photodesk"
        ) {
            self.endpoint = endpoint
            self.username = username
            self.password = password
            self.database = database
            self.tls = tls
            self.poolSize = poolSize
            self.statementTimeout = statementTimeout
            self.connectTimeout = connectTimeout
            self.applicationName = applicationName
        }

        /// Reads a `postgres://` (or `postgresql://`) URL. Without a user name the login name of
        /// this process is used, as libpq does; without a port, 5432. Query settings:
        /// `host` (a socket directory), `sslmode` (disable, prefer, require), `pool_size`,
        /// `statement_timeout` (milliseconds, or with a unit: `500ms`, `30s`, `2min`; 0 for none),
        /// `application_name`. Throws `CatalogError(.open)` saying what is wrong.
        public init(url text: String) throws {
            func refuse(_ problem: String) -> CatalogError {
                CatalogError(
                    .open,
                    "the catalog URL \(Configuration.redacted(text)) \(problem) "
                        + "(expected postgres://user[:password]@host[:port]/database, or postgres:///database?host=/socket/dir)"
                )
            }
            guard let url = URLComponents(string: text) else { throw refuse("is not a valid URL") }
            guard let scheme = url.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
                throw refuse("does not start with postgres://")
            }
            if let port = url.port, !(1...65535).contains(port) {
                throw refuse("names the port \(port), which is not between 1 and 65535")
            }
            let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
            guard !database.isEmpty else { throw refuse("names no database: add /DATABASE after the host") }
            guard !database.contains("/") else { throw refuse("has a path that is not one database name") }
            let environment = ProcessInfo.processInfo.environment
            let username =
                url.user.flatMap { $0.isEmpty ? nil : $0 } ?? environment["USER"] ?? ProcessInfo.processInfo.userName
            var settings = Configuration(
                endpoint: .tcp(host: "127.0.0.1", port: 5432), username: username, password: url.password,
                database: database)
            var socketDirectory: String?
            for item in url.queryItems ?? [] {
                let value = item.value ?? ""
                switch item.name {
                case "host":
                    guard value.hasPrefix("/") else {
                        throw refuse("has host=\(value), which is not an absolute socket directory")
                    }
                    socketDirectory = value
                case "sslmode":
                    guard let mode = TLSMode(rawValue: value) else {
                        throw refuse("has sslmode=\(value); use disable, prefer or require")
                    }
                    settings.tls = mode
                case "pool_size":
                    guard let size = Int(value), (1...1000).contains(size) else {
                        throw refuse("has pool_size=\(value); use a number of connections from 1 to 1000")
                    }
                    settings.poolSize = size
                case "statement_timeout":
                    guard let milliseconds = Configuration.milliseconds(value) else {
                        throw refuse("has statement_timeout=\(value); use milliseconds or a unit (500ms, 30s, 2min)")
                    }
                    settings.statementTimeout = milliseconds == 0 ? nil : .milliseconds(milliseconds)
                case "application_name":
                    settings.applicationName = value
                default:
                    throw refuse(
                        "has the setting \(item.name), which is not one of host, sslmode, pool_size, statement_timeout, application_name"
                    )
                }
            }
            let port = url.port ?? 5432
            let host = url.host ?? ""
            if let socketDirectory {
                settings.endpoint = .unixSocket(directory: socketDirectory, port: port)
            } else if host.hasPrefix("/") {
                settings.endpoint = .unixSocket(directory: host, port: port)
            } else if host.isEmpty {
                throw refuse("names no host: add one, or a socket directory with ?host=/dir")
            } else {
                settings.endpoint = .tcp(host: host, port: port)
            }
            self = settings
        }

        /// The URL with its password hidden, for messages and logs.
        public static func redacted(_ text: String) -> String {
            guard var url = URLComponents(string: text), url.password != nil else { return text }
            url.password = "***"
            return url.string ?? text
        }

        /// Milliseconds from `500`, `500ms`, `30s` or `2min`; nil for anything else.
        static func milliseconds(_ text: String) -> Int? {
            let units: [(suffix: String, factor: Int)] = [("ms", 1), ("min", 60_000), ("s", 1000)]
            for unit in units where text.hasSuffix(unit.suffix) {
                guard let number = Int(text.dropLast(unit.suffix.count)), number >= 0,
                    number <= 86_400_000 / unit.factor
                else { return nil }
                return number * unit.factor
            }
            guard let number = Int(text), (0...86_400_000).contains(number) else { return nil }
            return number
        }

        /// Where the server is, as people read it.
        var place: String {
            switch endpoint {
            case .tcp(let host, let port): "\(host):\(port)"
            case .unixSocket(let directory, let port): "\(directory)/.s.PGSQL.\(port)"
            }
        }

        var startupParameters: [(String, String)] {
            var parameters = [("application_name", applicationName)]
            if let statementTimeout {
                let milliseconds =
                    statementTimeout.components.seconds * 1000
                    + statementTimeout.components.attoseconds / 1_000_000_000_000_000
                parameters.append(("statement_timeout", "\(max(1, milliseconds))"))
            }
            return parameters
        }

        /// The pool's configuration.
        func clientConfiguration() throws -> PostgresClient.Configuration {
            var configuration: PostgresClient.Configuration
            switch endpoint {
            case .tcp(let host, let port):
                let tlsMode: PostgresClient.Configuration.TLS =
                    switch tls {
                    case .disable: .disable
                    case .prefer: .prefer(.makeClientConfiguration())
                    case .require: .require(.makeClientConfiguration())
                    }
                configuration = .init(
                    host: host, port: port, username: username, password: password, database: database, tls: tlsMode)
            case .unixSocket(let directory, let port):
                // postgres-nio takes the socket file, not libpq's directory.
                configuration = .init(
                    unixSocketPath: directory + "/.s.PGSQL.\(port)", username: username, password: password,
                    database: database)
            }
            configuration.options.maximumConnections = max(1, poolSize)
            configuration.options.minimumConnections = 0
            configuration.options.connectTimeout = connectTimeout
            configuration.options.additionalStartupParameters = startupParameters
            return configuration
        }

        /// One connection's configuration (for migrations, before the pool runs; for tools that
        /// need a connection of their own).
        public func connectionConfiguration() throws -> PostgresConnection.Configuration {
            var configuration: PostgresConnection.Configuration
            switch endpoint {
            case .tcp(let host, let port):
                let tlsMode: PostgresConnection.Configuration.TLS =
                    switch tls {
                    case .disable: .disable
                    case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
                    case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                    }
                configuration = .init(
                    host: host, port: port, username: username, password: password, database: database, tls: tlsMode)
            case .unixSocket(let directory, let port):
                configuration = .init(
                    unixSocketPath: directory + "/.s.PGSQL.\(port)", username: username, password: password,
                    database: database)
            }
            let seconds = connectTimeout.components.seconds
            configuration.options.connectTimeout = .seconds(max(1, seconds))
            configuration.options.additionalStartupParameters = startupParameters
            return configuration
        }
    }
}
