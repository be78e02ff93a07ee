import Foundation
import ExchangeEvidence

/// Collected web files whose content is a web shell: the China Chopper one-liner (`eval(Request[…],"unsafe")`,
/// HelseCERT, Neo23x0 `WEBSHELL_ASPX_Chopper_Like_Mar21_1`) or a server-side `<script runat="server">` block —
/// the shape of the OAB configuration file HAFNIUM's ExternalUrl payload left behind.
///
/// A collected copy has no time of its own (`FindingTime`): the finding takes it from the file listing's row
/// for the same path, else from the copy's modification time when that can be the server's.
public struct WebShellContentRule: DetectionRule {
    public init() {}
    public let id = "webshell.content"
    public let title = "Web-shell code in a collected file"
    public let cves: [String] = []
    public let severity = Severity.critical
    public let sources = [SourceKind.webFile]
    public let help = "Collected web files containing eval(Request[…],\"unsafe\") (China Chopper) or <script … runat=\"server\"> (OAB config with script)."

    public func run(on store: EventStore) -> [Finding] {
        let candidates = Set(store.events(containing: "eval(", kinds: sources) + store.events(containing: "runat", kinds: sources))
        var timing: WebFileTiming?
        return candidates.sorted().compactMap { id in
            let text = EventFields(store, id)["Content"] ?? store.rawLine(id)
            var why: String?
            if let e = text.range(of: "eval(request", options: .caseInsensitive),
               text.range(of: "unsafe", options: .caseInsensitive, range: e.upperBound..<text.endIndex) != nil {
                why = "China Chopper pattern '\(Self.excerpt(text, at: e.lowerBound))'"
            } else if let s = text.range(of: "<script", options: .caseInsensitive),
                      let r = text.range(of: "runat", options: .caseInsensitive, range: s.upperBound..<text.endIndex),
                      text[r.upperBound...].prefix(12).lowercased().contains("server") {
                why = "server-side script block '\(Self.excerpt(text, at: s.lowerBound))'"
            }
            guard let why else { return nil }
            let path = store.value(.urlStem, id)
            let summary = "\(path.isEmpty ? store.file(of: id).path : path): \(why)"
            if timing == nil { timing = WebFileTiming(store) }
            switch timing!.time(of: id) {
            case let .listing(rows):
                // The collected copy is what was found; the listing row gives its time.
                return Finding(self, store: store, events: [id] + rows, at: id,
                               summary: summary + "; time from the file listing" + WebShellFileRule.details(store, rows[0]))
            case let .modified(t):
                let f = store.file(of: id)
                return Finding(rule: self.id, title: title, cves: cves, severity: severity, server: f.server, time: t, events: [id],
                               file: store.citation(of: f), line: store.line(of: id),
                               summary: summary + "; time: the collected copy's modification time (no listing row)")
            case let .unknown(reason):
                return Finding(self, store: store, events: [id], summary: summary + "; time unknown: " + reason)
            }
        }
    }

    /// Up to 120 characters from the match, ending with its line or the script block's end (`</script>`, `%>`):
    /// a shell hidden in an OAB property would otherwise be quoted with the next properties' lines, a page's
    /// shell with the page's own text (reviewer).
    static func excerpt(_ text: String, at i: String.Index) -> String {
        var quote = text[i...].prefix(120)
        if let end = quote.firstIndex(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) { quote = quote[..<end] }
        let closes = ["</script>", "%>"].compactMap { quote.range(of: $0, options: .caseInsensitive) }
        if let close = closes.min(by: { $0.lowerBound < $1.lowerBound }) { quote = quote[..<close.upperBound] }
        return String(quote).oneLine(120)
    }
}
