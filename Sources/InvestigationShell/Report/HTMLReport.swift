import ExchangeEvidence

/// The report as one self-contained HTML file: inline CSS, an SVG chart, no script, every piece of
/// evidence text escaped.
///
/// Layout rules (checked in headless Chromium at 1280 and 800 px): times, finding ids, rule ids, event ids
/// and IP addresses never wrap (class `nw`); every table of a kind has the same fixed column widths (a
/// `<colgroup>` per kind, `table-layout: fixed`), so the severity tables line up; a table wider than the
/// window scrolls sideways inside its `div.scroll` instead of squeezing those cells.
struct HTMLReport {
    let model: ReportModel
    let time: (Int64) -> String

    static let style = """
        body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#222;margin:24px auto;max-width:1100px;padding:0 16px}
        h1{font-size:24px;margin-bottom:4px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:3px;margin-top:28px}
        div.scroll{overflow-x:auto;margin:8px 0}
        table{border-collapse:collapse;width:100%;font-size:13px;table-layout:fixed}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
        th{background:#f4f6f7}.msg{font-family:"DejaVu Sans Mono",Consolas,monospace;font-size:12px;word-break:break-all}
        .nw{white-space:nowrap;overflow-wrap:normal;word-break:normal}td.num{text-align:right}
        table.findings{min-width:900px}table.marks,table.published,table.analyst{min-width:980px}table.coverage,table.files,table.unlisted{min-width:720px}
        .verdict{font-weight:bold;padding:2px 8px;border-radius:3px;color:#fff;white-space:nowrap}
        .compromised{background:#c0392b}.attempted{background:#e67e22}.no-evidence{background:#27ae60}.not-enough-coverage{background:#7f8c8d}
        .label{font-weight:bold}.malicious{color:#c0392b}.suspicious{color:#d35400}.benign{color:#27ae60}.reviewed{color:#2980b9}
        .sev-critical{color:#6d0000;font-weight:bold}.sev-high{color:#c0392b;font-weight:bold}.sev-medium{color:#d35400}
        .meta{color:#555}.because{color:#555;font-size:12px}figure.chart{margin:12px 0;overflow-x:auto}figcaption{font-weight:bold;margin-bottom:4px}
        svg text.lane{font-size:12px;fill:#333}svg text.tick{font-size:11px;fill:#555}
        ol li{margin-bottom:8px}details{margin:8px 0}ul.gaps li{margin-bottom:4px}
        """

    /// Column widths per table kind: every table of a kind gets the same `<colgroup>` (nil: takes what is left).
    static let columns: [String: [(header: String, width: String?)]] = [
        "verdicts": [("server", "16%"), ("verdict", "14.5em"), ("why", nil)],
        "findings": [("id", "4.5em"), ("time", "13em"), ("server", "7em"), ("rule and finding", nil), ("events", "5.5em"),
                     ("evidence (FILE:LINE)", "26%")],
        "unlisted": [("server", "7em"), ("rule", "22em"), ("title", nil), ("findings", "5.5em"), ("first", "13em"), ("last", "13em")],
        "marks": [("time", "13em"), ("server", "7em"), ("label", "6.5em"), ("event", "22%"), ("what", nil), ("note", "18%"),
                  ("marked by", "14em")],
        "published": [("indicator", nil), ("type", "5.5em"), ("set", "10em"), ("hits", "4em"), ("first", "13em"),
                      ("last", "13em"), ("request status", "8em"), ("servers", "8em")],
        "analyst": [("type", "5.5em"), ("indicator", nil), ("events", "4.5em"), ("servers", "8em"), ("first", "13em"),
                    ("last", "13em")],
        "coverage": [("server", "7em"), ("source", nil), ("files", "4.5em"), ("events", "5em"), ("first", "13em"), ("last", "13em")],
        "files": [("server", "7em"), ("file", nil), ("size", "6em"), ("sha256", "40%")],
        "moments": [("time", "13em"), ("what", nil), ("from", "10em"), ("see", "16em")],
    ]

