import Foundation
import ExchangeEvidence

/// One record of the `MSExchange Management` cmdlet log (provider `MSExchange CmdletLogs`): event 1 when the
/// cmdlet succeeded, 6 when it failed. Its values have no names of their own; the readers name them by position
/// from `mappings/event-data-names.tsv` (`CmdletName`, `CmdletParameters`, `Caller`, `Process`, e.g. `8372
/// w3wp#MSExchangePowerShellAppPool`, and `Error` on event 6). Exports that keep only the rendered message
/// (NXLog, OTRF's datasets: `Cmdlet suceeded. Cmdlet NAME, parameters PARAMETERS.`) or fewer values than the
/// table names (a SIEM's trimmed `param1`, `param2`) are read too: the cmdlet is their first value.
///
/// Exchange records the same cmdlets in two logs of its own, read here too so that every rule reading cmdlets
/// reads them (reviewer: a ProxyShell export in the Rps_Cmdlet log went unseen): the remote PowerShell cmdlet log
/// (`Logging\CmdletInfra\Powershell-Proxy\Cmdlet\Rps_Cmdlet_*.LOG`, `#Log-type: Rps Cmdlet Logs`: `Cmdlet`,
/// `Parameters`, `AuthenticatedUser`, `ProcessName`, `ExecutionResult`, `Error`) and the ECP Server and Activity
/// logs (`S:CMD=` in `EventData`, see `ECPCommandText`).
struct CmdletEvent {
    let id: EventID
    let cmdlet: String
    let parameters: String
    let caller: String
    let process: String
    let error: String
    let failed: Bool

    /// The kinds of evidence that record cmdlets: event logs, the Rps cmdlet log (an Exchange CSV log of no kind of
    /// its own) and the ECP logs.
    static let kinds: [SourceKind] = [.eventLog, .exchangeLog, .ecpServer, .ecpActivity]

    init?(_ store: EventStore, _ id: EventID) {
        let f = EventFields(store, id)
        let kind = store.kind(of: id)
        let read: (String, String)?
        if kind == .eventLog {
            guard (f["Provider"] ?? "").lowercased() == "msexchange cmdletlogs" || (f["Channel"] ?? "").lowercased() == "msexchange management"
            else { return nil }
            read = Self.cmdlet(f)
            caller = f["Caller"] ?? ""
            process = f["Process"] ?? ""
            error = f["Error"] ?? f["Message"].flatMap(Self.errorFromMessage) ?? ""
            failed = f["EventID"] == "6"
        } else if kind == .exchangeLog {
            read = f["Cmdlet"].map { ($0, f["Parameters"] ?? "") }
            caller = f["AuthenticatedUser"] ?? ""
            process = f["ProcessName"] ?? ""
            error = f["Error"] ?? ""
            // `ExecutionResult` is `Success` when the cmdlet ran; a row without one failed only if it names an error.
            let result = (f["ExecutionResult"] ?? "").lowercased()
            failed = result.isEmpty ? !error.isEmpty : result != "success"
        } else if kind == .ecpServer || kind == .ecpActivity {
            read = ECPCommandText.cmdlet(inEventData: f["EventData"] ?? store.rawLine(id))
            caller = ""
            process = ""
            error = ""
            failed = false
        } else {
            return nil
        }
        guard let (cmdlet, parameters) = read, !cmdlet.isEmpty else { return nil }
        self.id = id
        self.cmdlet = cmdlet
        self.parameters = parameters
    }

    /// The cmdlet and its parameters: named values, else the first two unnamed ones when the first is a cmdlet's
    /// name, else the rendered message.
    private static func cmdlet(_ f: EventFields) -> (String, String)? {
        if let name = f["CmdletName"] { return (name, f["CmdletParameters"] ?? "") }
        if let name = f["Data1"], isCmdletName(name) { return (name, f["Data2"] ?? "") }
        return f["Message"].flatMap(fromMessage)
    }

    /// Event Viewer's message for a cmdlet record, as written from its first two values (what Sigma rules match):
    /// the inverse of `fromMessage`.
    static func message(_ name: String, _ parameters: String, failed: Bool) -> String {
        "Cmdlet \(failed ? "failed" : "succeeded"). Cmdlet \(name), parameters \(parameters)."
    }

    /// `NAME` and `PARAMETERS` of Event Viewer's message `Cmdlet succeeded. Cmdlet NAME, parameters PARAMETERS.`
    /// (Exchange spells it `suceeded`; `failed` for event 6, whose message goes on with the error).
    static func fromMessage(_ message: String) -> (String, String)? {
        guard let start = message.range(of: ". Cmdlet ") else { return nil }
        let rest = message[start.upperBound...]
        guard let comma = rest.range(of: ", parameters") else { return nil }
        let name = String(rest[..<comma.lowerBound])
        guard isCmdletName(name) else { return nil }
        var parameters = rest[comma.upperBound...].drop { $0 == " " }
        // The parameters end at the message's last full stop (the error follows it on failed cmdlets, on a line of
        // its own or, where an export joined the lines, after `. Error:`).
        if let end = parameters.range(of: ".\n", options: .literal) ?? parameters.range(of: ".\r\n", options: .literal)
            ?? parameters.range(of: errorMarker, options: [.literal, .backwards]) {
            parameters = parameters[..<end.lowerBound]
        } else if parameters.hasSuffix(".") {
            parameters = parameters.dropLast()
        }
        return (name, String(parameters))
    }

    private static let errorMarker = ". Error:"

    /// The error a failed cmdlet's message gives after its parameters (`… parameters P. Error: E`), for exports
    /// that keep only the message.
    static func errorFromMessage(_ message: String) -> String? {
        guard message.hasPrefix("Cmdlet failed"), let marker = message.range(of: errorMarker, options: [.literal, .backwards]) else { return nil }
        let error = message[marker.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        return error.isEmpty ? nil : error
    }

    /// `Verb-Noun`: letters, one hyphen.
    static func isCmdletName(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLetter } }
    }

    /// `by CALLER via PROCESS`, and the error's first line when the cmdlet failed.
    var context: String {
        var s = ""
        if !caller.isEmpty { s += " by \(caller)" }
        if !process.isEmpty { s += " via \(process)" }
        // The error's own closing full stop would stand before the next clause's semicolon.
        let shown = error.oneLine(160)
        if failed { s += "; failed" + (shown.isEmpty ? "" : ": " + (shown.hasSuffix(".") ? String(shown.dropLast()) : shown)) }
        return s
    }

    /// Events of the cmdlet logs whose stored line mentions `needle` and whose cmdlet is one of `names`.
    static func events(_ store: EventStore, mentioning needle: String, cmdlets names: Set<String>) -> [CmdletEvent] {
        store.events(containing: needle, kinds: kinds).compactMap { id in
            guard let c = CmdletEvent(store, id), names.contains(c.cmdlet.lowercased()) else { return nil }
            return c
        }
    }
}
