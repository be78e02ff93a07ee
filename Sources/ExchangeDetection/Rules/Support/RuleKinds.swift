import ExchangeEvidence

/// Source kinds introduced by readers outside the core set (the EVTX and file-listing readers), named
/// here so rules do not depend on where those readers declare them.
enum RuleKinds {
    /// Windows event log records (EVTX or wevtutil XML), rendered as `Name=Value` lines.
    static let eventLog = SourceKind("eventlog")
    /// `Get-ChildItem | Export-Csv` listings: FullName, Length, CreationTimeUtc, LastWriteTimeUtc.
    static let fileListing = SourceKind("file-listing")
    /// `Get-FileHash | Export-Csv` listings: Algorithm, Hash, Path.
    static let fileHash = SourceKind("file-hash")
    /// Collected copies of web files, one event per file with its content.
    static let webFile = SourceKind("web-file")
}
