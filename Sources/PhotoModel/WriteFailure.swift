import Foundation

/// Why the system refused a write, in words a site operator acts on: the system's own reason,
/// then what it means for the library ("no space left on device (the library's disk is full)").
/// Every write of the library (renditions, the catalog, uploads, exports) says its failure
/// through this one table, so a full disk reads the same wherever it is met.
public enum WriteFailure {
    /// The errors a write meets that have a meaning for the library, with that meaning.
    static let meanings: [(code: Int32, meaning: String)] = [
        (ENOSPC, "the library's disk is full"),
        (EDQUOT, "the library's disk quota is used up"),
        (EFBIG, "the file is larger than the disk allows"),
        (EROFS, "the library's disk is mounted read-only"),
        (EACCES, "check the library's owner and permissions"),
        (EPERM, "check the library's owner and permissions"),
        (EIO, "the disk reported an error: check its health"),
    ]

    /// Whether the error means there is no room (a full disk or a used-up quota).
    public static func isFull(_ code: Int32) -> Bool { code == ENOSPC || code == EDQUOT }

    /// The system's reason for `code`, lower-cased, with its meaning for the library when it has
    /// one: "no space left on device (the library's disk is full)".
    public static func words(_ code: Int32) -> String {
        let system = String(cString: strerror(code))
        let reason = system.prefix(1).lowercased() + system.dropFirst()
        guard let meaning = meanings.first(where: { $0.code == code })?.meaning else { return reason }
        return "\(reason) (\(meaning))"
    }

    /// Whether a message says a write found no room, in the words `words` gives a full disk or a
    /// used-up quota (or an ingest's "not tried" after one).
    public static func saysFull(_ message: String) -> Bool {
        message.contains("(the library's disk is full)") || message.contains("(the library's disk quota is used up)")
            || message.hasPrefix("not tried: the library's disk is full")
    }

    /// The error a library's message names by the system's words for it ("... unix error: No
    /// space left on device", SQLite's "database or disk is full"), if it names one of
    /// `meanings`.
    public static func code(in text: String) -> Int32? {
        if text.contains("database or disk is full") { return ENOSPC }
        return meanings.first { text.contains(String(cString: strerror($0.code))) }?.code
    }
}