    /// The opening of a table of `kind`, wrapped so it scrolls sideways when the window is narrow.
    static func open(_ kind: String) -> String {
        let cols = columns[kind]!
        return "<div class=\"scroll\"><table class=\"\(kind)\"><colgroup>"
            + cols.map { $0.width.map { "<col style=\"width:\($0)\">" } ?? "<col>" }.joined()
            + "</colgroup><tr>" + cols.map { "<th>\(ReportText.html($0.header))</th>" }.joined() + "</tr>\n"
    }

    static let close = "</table></div>\n"

    func render() -> String {
        var o = ""
        func h(_ s: String) -> String { ReportText.html(s) }
        /// Prose holding times, addresses or rule ids: those stay whole.
        func p(_ s: String) -> String { ReportText.htmlKeepingTokens(s) }
        func cls(_ s: String) -> String { s.replacingOccurrences(of: " ", with: "-") }
        /// A cell that never wraps: times, ids, IP addresses.
        func nw(_ s: String, mono: Bool = false) -> String { "<td class=\"nw\(mono ? " msg" : "")\">\(h(s))</td>" }
        func t(_ ms: Int64) -> String { nw(ms == Timestamp.unknown || ms == Int64.max || ms == Int64.min ? "-" : time(ms)) }
        o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        o += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        o += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        o += "<title>Exchange compromise assessment</title><style>\(Self.style)</style></head><body>\n"
        o += "<h1>Exchange compromise assessment</h1>\n"
        o += "<p class=\"meta\">Generated \(h(time(model.generated))) (\(h(model.zone))) by \(h(model.user)) with \(h(model.provenance.versionLine))"
        o += (model.casePath.map { "; case file <code>\(h($0))</code>" } ?? "; no case file") + ". Evidence sets: "
        o += (model.evidenceSets.isEmpty ? "none loaded" : model.evidenceSets.map(h).joined(separator: ", "))
        o += ". All times are \(h(ReportText.zoneSentence(model.zone))).</p>\n"

        o += "<h2>Verdict per server</h2>\n" + Self.open("verdicts")
        for s in model.servers {
            o += "<tr><td>\(h(s.server))</td><td><span class=\"verdict \(cls(s.verdict.rawValue))\">\(s.verdict.rawValue)</span></td>"
            o += "<td>\(s.reasons.map(p).joined(separator: "<br>"))</td></tr>\n"
        }
        o += Self.close
        let stories = model.servers.map { ($0, $0.keyMoments) }.filter { !$1.isEmpty }
        if !stories.isEmpty {
            o += "<h2>Key moments</h2>\n"
            for (s, moments) in stories {
                o += "<h3>\(h(s.server)) (\(s.verdict.rawValue))</h3>\n" + Self.open("moments")
                let (shown, more) = ServerAssessment.listed(moments)
                for m in shown {
                    o += "<tr>\(m.time == Timestamp.unknown ? nw("undated") : t(m.time))<td>\(m.afterUpdate ? "<b>after the update:</b> " : "")"
                    o += "\(p(m.what.joined(separator: "; ")))</td><td>\(h(KeyMoment.addresses(m.from)))</td><td>\(h(m.references.joined(separator: ", ")))</td></tr>\n"
                }
                o += Self.close
                if more > 0 { o += "<p>\(more) more moments: the findings and marked events below list them.</p>\n" }
            }
        }
        o += "<h2>Timeline</h2>\n" + TimelineChart(model: model, time: time).render()
        o += "<p class=\"because\">Circles: marked events (<span class=\"malicious\">malicious</span>, <span class=\"suspicious\">suspicious</span>, "
        o += "<span class=\"benign\">benign</span>, <span class=\"reviewed\">reviewed</span>); diamonds: findings by severity; bars: events per day (UTC days); "
        o += "red bands: the server ran a build open to the campaign (as <code>check-build --history</code> finds it).</p>\n"

        if model.servers.contains(where: { !$0.build.isEmpty }) {
            o += "<h2>Build and exposure</h2>\n<ul>"
            for s in model.servers where !s.build.isEmpty {
                o += "<li><b>\(h(s.server))</b><ul>" + s.build.map { "<li>\(p($0))</li>" }.joined() + "</ul></li>"
            }
            o += "</ul>\n"
        }

        o += "<h2>Findings by severity</h2>\n"
        if model.servers.allSatisfy({ $0.findingCount == 0 }) { o += "<p>The hunt found nothing.</p>\n" }
        for severity in ReportFinding.severities {
            let fs = model.servers.flatMap(\.findings).filter { $0.facts.severity == severity }.sorted { $0.facts.time < $1.facts.time }
            let total = model.servers.reduce(0) { $0 + ($1.counts[severity] ?? 0) }
            if total == 0 { continue }
            o += "<h3 class=\"sev-\(severity)\">\(severity) (\(total))</h3>\n" + Self.open("findings")
            for f in fs {
                o += "<tr>\(nw(f.id))\(t(f.facts.time))<td>\(h(f.facts.server))</td>"
                o += "<td><div class=\"nw msg\">\(h(f.facts.rule))</div><b>\(h(f.facts.title))</b><br><span class=\"msg\">\(p(f.facts.summary))</span>"
                o += (f.cleared.map { "<br><b>Cleared, not counted:</b> <span class=\"msg\">\(p($0))</span>" } ?? "") + "</td>"
                o += "<td class=\"num\">\(f.events.count)</td>"
                o += "<td class=\"msg\">\(h(f.citation()))</td></tr>\n"
            }
            o += Self.close
            let unlisted = model.servers.flatMap { s in s.unlisted.filter { $0.severity == severity }.map { (s.server, $0) } }
            if !unlisted.isEmpty {
                o += "<p>\(total - fs.count) more \(severity) findings, past the first \(ReportModel.listedPerSeverity) of each server, counted per rule "
                    + "(<code>hunt --rule ID</code> or <code>export findings FILE.csv</code> lists them all):</p>\n" + Self.open("unlisted")
                for (server, r) in unlisted {
                    o += "<tr><td>\(h(server))</td><td class=\"msg\">\(h(r.rule))</td><td>\(h(r.title))</td><td class=\"num\">\(r.count)</td>\(t(r.first))\(t(r.last))</tr>\n"
                }
                o += Self.close
            }
        }
        if !model.loadedRules.isEmpty {
            o += "<p>Loaded rules behind these findings:</p>\n<ul>\n"
            for r in model.loadedRules {
                o += "<li>\(h(r.findingRule)): \(h(r.title)) (\(h(r.kind)), \(h(r.source)):\(r.line))"
                o += (r.references.isEmpty ? "" : "; references: " + r.references.map(h).joined(separator: ", ")) + "</li>\n"
            }
            o += "</ul>\n"
        }

        o += "<h2>Marked events in order</h2>\n"
        if model.marks.isEmpty { o += "<p>No events were marked.</p>\n" } else {
            o += Self.open("marks")
            for m in model.marks {
                let event = model.markedEvent(m) { $0 }
                o += "<tr>\(t(m.eventTime))<td>\(h(m.server))</td><td class=\"label \(m.label)\">\(m.label)</td><td class=\"msg\">\(h(event))</td>"
                o += "<td class=\"msg\">\(p(m.message))</td><td>\(h(m.note))" + (m.tags.isEmpty ? "" : " <i>[\(h(m.tags.joined(separator: ", ")))]</i>")
                o += "</td><td>\(h(m.user)), <span class=\"nw\">\(h(time(m.markedAt)))</span></td></tr>\n"
            }
            o += Self.close
        }

        o += "<h2>IOC hits</h2>\n"
        if model.publishedHits.isEmpty { o += "<p>No published indicator (built-in or loaded IOC sets) was found in the evidence.</p>\n" } else {
            o += Self.open("published")
            for i in model.publishedHits {
                o += "<tr>" + (Self.isAddress(i.type) ? nw(i.value, mono: true) : "<td class=\"msg\">\(h(i.value))</td>")
                o += "<td>\(h(i.type))</td><td>\(h(i.set))</td><td class=\"num\">\(i.hits)</td>"
                o += "\(t(i.first))\(t(i.last))<td>\(h(i.statuses))</td><td>\(h(i.servers.joined(separator: ", ")))</td></tr>\n"
            }
            o += Self.close
        }
        if model.iocHits.isEmpty { o += "<p>No analyst IOCs are recorded in the case.</p>\n" } else {
            o += "<p>Analyst IOCs (events whose line contains the indicator):</p>" + Self.open("analyst")
            for i in model.iocHits {
                o += "<tr><td>\(h(i.ioc.type))</td>" + (Self.isAddress(i.ioc.type) ? nw(i.ioc.value, mono: true) : "<td class=\"msg\">\(h(i.ioc.value))</td>")
                o += "<td class=\"num\">\(i.count)</td><td>\(h(i.servers.joined(separator: ", ")))</td>\(t(i.first))\(t(i.last))</tr>\n"
            }
            o += Self.close
        }

        o += "<h2>What to do now</h2>\n<ol>\n"
        for a in model.remediation {
            o += "<li><b>\(h(a.step.title)).</b> \(ReportText.htmlWithCode(a.step.text))<br><span class=\"because\">Because: "
            o += p(a.reasons.prefix(4).joined(separator: "; ")) + (a.reasons.count > 4 ? "; and \(a.reasons.count - 4) more" : "") + "</span>"
            if let label = a.step.lists?.label, !a.named.isEmpty {
                o += "<br><span class=\"named\">\(h(label)):</span> " + a.named.map { "\(h($0.server)): <code>\(h($0.value))</code>" }.joined(separator: "; ")
            }
            o += "</li>\n"
        }
        o += "</ol>\n"

        o += "<h2>Evidence coverage</h2>\n" + Self.open("coverage")
        for s in model.servers {
            for c in s.coverage {
                o += "<tr><td>\(h(s.server))</td><td>\(h(c.source))</td><td class=\"num\">\(c.files)</td><td class=\"num\">\(c.events)</td>"
                o += "\(t(c.first))\(t(c.last))</tr>\n"
            }
        }
        o += Self.close
        let gaps = model.servers.flatMap { s in s.gaps.map { (s.server, $0) } }
        if !gaps.isEmpty {
            o += "<p>Not covered (rules that could not run, ran on logs missing part of the campaign, or cannot match on these logs):</p>\n<ul class=\"gaps\">"
            o += gaps.map { "<li><b>\(h($0.0))</b>: \(p($0.1))</li>" }.joined() + "</ul>\n"
        }

        o += "<h2>Analyst notes</h2>\n"
        if model.notes.isEmpty { o += "<p>No notes.</p>\n" } else {
            o += "<ul>" + model.notes.map { "<li><span class=\"nw\">\(h(time($0.time)))</span>, \(h($0.user)): \(h($0.text))</li>" }.joined() + "</ul>\n"
        }

        o += "<h2>Evidence files and SHA-256</h2>\n<p>\(LoadCommand.count(model.files.count, "file")); \(LoadCommand.count(model.auditCount, "command")) in the case's audit log.</p>\n"
        o += "<details><summary>All files</summary>" + Self.open("files")
        for f in model.files {
            o += "<tr><td>\(h(f.server))</td><td class=\"msg\">\(h(f.path))</td><td class=\"num\">\(f.size)</td><td class=\"msg\">\(f.sha256)</td></tr>\n"
        }
        o += Self.close + "</details>\n"
        o += ReportProvenance.html(model.provenance)
        o += "</body></html>\n"
        return o
    }

    /// Indicator types whose values are addresses: shown whole, never wrapped.
    static func isAddress(_ type: String) -> Bool { ["ip", "ipv4", "ipv6", "ipv4-addr", "ipv6-addr", "cidr"].contains(type.lowercased()) }
}
