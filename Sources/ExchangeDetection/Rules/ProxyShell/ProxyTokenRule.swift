import ExchangeEvidence

/// ProxyToken, CVE-2021-33766: a request with a non-empty `SecurityToken` cookie makes the front end hand
/// authentication to a back-end module that is not loaded, so an unauthenticated client can change any
/// mailbox's settings through `/ecp/<victim address>/…` — typically a forwarding inbox rule,
/// `POST /ecp/victim@contoso.com/RulesEditor/InboxRules.svc/NewObject?msExchEcpCanary=…`.
///
/// Fires on ECP requests whose logged cookie (`cs(Cookie)`) carries `SecurityToken=`, and on unauthenticated
/// ECP requests to another mailbox's `/ecp/<address>/…` service path. An administrator opening another
/// mailbox in ECP is authenticated (`cs-username` set) and does not fire. The front end logs the exploit with
/// status 500 although the back end made the change, so the status does not lower the severity.
public struct ProxyTokenRule: DetectionRule {
    public init() {}
    public let id = "proxytoken.ecp"
    public let title = "ProxyToken: unauthenticated ECP change to a mailbox (CVE-2021-33766)"
    public let cves = ["CVE-2021-33766"]
    public let severity = Severity.high
    public let sources = ExplicitLogonRequest.kinds
    public let help = "IIS/HttpProxy: /ecp/ requests with SecurityToken= in the logged line, or unauthenticated requests to /ecp/<address@domain>/<service>.svc/… (InboxRules.svc/NewObject)."

    public func run(on store: EventStore) -> [Finding] {
        let mailboxPath = store.events(where: .urlStem, kinds: sources) { s in
            var decoded = String(decoding: s, as: UTF8.self)
            decoded = (decoded.removingPercentEncoding ?? decoded).lowercased()
            guard decoded.hasPrefix("/ecp/") else { return false }
            let parts = decoded.split(separator: "/")
            return parts.count >= 3 && parts[1].contains("@") && decoded.contains(".svc/")
        }.filter { id in let u = store.value(.user, id); return u.isEmpty || u == "-" }
        // The cookie is in the log only where `cs(Cookie)` is among the fields: only ECP requests of such
        // schemas are searched for it.
        let needle = "securitytoken=".lowerBytes
        let cookieSchemas = Set(store.schemas.indices.filter { store.schemas[$0].names.contains { $0.lowercased().contains("cookie") } })
        let token = cookieSchemas.isEmpty ? [] : store.events(where: .urlStem, kinds: sources) { ByteMatch.hasPrefix("/ecp".lowerBytes, $0) }
            .filter { id in cookieSchemas.contains(Int(store.schema[id])) && store.withRawLine(id) { ByteMatch.find(needle, in: $0) != nil } }
        let hits = Array(Set(mailboxPath + token)).sorted()
        let tokenSet = Set(token)
        return Grouping.bursts(hits, in: store).map { group in
            let victims = Grouping.distinct(group, .urlStem, in: store).compactMap { stem -> String? in
                let parts = (stem.removingPercentEncoding ?? stem).split(separator: "/")
                return parts.count >= 2 && parts[1].contains("@") ? String(parts[1]) : nil
            }
            let tokens = group.filter(tokenSet.contains).count
            return Finding(self, store: store, events: group, summary: RequestMatch.describe(group, store: store)
                               + (victims.isEmpty ? "" : "; mailbox \(victims.prefix(3).joined(separator: ", "))")
                               + (tokens > 0 ? "; SecurityToken= in \(tokens) logged request\(tokens == 1 ? "" : "s")" : "; unauthenticated"))
        }
    }
}
