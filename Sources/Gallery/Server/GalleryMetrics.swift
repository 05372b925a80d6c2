import Catalog
import Foundation
import HTTPTypes
import Hummingbird

/// Request counts and latencies for `/metrics`, kept in memory (Prometheus text format).
final class GalleryMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private struct Key: Hashable {
        var method: String
        var route: String
        var status: Int
    }
    private struct Latency {
        var buckets: [Int]
        var sum: Double = 0
        var count = 0

        mutating func add(_ seconds: Double) {
            for (index, bound) in GalleryMetrics.bounds.enumerated() where seconds <= bound { buckets[index] += 1 }
            sum += seconds
            count += 1
        }
    }
    static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    private var requests: [Key: Int] = [:]
    private var latencies: [String: Latency] = [:]
    private var bytesSent = 0
    private var logins = (succeeded: 0, failed: 0, refused: 0)
    let started = Date()

    /// Renditions answered from memory by the fast path, before the router.
    private var fromMemory = 0

    func record(method: String, route: String, status: Int, seconds: Double, bytes: Int, fromMemory: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        if fromMemory { self.fromMemory += 1 }
        requests[Key(method: method, route: route, status: status), default: 0] += 1
        // Updated in place: taking the value out and putting it back would copy its buckets.
        latencies[route, default: Latency(buckets: Array(repeating: 0, count: Self.bounds.count))].add(seconds)
        bytesSent += bytes
    }

    /// Readers' cacheable requests, answered from the reader cache or made.
    private var cacheHits = 0
    private var cacheMisses = 0

    func readerCache(hit: Bool) {
        lock.withLock {
            if hit { cacheHits += 1 } else { cacheMisses += 1 }
        }
    }

    func loginSucceeded() { lock.withLock { logins.succeeded += 1 } }
    func loginFailed() { lock.withLock { logins.failed += 1 } }
    func loginRefused() { lock.withLock { logins.refused += 1 } }

    /// The exposition text, with the catalog's counts.
    func exposition(catalog: CatalogStatistics, queue: [JobState: Int]? = nil) -> String {
        lock.lock()
        defer { lock.unlock() }
        var lines: [String] = []
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        func metric(_ name: String, _ type: String, _ help: String) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
        }
        metric("photodesk_http_requests_total", "counter", "HTTP requests answered, by method, route and status.")
        for (key, count) in requests.sorted(by: {
            ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status)
        }) {
            lines.append(
                "photodesk_http_requests_total{method=\"\(key.method)\",route=\"\(escape(key.route))\",status=\"\(key.status)\"} \(count)"
            )
        }
        metric("photodesk_http_request_duration_seconds", "histogram", "Time to answer, by route.")
        for (route, latency) in latencies.sorted(by: { $0.key < $1.key }) {
            let label = "route=\"\(escape(route))\""
            for (index, bound) in Self.bounds.enumerated() {
                lines.append(
                    "photodesk_http_request_duration_seconds_bucket{\(label),le=\"\(bound)\"} \(latency.buckets[index])"
                )
            }
            lines.append("photodesk_http_request_duration_seconds_bucket{\(label),le=\"+Inf\"} \(latency.count)")
            lines.append("photodesk_http_request_duration_seconds_sum{\(label)} \(latency.sum)")
            lines.append("photodesk_http_request_duration_seconds_count{\(label)} \(latency.count)")
        }
        metric(
            "photodesk_http_renditions_from_memory_total", "counter",
            "Rendition requests answered from memory before the router (included in the requests above).")
        lines.append("photodesk_http_renditions_from_memory_total \(fromMemory)")
        metric(
            "photodesk_reader_cache_requests_total", "counter",
            "Readers' requests for pages and API answers that may be cached, by whether the cache answered.")
        lines.append("photodesk_reader_cache_requests_total{result=\"hit\"} \(cacheHits)")
        lines.append("photodesk_reader_cache_requests_total{result=\"miss\"} \(cacheMisses)")
        metric("photodesk_http_response_bytes_total", "counter", "Body bytes sent.")
        lines.append("photodesk_http_response_bytes_total \(bytesSent)")
        metric("photodesk_logins_total", "counter", "Sign-in attempts by outcome.")
        lines.append("photodesk_logins_total{outcome=\"succeeded\"} \(logins.succeeded)")
        lines.append("photodesk_logins_total{outcome=\"failed\"} \(logins.failed)")
        lines.append("photodesk_logins_total{outcome=\"throttled\"} \(logins.refused)")
        let gauges: [(String, String, Double)] = [
            ("photodesk_assets", "Photos in the catalog.", Double(catalog.photos)),
            ("photodesk_ingested_files", "Files ingested (locations known to the catalog).", Double(catalog.locations)),
            ("photodesk_renditions", "Rendition files.", Double(catalog.renditions)),
            ("photodesk_rendition_bytes", "Bytes of rendition files.", Double(catalog.renditionBytes)),
            ("photodesk_articles", "Articles.", Double(catalog.articles)),
            ("photodesk_caption_revisions", "Caption revisions saved.", Double(catalog.captionRevisions)),
            ("photodesk_missing_captions", "Photos without a caption.", Double(catalog.missingCaptions)),
            (
                "photodesk_last_ingest_timestamp_seconds", "When a file was last ingested or seen by an ingest.",
                catalog.lastSeen
            ),
            ("photodesk_start_time_seconds", "When this server started.", started.timeIntervalSince1970),
        ]
        for (name, help, value) in gauges {
            metric(name, "gauge", help)
            lines.append(
                "\(name) \(value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value))")
        }
        if let queue {
            metric("photodesk_jobs", "gauge", "Jobs in the ingest queue, by state.")
            for state in JobState.allCases {
                lines.append("photodesk_jobs{state=\"\(state.rawValue)\"} \(queue[state] ?? 0)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Finds the client's address (through trusted proxies only), counts every request for
/// `/metrics` and queues one access-log line per request (written off the request path by
/// `AccessLog`).
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = GalleryContext
    let metrics: GalleryMetrics
    let log: AccessLog?
    let proxies: TrustedProxies

    func handle(_ request: Request, context: GalleryContext, next: (Request, GalleryContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.clientAddress = proxies.client(
            peer: context.peerAddress, forwardedFor: request.headers[SessionMiddleware.forwardedFor])
        let start = ContinuousClock.now
        var status = 500
        var bytes = 0
        var user: String?
        defer {
            let elapsed = ContinuousClock.now - start
            let seconds =
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let route = context.endpointPath ?? "unmatched"
            metrics.record(
                method: request.method.rawValue, route: route, status: status, seconds: seconds, bytes: bytes)
            log?.append(
                AccessLog.line(
                    method: request.method.rawValue, path: request.uri.path, route: route, status: status,
                    seconds: seconds, bytes: bytes, user: user, client: context.clientAddress, requestID: context.id))
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            bytes = response.body.contentLength ?? 0
            user = response.headers[AccessLogMiddleware.userHeader]
            var cleaned = response
            cleaned.headers[AccessLogMiddleware.userHeader] = nil
            return cleaned
        } catch let error as any HTTPResponseError {
            status = error.status.code
            throw error
        }
    }

    /// Set by the error page middleware so the log names a signed-in user (stripped before sending).
    static let userHeader = HTTPField.Name.constant("X-Photodesk-User")
}
