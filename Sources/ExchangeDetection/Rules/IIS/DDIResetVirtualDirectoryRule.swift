import Foundation
import ExchangeEvidence

/// `POST /ecp/DDI/DDIService.svc/SetObject` with `schema=Reset…VirtualDirectory` in the query: the ECP call
/// that resets the OAB virtual directory and so writes the planted web shell (CVE-2021-27065 step).
/// Source: Sigma `web_cve_2021_26858_iis_rce.yml` (which also asks for status 200; failures are kept at medium).
/// The SSRF authenticates as the server, so the attack's request runs as the machine account (`cs-username`
/// ending in `$`, as the Sigma rule requires) or shows no user; the same call made by a named user is an
/// admin's "Reset virtual directory" in the ECP and is reported low, so it can be checked, not chased.
public struct DDIResetVirtualDirectoryRule: DetectionRule {
    public init() {}
    public let id = "iis.ddi-reset-vdir"
    public let title = "Virtual directory reset through ECP DDIService (CVE-2021-27065)"
    public let cves = ["CVE-2021-27065"]
    public let severity = Severity.high
    public let sources = [SourceKind.iis]
    public let help = "IIS POST /ecp/DDI/DDIService.svc/SetObject with schema=Reset…VirtualDirectory in cs-uri-query, as the machine account (…$) or no user; a named user's reset is low."

    static let stem = "/ecp/ddi/ddiservice.svc/setobject".lowerBytes
    static let query = "*schema=reset*virtualdirectory*".lowerBytes

    public func run(on store: EventStore) -> [Finding] {
        let hits = RequestMatch.events(store, postOnly: true,
                                       stem: { $0.count == Self.stem.count && ByteMatch.hasPrefix(Self.stem, $0) },
                                       query: { ByteMatch.like(Self.query, $0) })
        // Split before grouping, so an admin's reset never lowers (or raises) the attack's requests beside it.
        let asServer = hits.filter { Self.isServerOrAnonymous(store.value(.user, $0)) }
        let asNamedUser = hits.filter { !Self.isServerOrAnonymous(store.value(.user, $0)) }
        let attack = Grouping.bursts(asServer, in: store).map { group in
            Finding(self, store: store, events: group,
                    severity: RequestMatch.succeeded(group, store: store) ? .high : .medium,
                    summary: Self.describe(group, store: store))
        }
        let admin = Grouping.bursts(asNamedUser, in: store).map { group in
            Finding(self, store: store, events: group, severity: .low,
                    summary: Self.describe(group, store: store)
                        + "; low: run as the named user \(Grouping.distinct(group, .user, in: store).prefix(2).joined(separator: ", "))"
                        + " from \(Grouping.distinct(group, .clientIP, in: store).prefix(2).joined(separator: ", ")),"
                        + " not as the machine account (…$) the SSRF authenticates as: an admin's reset unless the account or address is not known")
        }
        return attack + admin
    }

    /// True for a machine account (`CONTOSO\EX01$`) or no user (empty or `-`): who the SSRF's request runs as.
    static func isServerOrAnonymous(_ user: String) -> Bool {
        user.isEmpty || user == "-" || user.hasSuffix("$")
    }

    /// `POST /ecp/DDI/DDIService.svc/SetObject from … ; schema=ResetOABVirtualDirectory; user CONTOSO\EX01$`
    static func describe(_ group: [EventID], store: EventStore) -> String {
        let schema = store.urlQuery(of: group[0]).split(separator: "&").first { $0.lowercased().hasPrefix("schema=") } ?? ""
        return RequestMatch.describe(group, store: store) + "; \(schema); user \(Grouping.tally(group, .user, in: store, limit: 2))"
    }
}
