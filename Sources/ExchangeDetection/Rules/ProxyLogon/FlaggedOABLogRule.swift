import ExchangeEvidence

/// CVE-2021-26858 as Test-ProxyLogon reports it in `SERVER-Cve-2021-26858.log`: the paths of OAB generator logs in
/// which it found a `Download failed and temporary file` path outside the OAB folder (its Get-Cve26858). The same
/// run writes those paths to `-Cve-2021-26858-DownloadPaths.log`, which `proxylogon.oab-download` reads path by
/// path: where that rule has a finding from the paths (or from the flagged log, loaded too), it tells what was
/// written and this second-hand one is not repeated.
public struct FlaggedOABLogRule: DetectionRule {
    public init() {}
    public let id = "proxylogon.flagged-oab-log"
    public let title = "Test-ProxyLogon flagged an OAB generator log: file written outside the OAB folder (CVE-2021-26858)"
    public let cves = ["CVE-2021-26858"]
    public let severity = Severity.high
    public let sources = [SourceKind.flaggedLogFile]
    /// None: a run's output is no log to collect; whether OAB generator logs were there to read is the direct rule's need.
    public var coverageNeeds: [(id: String, need: EvidenceNeed)] { [] }
    public let help = "Test-ProxyLogon's SERVER-Cve-2021-26858.log: OAB generator logs where its Get-Cve26858 found a download path outside ClientAccess\\OAB; not repeated where proxylogon.oab-download reported the paths."
    public var dependsOn: [String] { ["proxylogon.oab-download"] }

    public func run(on store: EventStore) -> [Finding] {
        run(on: store, prior: OABDownloadRule().run(on: store))
    }

    public func run(on store: EventStore, prior: [Finding]) -> [Finding] {
        FlaggedLogFiles.listed(in: store, suffix: "-cve-2021-26858.log").compactMap { entry in
            let server = store.server(of: entry.event)
            let log = FlaggedLogFiles.loaded(entry, kinds: [.oabGenerator, .exchangeLog, .text], in: store)
            let covered = prior.contains { f in
                f.server == server && (f.events.contains { store.kind(of: $0) == .oabDownloadPath } || log.map { FlaggedLogFiles.cites(f, $0, in: store) } == true)
            }
            if covered { return nil }
            let paths = store.files.contains { $0.kind == .oabDownloadPath && $0.server == server }
            let next = log.map { "the log is loaded (\(store.citation(of: $0))) but proxylogon.oab-download found no such path in it: read it" }
                ?? (paths ? "the run's download paths are loaded, but proxylogon.oab-download judged each inside the OAB folder "
                        + "(the script compares with the install path in the registry): read them and load the log"
                    : "neither the log nor the run's -Cve-2021-26858-DownloadPaths.log is loaded — load either to see the path written")
            return Finding(self, store: store, events: [entry.event],
                           summary: "Test-ProxyLogon flagged OAB generator log file \(entry.path): a download path outside the OAB folder "
                               + "was found there (second-hand: the script keeps the file's path, not the line); \(next)")
        }
    }
}
