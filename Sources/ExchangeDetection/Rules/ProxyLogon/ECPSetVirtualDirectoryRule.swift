import Foundation
import ExchangeEvidence

/// CVE-2021-27065 in the ECP Server log: a `Set-*VirtualDirectory` cmdlet whose `*Url` parameter carries
/// markup. A URL cannot contain a raw `<`, so an element there is a payload (HAFNIUM used
/// `ExternalUrl='http://f/<script language="JScript" runat="server">…</script>'`), while an administrator's
/// `ExternalUrl='https://mail.contoso.com/OAB'` is left alone — the 2021-03-18 refinement of Test-ProxyLogon.
public struct ECPSetVirtualDirectoryRule: DetectionRule {
    public init() {}
    public let id = "proxylogon.ecp-set-vdir"
    public let title = "Script in a virtual directory URL (CVE-2021-27065)"
    public let cves = ["CVE-2021-27065"]
    public let severity = Severity.high
    public let sources = [SourceKind.ecpServer, .ecpActivity, .exchangeLog]
    /// Needs ECP logs; an unrecognised Exchange log may hold the same lines, but is no substitute.
    public var needs: EvidenceNeed { .ecp }
    public let help = "ECP Server log S:CMD=Set-*VirtualDirectory with a *Url parameter holding an HTML/script element (Test-ProxyLogon Get-Cve27065)."

    public func run(on store: EventStore) -> [Finding] {
        var out: [Finding] = []
        for id in store.events(containing: "virtualdirectory", kinds: sources) {
            // Split the line so the quoted value reads as logged (CSV `""` undone); fall back to the raw line.
            let texts = store.fields(of: id).map(\.value).filter { $0.lowercased().contains("virtualdirectory") }
            guard let hit = (texts + [store.rawLine(id)]).lazy.compactMap(VirtualDirectoryCommand.scriptedUrl).first
            else { continue }
            out.append(Finding(self, store: store, events: [id],
                               summary: "\(hit.cmdlet) \(hit.parameter)='\(hit.value)'"))
        }
        return out
    }
}

/// Finds a `Set-…VirtualDirectory` command in a log line and a `…Url` parameter holding markup.
enum VirtualDirectoryCommand {
    struct Hit { let cmdlet: String; let parameter: String; let value: String }

    static func scriptedUrl(in line: String) -> Hit? {
        var search = line.startIndex
        while let set = line.range(of: "set-", options: .caseInsensitive, range: search..<line.endIndex) {
            search = set.upperBound
            let nameEnd = line[set.upperBound...].firstIndex { !($0.isLetter || $0.isNumber) } ?? line.endIndex
            guard line[set.lowerBound..<nameEnd].lowercased().hasSuffix("virtualdirectory") else { continue }
            let cmdEnd = line.range(of: ";s:", options: .caseInsensitive, range: nameEnd..<line.endIndex)?.lowerBound ?? line.endIndex
            var p = nameEnd
            while p < cmdEnd, let url = line.range(of: "url", options: .caseInsensitive, range: p..<cmdEnd) {
                p = url.upperBound
                var v = url.upperBound
                while v < cmdEnd, line[v] == " " || line[v] == "=" || line[v] == ":" { v = line.index(after: v) }
                let paramStart = line[nameEnd..<url.lowerBound].lastIndex { !($0.isLetter || $0.isNumber) }
                    .map { line.index(after: $0) } ?? nameEnd
                // A parameter's name follows the separator (`.ExternalUrl=`, ` -ExternalUrl`): `ExternalUrl=` inside
                // another parameter's value is text (reviewer: Identity='ExternalUrl=<script>').
                guard paramStart > nameEnd, ".-".contains(line[line.index(before: paramStart)]) else { continue }
                // Markup in this parameter's own value: not in a later one (a logon page's text may hold `<b>`; reviewer).
                let end = valueEnd(line, from: v, to: cmdEnd)
                guard v > url.upperBound, hasMarkup(line[v..<end]) else { continue }
                var value = line[v..<end]
                while let q = value.first, q == "'" || q == "\"" { value = value.dropFirst() }
                while let q = value.last, q == "'" || q == "\"" { value = value.dropLast() }
                return Hit(cmdlet: String(line[set.lowerBound..<nameEnd]),
                           parameter: String(line[paramStart..<url.upperBound]),
                           value: value.count > 240 ? String(value.prefix(240)) + "…" : String(value))
            }
        }
        return nil
    }

    /// Where the value starting at `v` ends: at its closing quote, known by what follows the quote (the next
    /// parameter, `'.Identity=` in the ECP log or `' -Identity` in the cmdlet log, or the end of the command),
    /// so a quote inside a script does not end it; unquoted, at the next parameter. Quotes may come doubled
    /// (`''http://…''`, a CSV field quoted again).
    static func valueEnd(_ line: String, from v: String.Index, to end: String.Index) -> String.Index {
        let quote: Character? = line[v] == "'" || line[v] == "\"" ? line[v] : nil
        var i = v
        while let q = quote, i < end, line[i] == q { i = line.index(after: i) }
        while i < end {
            if let q = quote, line[i] == q {
                var after = line.index(after: i)
                while after < end, line[after] == q { after = line.index(after: after) }
                if after == end || startsParameter(line, at: after, before: end) { return i }
                i = after
            } else if quote == nil, startsParameter(line, at: i, before: end) {
                return i
            } else {
                i = line.index(after: i)
            }
        }
        return end
    }

    /// `.Name=` (the ECP log's separator) or ` -Name` (a cmdlet's) at `j`.
    static func startsParameter(_ line: String, at j: String.Index, before end: String.Index) -> Bool {
        let k = line.index(after: j)
        guard k < end else { return false }
        if line[j] == ".", line[k].isLetter {
            let name = line[k..<end].firstIndex { !($0.isLetter || $0.isNumber) } ?? end
            return name < end && line[name] == "="
        }
        guard line[j] == " ", line[k] == "-" else { return false }
        let m = line.index(after: k)
        return m < end && line[m].isLetter
    }

    /// An element: `<` then a letter, `/`, `!` or `%` (`<script`, `</x>`, `<%`), closed by a later `>`.
    static func hasMarkup(_ s: Substring) -> Bool {
        var it = s.makeIterator()
        var open = false
        while let c = it.next() {
            if open {
                if c == ">" { return true }
            } else if c == "<", let n = it.next(), n.isLetter || n == "/" || n == "!" || n == "%" {
                open = true
            }
        }
        return false
    }
}
