import Foundation

/// The cmdlet an ECP Server or Activity log line records in its EventData, `S:CMD=Verb-Noun.Param='value'.Param=value;S:…`
/// (Qazeer's real Exchange 2016 line: `S:CMD=Get-InboxRule;S:REQID=…`; HelseCERT's ProxyLogon excerpt:
/// `S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/<script …>''.Identity=''…''`), rewritten in the cmdlet
/// log's own form, `-Param "value"`, so the rules that read a cmdlet's parameters read the ECP log's alike.
enum ECPCommandText {
    /// The cmdlet and its parameters in `-Name "value"` form, or nil when the line records no cmdlet.
    static func cmdlet(inEventData eventData: String) -> (String, String)? {
        var data = Substring(eventData)
        // An excerpt that quoted the whole field with `'` doubled the quotes inside it.
        let wrapped = data.hasPrefix("'S:") && data.hasSuffix("'")
        if wrapped { data = data.dropFirst().dropLast() }
        guard let start = data.range(of: "S:CMD=", options: .caseInsensitive) else { return nil }
        let rest = data[start.upperBound...]
        var command = String(rest[..<(rest.range(of: ";S:", options: .caseInsensitive)?.lowerBound ?? rest.endIndex)])
        if wrapped { command = command.replacingOccurrences(of: "''", with: "'") }
        // HelseCERT's excerpt ends a command `…Identity=$null;;S:EX=`: the separator, not part of the last value.
        while command.hasSuffix(";") { command.removeLast() }
        let nameEnd = command.firstIndex(of: ".") ?? command.endIndex
        let name = String(command[..<nameEnd])
        guard CmdletEvent.isCmdletName(name) else { return nil }
        return (name, parameters(command, from: nameEnd))
    }

    /// `.Name=value` pairs from `i` on, each value ending where the next parameter starts (a quoted value at its
    /// closing quote before `.Name=`, so a `.` inside an address or a path does not end it).
    private static func parameters(_ command: String, from i: String.Index) -> String {
        var out: [String] = []
        var p = i
        while p < command.endIndex, command[p] == "." {
            let nameStart = command.index(after: p)
            guard let eq = command[nameStart...].firstIndex(of: "="), eq > nameStart else { break }
            let v = command.index(after: eq)
            guard v < command.endIndex else {
                out.append("-" + command[nameStart..<eq])
                break
            }
            let end = VirtualDirectoryCommand.valueEnd(command, from: v, to: command.endIndex)
            var value = command[v..<end]
            let quote = value.first
            let wasQuoted = quote == "'" || quote == "\""
            if wasQuoted {
                value = value.dropFirst()
                p = end < command.endIndex ? command.index(after: end) : end
            } else {
                p = end
            }
            out.append("-\(command[nameStart..<eq]) " + (wasQuoted || value.contains(" ") ? quoted(value) : String(value)))
        }
        return out.joined(separator: " ")
    }

    /// The value quoted as the cmdlet log quotes it: `"…"`, or `'…'` when it holds a `"` itself.
    private static func quoted(_ value: Substring) -> String {
        value.contains("\"") ? "'\(value)'" : "\"\(value)\""
    }
}
