import ExchangeEvidence

/// Requests for script pages a standard Exchange install does not have, in the places web shells were
/// planted (`/aspnet_client/…`, `/owa/auth/…`, `/ecp/auth/…`): web-shell use, or a scanner probing for
/// known shell names. A page that answered 2xx exists on the server — someone wrote it there — so that is
/// critical: the server is compromised whether or not the write itself is in the evidence. HelseCERT's victim shows both: `RedirSuiteServerProxy.aspx` (one letter off the real
/// `RedirSuiteServiceProxy.aspx`) answered 200, while probed names like `ErrorAA.aspx` got 302.
public struct WebShellAccessRule: DetectionRule {
    public init() {}
    public let id = "iis.webshell-access"
    public let title = "Request for a web-shell page"
    public let cves: [String] = []
    public let severity = Severity.critical
    public let sources = [SourceKind.iis, .httpProxy]
    public let help = "IIS or HttpProxy requests for .aspx/.ashx/.asmx under /aspnet_client/, /owa/auth/ (non-standard names, Current/, version folders) or /ecp/auth/ (anything but TimeoutLogoff.aspx)."

    public func run(on store: EventStore) -> [Finding] {
        let exts = WebShellPath.scriptExtensions.map(\.lowerBytes)
        let hits = store.events(where: .urlStem, kinds: sources) { bytes in
            exts.contains { ByteMatch.hasSuffix($0, bytes) } && WebShellPath.reason(stem: String(decoding: bytes, as: UTF8.self)) != nil
        }
        return Grouping.bursts(hits, in: store, by: .urlStem, gap: nil).flatMap { page in
            RequestMatch.byOutcome(page, store: store).map { outcome, group in
                let stem = store.value(.urlStem, group[0])
                return Finding(self, store: store, events: group,
                               severity: outcome.severity,
                               title: outcome == .answered ? title : outcome == .unlogged ? "Request for a web-shell page, status not logged"
                                   : "Probe for a web-shell page",
                               summary: "\(group.count) request\(group.count == 1 ? "" : "s") for \(stem) (\(WebShellPath.reason(stem: stem) ?? ""))"
                                   + " from \(Grouping.tally(group, .clientIP, in: store, limit: 4)); status \(Grouping.tally(group, .status, in: store))"
                                   + "; method \(Grouping.tally(group, .method, in: store, limit: 2))")
            }
        }
    }
}
