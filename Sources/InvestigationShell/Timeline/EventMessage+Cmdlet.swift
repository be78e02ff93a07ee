/// The message of an Exchange cmdlet-log event (provider `MSExchange CmdletLogs`), read the way a responder
/// reads the log: the command as typed, who ran it through which process, and why it failed.
extension EventMessage {
    /// `Set-Mailbox -Identity "x" … (by contoso.local/Users/admin via w3wp#MSExchangePowerShellAppPool)`, with
    /// `failed: ` and the error's first line on event 6; nil when the values are not named (a value holding
    /// the rendered message instead, which then shows as it is).
    static func cmdlet(_ value: (String) -> String?, eventID: String) -> String? {
        guard let name = value("CmdletName") else { return nil }
        var text = name
        if let parameters = value("CmdletParameters") { text += " " + parameters }
        // "5668 w3wp#MSExchangePowerShellAppPool": the process id changes with every recycle, the pool says what ran it.
        let process = value("Process").map { p in
            p.split(separator: " ", maxSplits: 1).count == 2 && p.prefix { $0 != " " }.allSatisfy(\.isNumber)
                ? String(p.drop { $0 != " " }.dropFirst()) : p
        }
        let by = [value("Caller").map { "by " + $0 }, process.map { "via " + $0 }].compactMap { $0 }
        if !by.isEmpty { text += " (" + by.joined(separator: " ") + ")" }
        if eventID == "6" {
            text += " failed"
            if let error = value("Error"), let line = error.split(whereSeparator: \.isNewline).first { text += ": " + line }
        }
        return text
    }
}
