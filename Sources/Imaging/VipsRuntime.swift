import CImaging
import Foundation
import Logging

/// The process-wide libvips set-up: initialised once, operation cache off, concurrency 1 per
/// operation, untrusted loaders blocked, and libvips' log messages routed through swift-log.
public enum VipsRuntime {
    private static let logger = Logger(label: "photodesk.vips")

    private static let started: Bool = {
        let handler: pd_log_handler = { level, domain, message in
            let text = message.map { String(cString: $0) } ?? ""
            let source = domain.map { String(cString: $0) } ?? "vips"
            let line = Logger.Message(stringLiteral: text.trimmingCharacters(in: .whitespacesAndNewlines))
            switch level {
            case 0: VipsRuntime.logger.error(line, metadata: ["domain": "\(source)"])
            // libvips warnings name no file and come in floods (libtiff's unknown tags); the
            // per-file outcome carries what matters, so they are notices, shown on request.
            case 1: VipsRuntime.logger.notice(line, metadata: ["domain": "\(source)"])
            case 2: VipsRuntime.logger.info(line, metadata: ["domain": "\(source)"])
            default: VipsRuntime.logger.debug(line, metadata: ["domain": "\(source)"])
            }
        }
        return pd_init(CommandLine.arguments.first ?? "photodesk", handler) == 0
    }()

    /// Starts libvips if it is not started yet. Safe to call from any thread, any number of times.
    public static func start() throws {
        guard started else {
            throw ImagingError(.operation, "libvips could not be initialised", cause: takeError())
        }
    }

    /// The message libvips gave for the last call that failed on this thread, and only for it
    /// (CImaging runs a failed call again alone to keep other jobs' messages out).
    static func takeError() -> String {
        guard let raw = pd_take_error() else { return "" }
        defer { pd_free(raw) }
        return String(cString: raw).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n", with: "; ")
    }
}
