import Foundation
import ExchangeEvidence

/// `POST /ecp/DDI/DDIService.svc/SetObject` with `schema=Reset…VirtualDirectory` in the query: the ECP call
/// that resets the OAB virtual directory and so writes the planted web shell (CVE-2021-27065 step).
/// Source: Sigma `web_cve_2021_26858_iis_rce.yml` (which also asks for status 200; failures are kept at medium).
public struct DDIResetVirtualDirectoryRule: DetectionRule {
    public init() {}
    public let id = "iis.ddi-reset-vdir"
    public let title = "Virtual directory reset through ECP DDIService (CVE-2021-27065)"
    public let cves = ["CVE-2021-27065"]
    public let severity = Severity.high
    public let sources = [SourceKind.iis]
    public let help = "IIS POST /ecp/DDI/DDIService.svc/SetObject with schema=Reset…VirtualDirectory in cs-uri-query."

    static let stem = "/ecp/ddi/ddiservice.svc/setobject".lowerBytes
    static let query = "*schema=reset*virtualdirectory*".lowerBytes

    public func run(on store: EventStore) -> [Finding] {
        let hits = RequestMatch.events(store, postOnly: true,
                                       stem: { $0.count == Self.stem.count && ByteMatch.hasPrefix(Self.stem, $0) },
                                       query: { ByteMatch.like(Self.query, $0) })
        return Grouping.bursts(hits, in: store).map { group in
            let schema = store.urlQuery(of: group[0]).split(separator: "&").first { $0.lowercased().hasPrefix("schema=") } ?? ""
            return Finding(self, store: store, events: group,
                           severity: RequestMatch.succeeded(group, store: store) ? .high : .medium,
                           summary: RequestMatch.describe(group, store: store) + "; \(schema); user \(Grouping.tally(group, .user, in: store, limit: 2))")
        }
    }
}
