import ExchangeEvidence

/// The evidence a rule cannot run without, declared as data so that any rule — built in, Sigma, YARA —
/// says what it needs and `hunt`, `sources` and the report can tell "found nothing" from "could not look".
///
/// `kinds` are alternatives: any one of them loaded for a server lets the rule run there. Rules needing
/// the same evidence share a `label` and form a family ("event logs": the UM and process rules).
public struct EvidenceNeed: Sendable, Hashable {
    /// What to collect, as a responder says it: `HttpProxy logs`, `a file listing`.
    public let label: String
    public let kinds: [SourceKind]
    /// True for logs covering a period (they must reach back before the campaign and up to the patch);
    /// false for snapshots such as a file listing, which show the state at collection time.
    public let spansTime: Bool
    /// For kinds listed here, only files of these channels (lower-cased) count: a Sigma rule for Sysmon's
    /// `dns_query` cannot run on a server whose only event log is Security. Kinds not listed: any channel.
    public let channels: [SourceKind: [String]]

    public init(_ label: String, kinds: [SourceKind], spansTime: Bool = true, channels: [SourceKind: [String]] = [:]) {
        self.label = label
        self.kinds = kinds
        self.spansTime = spansTime
        self.channels = channels
    }

    /// Whether loaded evidence of `kind` and `channel` lets the rule run.
    public func accepts(kind: SourceKind, channel: String) -> Bool {
        guard kinds.contains(kind) else { return false }
        guard let only = channels[kind] else { return true }
        return only.contains(channel.lowercased())
    }

    public static let httpProxy = EvidenceNeed("HttpProxy logs", kinds: [.httpProxy])
    public static let iis = EvidenceNeed("IIS logs", kinds: [.iis])
    public static let webLogs = EvidenceNeed("IIS or HttpProxy logs", kinds: [.iis, .httpProxy])
    public static let ecp = EvidenceNeed("ECP logs", kinds: [.ecpServer, .ecpActivity])
    public static let oabGenerator = EvidenceNeed("OAB generator logs", kinds: [.oabGenerator])
    public static let eventLogs = EvidenceNeed("event logs", kinds: [.eventLog])
    public static let fileListing = EvidenceNeed("a file listing", kinds: FilePaths.kinds, spansTime: false)
    public static let webFiles = EvidenceNeed("collected web files", kinds: [.webFile], spansTime: false)
    /// Where Exchange records the cmdlets it ran: the `MSExchange Management` event log, the Rps cmdlet log (an
    /// Exchange CSV log, counted only from its `Cmdlet` folder: other Exchange logs hold no cmdlets) and ECP's logs.
    public static let cmdletLogs = EvidenceNeed("Rps Cmdlet, ECP or event logs", kinds: [.eventLog, .exchangeLog, .ecpServer, .ecpActivity],
                                                channels: [.exchangeLog: ["cmdlet"]])
    /// The needs with a name of their own.
    static let namedNeeds = [httpProxy, iis, webLogs, ecp, oabGenerator, eventLogs, fileListing, webFiles, rpsCmdletLogs]
    /// The kinds some named need reads.
    static let namedKinds = Set(namedNeeds.flatMap(\.kinds))

    /// The need of a name of its own whose kinds are `kinds`, if any.
    static func named(_ kinds: [SourceKind]) -> EvidenceNeed? { namedNeeds.first { Set($0.kinds) == Set(kinds) } }

    /// The Rps cmdlet log alone: how coverage names it beside ECP and event logs already named.
    public static let rpsCmdletLogs = EvidenceNeed("Rps Cmdlet logs", kinds: [.exchangeLog], channels: [.exchangeLog: ["cmdlet"]])

    /// The need a rule has when it declares none: any of the kinds it reads, named after them.
    public static func reading(_ kinds: [SourceKind]) -> EvidenceNeed {
        if let known = named(kinds) { return known }
        return EvidenceNeed(kinds.map(\.rawValue).joined(separator: " or ") + " logs", kinds: kinds,
                            spansTime: !kinds.allSatisfy { FilePaths.kinds.contains($0) })
    }
}
