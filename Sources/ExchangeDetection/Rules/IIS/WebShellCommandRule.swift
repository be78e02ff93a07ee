import ExchangeEvidence
import Foundation

/// Requests that hand a Windows command to a script page in the URL query (`devilzShell.aspx?dir=C%3A%5C&cmd=
/// dsquery+*+…`, m365internals' victim; ASPXSpy-style shells driven by GET), wherever the page sits: that shell
/// lived under `/aspnet_netclient/`, outside the folders `iis.webshell-access` knows. A command is a recon or
/// execution tool named as a word of the decoded query (`whoami`, `dsquery`, `net user`, `C:\…\cmd.exe`);
/// OWA's and ECP's own queries (`url=https%3a%2f%2fmail.contoso.net%2fowa`, `msExchEcpCanary=…`) name none.
/// A 2xx answer is the command run: critical. A status not in the log (a line cut off): high. Anything else is
/// a shell that is not there (a probe): medium.
public struct WebShellCommandRule: DetectionRule {
    public init() {}
    public let id = "iis.webshell-command"
    public let title = "Windows command sent to a script page"
    public let cves: [String] = []
    public let severity = Severity.critical
    public let sources = [SourceKind.iis, .httpProxy]
    public let help = "IIS or HttpProxy requests for .aspx/.ashx/.asmx whose URL query names a Windows command (whoami, dsquery, nltest, net user, cmd.exe, powershell, …)."

    /// Tools that are a command on their own (`.exe` aside); `cmd` is one only as `cmd.exe`, `cmd /c` or `cmd /k`.
    static let tools: Set<String> = [
        "whoami", "dsquery", "nltest", "ipconfig", "systeminfo", "tasklist", "taskkill", "quser", "netstat", "powershell",
        "certutil", "bitsadmin", "rundll32", "procdump", "procdump64", "mimikatz", "wmic", "adfind", "vssadmin",
        "ntdsutil", "schtasks", "csvde", "ldifde",
    ]
    /// Tools that are a command with what they are asked (`net user`, `reg save`): alone, `net` and `reg` are
    /// ordinary words.
    static let toolPairs: Set<String> = [
        "net user", "net group", "net localgroup", "net view", "net use", "net share", "net session",
        "net1 user", "net1 group", "net1 localgroup", "reg save", "reg query", "reg add", "reg export",
    ]

    /// What a query holds, as a URL writes it (a space as `+`, `%20` or itself, `/` also as `%2F`), when
    /// `commands(in:)` can find anything there: one automaton pass over each query, so only the few candidates are
    /// decoded into Strings. Decoding every request's query made a hunt of 2.8 M requests 9× slower.
    static let candidates: MultiPatternMatcher = {
        var words = tools.sorted() + ["cmd.exe"]
        for pair in toolPairs.sorted() {
            let w = pair.split(separator: " ")
            for space in ["+", "%20", " "] { words.append(w[0] + space + w[1]) }
        }
        for space in ["+", "%20", " "] { for slash in ["/", "%2f"] { for flag in ["c", "k"] { words.append("cmd" + space + slash + flag) } } }
        return MultiPatternMatcher(patterns: words.map { Array($0.utf8) }, fold: (0..<256).map { ByteMatch.lower(UInt8($0)) })
    }()

    /// The commands `query` names, in order: its words after percent-decoding (and `+` as a space), lower-cased.
    /// `cmd` counts only as `cmd.exe` or `cmd /c` (a parameter named `cmd=` is no command by itself).
    static func commands(in query: String) -> [String] {
        let decoded = (query.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? query).lowercased()
        let words = decoded.split { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }.map { w in
            w.hasSuffix(".exe") ? String(w.dropLast(4)) : String(w)
        }
        var found: [String] = []
        for (i, w) in words.enumerated() {
            let next = i + 1 < words.count ? words[i + 1] : ""
            if w == "cmd" {
                let written = decoded.contains("cmd.exe") || decoded.contains("cmd /c") || decoded.contains("cmd /k")
                if written && !found.contains("cmd") { found.append("cmd") }
            } else if tools.contains(w) {
                if !found.contains(w) { found.append(w) }
            } else if toolPairs.contains(w + " " + next), !found.contains(w + " " + next) {
                found.append(w + " " + next)
            }
        }
        return found
    }

    public func run(on store: EventStore) -> [Finding] {
        let exts = WebShellPath.scriptExtensions.map(\.lowerBytes)
        let hits = RequestMatch.events(store, kinds: sources, postOnly: false, stem: { s in exts.contains { ByteMatch.hasSuffix($0, s) } },
                                       query: { q in
                                           var candidate = false
                                           Self.candidates.scan(q) { _, _ in candidate = true; return false }
                                           return candidate && !Self.commands(in: String(decoding: q, as: UTF8.self)).isEmpty
                                       })
        return Grouping.bursts(hits, in: store, by: .urlStem, gap: nil).flatMap { page in
            RequestMatch.byOutcome(page, store: store).map { outcome, group in
                var named: [String] = []
                for e in group { for c in Self.commands(in: store.urlQuery(of: e)) where !named.contains(c) { named.append(c) } }
                let first = store.urlQuery(of: group[0])
                let example = first.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? first
                return Finding(self, store: store, events: group,
                               severity: outcome.severity,
                               title: outcome == .answered ? title : outcome == .unlogged ? "Windows command sent to a script page, status not logged"
                                   : "Windows command sent to a script page that did not answer",
                               summary: "\(group.count) request\(group.count == 1 ? "" : "s") for \(store.value(.urlStem, group[0]))"
                                   + " naming \(named.prefix(6).joined(separator: ", "))\(named.count > 6 ? " +\(named.count - 6) more" : "")"
                                   + " (first: \(example.count > 120 ? String(example.prefix(119)) + "…" : example))"
                                   + " from \(Grouping.tally(group, .clientIP, in: store, limit: 4)); status \(Grouping.tally(group, .status, in: store))"
                                   + "; method \(Grouping.tally(group, .method, in: store, limit: 2))")
            }
        }
    }
}
