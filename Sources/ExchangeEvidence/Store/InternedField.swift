/// The fields every reader maps onto, stored interned for every event so that rules, IOC matching
/// and filters work on small integer ids instead of re-parsing lines.
///
/// Only fields with few distinct values belong here. The URL query is not one of them: IIS appends a
/// unique `cafeReqId` to every request, so interning it cost a quarter of the load time and ~40 bytes an
/// event; read it with `EventStore.urlQuery(of:)` after narrowing by URL stem.
public enum InternedField: Int, CaseIterable, Sendable {
    case clientIP, userAgent, urlStem, method, status, user, anchorMailbox, serverBuild

    /// The name used in output and in `--field NAME=VALUE` filters.
    public var name: String {
        switch self {
        case .clientIP: "client_ip"
        case .userAgent: "user_agent"
        case .urlStem: "url_stem"
        case .method: "method"
        case .status: "status"
        case .user: "user"
        case .anchorMailbox: "anchor_mailbox"
        case .serverBuild: "server_build"
        }
    }
}
