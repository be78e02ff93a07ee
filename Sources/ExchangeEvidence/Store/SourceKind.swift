/// The kind of log or artefact an evidence file holds.
///
/// A string-backed struct rather than an enum so that a new reader can introduce its own kind
/// without touching a central list.
public struct SourceKind: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: SourceKind, b: SourceKind) -> Bool { a.rawValue < b.rawValue }

    /// Exchange front-end proxy logs (`Logging\HttpProxy\<Protocol>`).
    public static let httpProxy = SourceKind("httpproxy")
    /// ECP server log (`Logging\ECP\Server`): cmdlets run through the control panel.
    public static let ecpServer = SourceKind("ecp-server")
    /// ECP activity context log (`Logging\ECP\Activity`).
    public static let ecpActivity = SourceKind("ecp-activity")
    /// OAB generator log (`Logging\OABGeneratorLog`).
    public static let oabGenerator = SourceKind("oab-generator")
    /// Any other Exchange CSV log with a `#Fields` header.
    public static let exchangeLog = SourceKind("exchange-log")
    /// IIS W3C extended logs (`inetpub\logs\LogFiles\W3SVC*`).
    public static let iis = SourceKind("iis")
    /// A text file no specific reader understood: every line is kept as an event.
    public static let text = SourceKind("text")
}
