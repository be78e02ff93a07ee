/// Where a build number was read from, which decides how much it tells.
public enum BuildSource: String, Sendable, Codable {
    /// `ExSetup.exe` `FileVersion`/`ProductVersion`: the installed build including security updates.
    case exSetup = "exsetup"
    /// `Get-ExchangeServer` `AdminDisplayVersion`: stored in Active Directory, names the CU only.
    case adminDisplayVersion = "admin-display-version"
    /// A `Security Update for Exchange Server …` uninstall entry (`DisplayName`).
    case updateDisplayName = "update-display-name"
    /// A bare build number, as typed by the user.
    case typed = "typed"
    /// The `#Version` header of an Exchange log file.
    case logHeader = "log-header"
    /// The per-request `MajorVersion,MinorVersion,BuildVersion,RevisionVersion` columns of a log.
    case logRequests = "log-requests"
    /// `S:BLD=` in the EventData of ECP server and activity log lines.
    case ecpLog = "ecp-log"
    /// The version folder of OWA and ECP resources a web log's successful requests name
    /// (`/owa/auth/15.1.2106.2/themes/…`): the front end serves the folder of its installed build.
    case resourcePath = "resource-path"

    /// How the source is named in output.
    public var label: String {
        switch self {
        case .exSetup: "ExSetup.exe FileVersion"
        case .adminDisplayVersion: "AdminDisplayVersion"
        case .updateDisplayName: "update DisplayName"
        case .typed: "build number"
        case .logHeader: "#Version header"
        case .logRequests: "per-request build in the logs"
        case .ecpLog: "S:BLD of ECP log lines"
        case .resourcePath: "OWA/ECP resource paths in the web logs"
        }
    }

    /// True when the build shows only the CU level, not the security updates installed on top of it.
    public var isCUOnly: Bool { self == .adminDisplayVersion }
}

/// One build number read from text, with what it came from.
public struct BuildReading: Hashable, Sendable {
    public var build: ExchangeBuild
    public var source: BuildSource
    /// The server the text names (`Name :` of Get-ExchangeServer, `PSComputerName`), if any.
    public var server: String?
    /// The KB number of an update display name (`KB5019758`), if any.
    public var kb: String?

    public init(build: ExchangeBuild, source: BuildSource, server: String? = nil, kb: String? = nil) {
        self.build = build
        self.source = source
        self.server = server
        self.kb = kb
    }
}

/// Why a build could not be read; the message says what was given and what is expected.
public struct BuildParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
