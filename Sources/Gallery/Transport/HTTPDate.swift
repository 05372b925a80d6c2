import Foundation

/// The `Date` header's text (RFC 9110, IMF-fixdate), and the access log's time, made once a second.
enum HTTPDate {
    private static let lock = NSLock()
    // Guarded by `lock`.
    nonisolated(unsafe) private static var second = 0
    nonisolated(unsafe) private static var text = ""
    nonisolated(unsafe) private static var isoSecond = 0
    nonisolated(unsafe) private static var isoText = ""

    /// `2026-11-30T21:43:24Z`.
    static func iso8601() -> String {
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let current = clock.tv_sec
        return lock.withLock {
            if current != isoSecond {
                var time = current
                var parts = tm()
                gmtime_r(&time, &parts)
                isoText = String(
                    format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                    Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
                isoSecond = current
            }
            return isoText
        }
    }

    static func now() -> String {
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let current = clock.tv_sec
        return lock.withLock {
            if current != second {
                var time = current
                var parts = tm()
                gmtime_r(&time, &parts)
                let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
                let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
                func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
                text =
                    "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
                    + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
                second = current
            }
            return text
        }
    }
}
