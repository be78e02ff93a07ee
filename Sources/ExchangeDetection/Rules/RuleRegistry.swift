/// Every rule exhunt knows, in the order `rules` lists them. Adding a rule means adding it here, its help
/// page `help/rules/<id>.md`, and its tests.
public enum RuleRegistry {
    public static let standard: [any DetectionRule] = [
        // Test-ProxyLogon parity (and the rows it drops, kept at lower severity)
        SSRFRule(), SSRFAutodiscoverRule(), ScannerProbeRule(), TestAMSIProbeRule(), BackEndCookieRule(),
        UnifiedMessagingRule(), OABDownloadRule(), ECPSetVirtualDirectoryRule(), ResetVirtualDirectoryRule(),
        FlaggedECPLogRule(), FlaggedOABLogRule(),
        LsassDumpFileRule(), ProgramDataArchiveRule(),
        // IIS W3C
        OWAThemesPostRule(), ECPStaticPostRule(), DDIResetVirtualDirectoryRule(), RPCReconRule(), WebShellAccessRule(), WebShellCommandRule(),
        // Files and event logs
        WebShellFileRule(), WebShellContentRule(), WebShellWriteRule(), WebServerChildProcessRule(), LsassDumpProcessRule(),
        SevenZipProgramDataRule(), ExchangeSnapinRule(), CmdletOABScriptRule(), TransportAgentRule(), MailboxForwardingRule(),
        // ProxyShell, ProxyNotShell, OWASSRF, ProxyToken
        ProxyShellSSRFRule(), ProxyShellPowerShellRule(), ProxyNotShellSSRFRule(), OWASSRFRule(), ProxyTokenRule(),
        MailboxExportToWebRule(), MailboxExportFileRule(),
        // Chains
        ProxyLogonChainRule(), ProxyShellChainRule(), ProxyNotShellChainRule(),
    ]

    public static func rule(id: String) -> (any DetectionRule)? {
        standard.first { $0.id == id.lowercased() }
    }
}
