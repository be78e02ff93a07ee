/// The fields every reader maps onto, stored interned for every event so that rules, IOC matching
/// and filters work on small integer ids instead of re-parsing lines.
public enum InternedField: Int, CaseIterable, Sendable {
    case clientIP, userAgent, urlStem, urlQuery, method, status, user, anchorMailbox, serverBuild

    /// The name used in output and in `--field NAME=VALUE` filters.
    public var name: String {
        switch self {
        case .clientIP: "client_ip"
        case .userAgent: "user_agent"
        case .urlStem: "url_stem"
        case .urlQuery: "url_query"
        case .method: "method"
        case .status: "status"
        case .user: "user"
        case .anchorMailbox: "anchor_mailbox"
        case .serverBuild: "server_build"
        }
    }
}
