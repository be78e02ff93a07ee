/// The Sigma log sources the built-in event-log rules read, named once: each rule lists those it takes events
/// from (`DetectionRule.logSources`), and the Sigma mapping says which channel and event ids they are.
extension SigmaLogSource {
    /// Sysmon 1, Security 4688.
    static let processCreation = SigmaLogSource(category: "process_creation", product: "windows")
    /// Sysmon 10.
    static let processAccess = SigmaLogSource(category: "process_access", product: "windows")
    /// Sysmon 11.
    static let fileEvent = SigmaLogSource(category: "file_event", product: "windows")
    /// The Application log.
    static let applicationLog = SigmaLogSource(product: "windows", service: "application")
    /// The `MSExchange Management` cmdlet log.
    static let exchangeManagementLog = SigmaLogSource(product: "windows", service: "msexchange-management")
}
