import ExchangeEvidence

/// ProxyShell's first step, CVE-2021-34473: unauthenticated path-confused `autodiscover.json` requests reaching a
/// back-end path (`/mapi/nspi` to read the victim's LegacyDN and SID, `/ews`, …). Requests carrying `X-Rps-CAT`
/// belong to `proxyshell.powershell`; authenticated ones to ProxyNotShell. A burst aimed only at PowerShell, with
/// neither token nor user, may be either: its finding names both (`PowerShellWithoutUser`).
public struct ProxyShellSSRFRule: DetectionRule {
    public init() {}
    public let id = "proxyshell.ssrf"
    public let title = "ProxyShell SSRF through autodiscover.json (CVE-2021-34473)"
    public let cves = ["CVE-2021-34473"]
    public let severity = Severity.high
    public let sources = ExplicitLogonRequest.kinds
    public let help = "IIS/HttpProxy: /autodiscover/autodiscover.json with '?@domain/<back-end path>' or 'Email=autodiscover/autodiscover.json' in the query, unauthenticated, no X-Rps-CAT."

    public func run(on store: EventStore) -> [Finding] {
        let hits = ExplicitLogonRequest.all(store).filter { !$0.rpsCat && !$0.authenticated }
        return ProxyShellFindings.grouped(hits, rule: self, store: store, naming: PowerShellWithoutUser.naming)
    }
}

/// ProxyShell's second step, CVE-2021-34523: PowerShell remoting reached through the same path confusion with a
/// forged `X-Rps-CAT` token naming an Exchange administrator — from here the attacker runs Exchange cmdlets.
public struct ProxyShellPowerShellRule: DetectionRule {
    public init() {}
    public let id = "proxyshell.powershell"
    public let title = "ProxyShell PowerShell back end with X-Rps-CAT (CVE-2021-34523)"
    public let cves = ["CVE-2021-34473", "CVE-2021-34523"]
    public let severity = Severity.critical
    public let sources = ExplicitLogonRequest.kinds
    public let help = "IIS/HttpProxy: a path-confused autodiscover.json request (or any front-end request) whose query carries X-Rps-CAT=, the token ProxyShell forges for /powershell."

    public func run(on store: EventStore) -> [Finding] {
        var hits = ExplicitLogonRequest.all(store).filter(\.rpsCat)
        // `/powershell?X-Rps-CAT=` logged without the autodiscover.json marker (the HttpProxy PowerShell row):
        // only PowerShell requests' queries are read.
        let known = Set(hits.map(\.id))
        let powershell = "/powershell".lowerBytes
        for id in store.events(where: .urlStem, kinds: sources, { ByteMatch.hasPrefix(powershell, $0) }) where !known.contains(id) {
            let q = store.urlQuery(of: id)
            if q.range(of: "x-rps-cat=", options: .caseInsensitive) != nil {
                hits.append(ExplicitLogonRequest(id: id, query: q, target: store.value(.urlStem, id), rpsCat: true, user: store.value(.user, id),
                                                 decoded: (q.removingPercentEncoding ?? q).lowercased()))
            }
        }
        return ProxyShellFindings.grouped(hits.sorted { $0.id < $1.id }, rule: self, store: store)
    }
}

/// ProxyNotShell, CVE-2022-41040: the same path confusion sent by an authenticated user (any mailbox account
/// suffices) towards `/powershell`, where CVE-2022-41082 runs code; no `X-Rps-CAT` is needed.
public struct ProxyNotShellSSRFRule: DetectionRule {
    public init() {}
    public let id = "proxynotshell.ssrf"
    public let title = "ProxyNotShell SSRF to PowerShell (CVE-2022-41040)"
    public let cves = ["CVE-2022-41040", "CVE-2022-41082"]
    public let severity = Severity.high
    public let sources = ExplicitLogonRequest.kinds
    public let help = "IIS/HttpProxy: an authenticated path-confused autodiscover.json request (no X-Rps-CAT) aimed at /powershell, incl. the /owa/?&Email=autodiscover/autodiscover.json…Powershell variants."

    public func run(on store: EventStore) -> [Finding] {
        let hits = ExplicitLogonRequest.all(store).filter { !$0.rpsCat && $0.authenticated && $0.targetsPowerShell }
        return ProxyShellFindings.grouped(hits, rule: self, store: store)
    }
}

enum ProxyShellFindings {
    /// One finding per server, client IP and burst, high when a request succeeded. `naming` may give a burst
    /// another title, CVEs and a closing note than the rule's (a burst the line alone cannot attribute).
    static func grouped(_ hits: [ExplicitLogonRequest], rule: any DetectionRule, store: EventStore,
                        naming: ([ExplicitLogonRequest]) -> PowerShellWithoutUser.Naming? = { _ in nil }) -> [Finding] {
        guard !hits.isEmpty else { return [] }
        let byID = Dictionary(uniqueKeysWithValues: hits.map { ($0.id, $0) })
        return Grouping.bursts(hits.map(\.id), in: store).map { group in
            let requests = group.compactMap { byID[$0] }
            let named = naming(requests)
            return Finding(rule, store: store, events: group,
                           severity: ExplicitLogonRequest.severity(requests, store: store, high: rule.severity),
                           title: named?.title, cves: named?.cves,
                           summary: ExplicitLogonRequest.describe(requests, store: store) + (named?.note ?? ""))
        }
    }
}
