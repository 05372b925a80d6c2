/// Where a photo comes from, as far as its rights go: the rules give each photo one.
public enum RightsCategory: String, CaseIterable, Codable, Sendable {
    /// Taken by the desk's own photographers.
    case staff
    /// Commissioned from a freelance for the desk.
    case commissioned
    /// From a news agency (a wire).
    case agency
    /// From a pool, shared among the outlets admitted to an event.
    case pool
    /// Given out by its subject (a government, a company, a club) for publication.
    case handout
    /// Taken from a social network.
    case socialMedia = "social-media"
    /// A picture of a screen (a broadcast, a web page).
    case screenshot
    /// No rule says where it comes from.
    case unknown

    /// The category as an editor reads it: "Social media".
    public var label: String {
        switch self {
        case .staff: "Staff"
        case .commissioned: "Commissioned"
        case .agency: "Agency"
        case .pool: "Pool"
        case .handout: "Handout"
        case .socialMedia: "Social media"
        case .screenshot: "Screenshot"
        case .unknown: "Unknown"
        }
    }
}

/// What running a photo costs the desk.
public enum RightsCost: String, CaseIterable, Codable, Sendable {
    /// Runs freely.
    case free
    /// Runs freely within the restrictions that come with it (a credit, no archive, an embargo).
    case conditional
    /// Runs only under an allowing lease (the desk pays per use or by contract).
    case pay
    /// Does not run, unless an allowing lease clears it.
    case deny

    /// The cost as an editor reads it: "Needs a lease".
    public var label: String {
        switch self {
        case .free: "Free"
        case .conditional: "Free with its restrictions"
        case .pay: "Needs a lease"
        case .deny: "Denied"
        }
    }
}
