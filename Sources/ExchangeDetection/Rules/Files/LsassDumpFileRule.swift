import ExchangeEvidence

/// LSASS memory dumps on disk (`lsass*.dmp`): HAFNIUM dumped LSASS with ProcDump to `C:\windows\temp\lsass…`
/// (MSTIC). Test-ProxyLogon looks for `lsass.*dmp` under `C:\root` and `%WINDIR%\temp`; this rule takes the
/// name anywhere in a listing.
public struct LsassDumpFileRule: DetectionRule {
    public init() {}
    public let id = "files.lsass-dump"
    public let title = "LSASS memory dump on disk"
    public let cves: [String] = []
    public let severity = Severity.high
    public let sources = FilePaths.kinds
    public var needs: EvidenceNeed { .fileListing }
    public let help = "File listings: a file named lsass*dmp (Test-ProxyLogon Get-SuspiciousFile, Type LsassDump)."

    static let pattern = "lsass*dmp".lowerBytes

    public func run(on store: EventStore) -> [Finding] {
        FilePaths.events(store) { ByteMatch.like(Self.pattern, FilePaths.name($0)) }.map { id in
            Finding(self, store: store, events: [id],
                    summary: "\(store.value(.urlStem, id)): LSASS dump file" + WebShellFileRule.details(store, id))
        }
    }
}
