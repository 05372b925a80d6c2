/// A rights file refused: the message names the file, the line and the field,
/// `rights.yml line 7: rules[1].cost must be one of free, conditional, pay, deny`.
public struct RightsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The sentence an editor reads.
    public let message: String

    /// Makes an error.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
