import ExchangeEvidence

/// The report as one self-contained HTML file: inline CSS, an SVG chart, no script, every piece of
/// evidence text escaped.
struct HTMLReport {
    let model: ReportModel
    let time: (Int64) -> String

    static let style = """
        body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#222;margin:24px auto;max-width:1100px;padding:0 16px}
        h1{font-size:24px;margin-bottom:4px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:3px;margin-top:28px}
        table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
        th{background:#f4f6f7}td.msg{font-family:"DejaVu Sans Mono",Consolas,monospace;font-size:12px;word-break:break-all}
        .verdict{font-weight:bold;padding:2px 8px;border-radius:3px;color:#fff;white-space:nowrap}
        .compromised{background:#c0392b}.attempted{background:#e67e22}.no-evidence{background:#27ae60}.not-enough-coverage{background:#7f8c8d}
        .label{font-weight:bold}.malicious{color:#c0392b}.suspicious{color:#d35400}.benign{color:#27ae60}.reviewed{color:#2980b9}
        .sev-critical{color:#6d0000;font-weight:bold}.sev-high{color:#c0392b;font-weight:bold}.sev-medium{color:#d35400}
        .meta{color:#555}.because{color:#555;font-size:12px}figure.chart{margin:12px 0}figcaption{font-weight:bold;margin-bottom:4px}
        svg text.lane{font-size:12px;fill:#333}svg text.tick{font-size:11px;fill:#555}
        ol li{margin-bottom:8px}details{margin:8px 0}
        """

    func render() -> String {
        var o = ""
        func h(_ s: String) -> String { ReportText.html(s) }
        func cls(_ s: String) -> String { s.replacingOccurrences(of: " ", with: "-") }
        o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        o += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        o += "<title>Exchange compromise assessment</title><style>\(Self.style)</style></head><body>\n"
        o += "<h1>Exchange compromise assessment</h1>\n"
        o += "<p class=\"meta\">Generated \(h(time(model.generated))) (\(h(model.zone))) by \(h(model.user)) with exhunt"
        o += (model.casePath.map { "; case file <code>\(h($0))</code>" } ?? "; no case file") + ". Evidence sets: "
        o += (model.evidenceSets.isEmpty ? "none loaded" : model.evidenceSets.map(h).joined(separator: ", ")) + ".</p>\n"

        o += "<h2>Verdict per server</h2>\n<table><tr><th>server</th><th>verdict</th><th>why</th></tr>\n"
        for s in model.servers {
            o += "<tr><td>\(h(s.server))</td><td><span class=\"verdict \(cls(s.verdict.rawValue))\">\(s.verdict.rawValue)</span></td>"
            o += "<td>\(h(s.reasons.joined(separator: "; ")))</td></tr>\n"
        }
        o += "</table>\n"
        o += "<h2>Timeline</h2>\n" + TimelineChart(model: model, time: time).render()
        o += "<p class=\"because\">Circles: marked events (<span class=\"malicious\">malicious</span>, <span class=\"suspicious\">suspicious</span>, "
        o += "<span class=\"benign\">benign</span>, <span class=\"reviewed\">reviewed</span>); diamonds: findings by severity; bars: events per day (UTC days).</p>\n"

        if model.servers.contains(where: { !$0.build.isEmpty }) {
            o += "<h2>Build and exposure</h2>\n<ul>"
            for s in model.servers where !s.build.isEmpty {
                o += "<li><b>\(h(s.server))</b><ul>" + s.build.map { "<li>\(h($0))</li>" }.joined() + "</ul></li>"
            }
            o += "</ul>\n"
        }

        o += "<h2>Findings by severity</h2>\n"
        if model.servers.allSatisfy({ $0.findings.isEmpty }) { o += "<p>The hunt found nothing.</p>\n" }
        for severity in ReportFinding.severities {
            let fs = model.servers.flatMap(\.findings).filter { $0.facts.severity == severity }.sorted { $0.facts.time < $1.facts.time }
            if fs.isEmpty { continue }
            o += "<h3 class=\"sev-\(severity)\">\(severity) (\(fs.count))</h3>\n"
            o += "<table><tr><th>id</th><th>time</th><th>server</th><th>rule</th><th>finding</th><th>events</th></tr>\n"
            for f in fs {
                o += "<tr><td>\(h(f.id))</td><td>\(h(time(f.facts.time)))</td><td>\(h(f.facts.server))</td><td>\(h(f.facts.rule))</td>"
                o += "<td><b>\(h(f.facts.title))</b><br><span class=\"msg\">\(h(f.facts.summary))</span></td><td>\(f.events.count)</td></tr>\n"
            }
            o += "</table>\n"
        }
        if !model.loadedRules.isEmpty {
            o += "<p>Loaded rules behind these findings:</p>\n<ul>\n"
            for r in model.loadedRules {
                o += "<li>\(h(r.findingRule)): \(h(r.title)) (\(h(r.kind)), \(h(r.file)):\(r.line))"
                o += (r.references.isEmpty ? "" : "; references: " + r.references.map(h).joined(separator: ", ")) + "</li>\n"
            }
            o += "</ul>\n"
        }

        o += "<h2>Marked events in order</h2>\n"
        if model.marks.isEmpty { o += "<p>No events were marked.</p>\n" } else {
            o += "<table><tr><th>time</th><th>server</th><th>label</th><th>event</th><th>what</th><th>note</th><th>marked by</th></tr>\n"
            for m in model.marks {
                let event = model.markedEvents[m].map { "#\($0)" } ?? "\(m.path):\(m.line)"
                o += "<tr><td>\(h(time(m.eventTime)))</td><td>\(h(m.server))</td><td class=\"label \(m.label)\">\(m.label)</td><td>\(h(event))</td>"
                o += "<td class=\"msg\">\(h(m.message))</td><td>\(h(m.note))" + (m.tags.isEmpty ? "" : " <i>[\(h(m.tags.joined(separator: ", ")))]</i>")
                o += "</td><td>\(h(m.user)), \(h(time(m.markedAt)))</td></tr>\n"
            }
            o += "</table>\n"
        }

        o += "<h2>IOC hits</h2>\n"
        if model.publishedHits.isEmpty { o += "<p>No published indicator (built-in or loaded IOC sets) was found in the evidence.</p>\n" } else {
            o += "<table><tr><th>indicator</th><th>type</th><th>set</th><th>hits</th><th>first</th><th>last</th><th>servers</th></tr>\n"
            for i in model.publishedHits {
                o += "<tr><td class=\"msg\">\(h(i.value))</td><td>\(h(i.type))</td><td>\(h(i.set))</td><td>\(i.hits)</td>"
                o += "<td>\(h(time(i.first)))</td><td>\(h(time(i.last)))</td><td>\(h(i.servers.joined(separator: ", ")))</td></tr>\n"
            }
            o += "</table>\n"
        }
        if model.iocHits.isEmpty { o += "<p>No analyst IOCs are recorded in the case.</p>\n" } else {
            o += "<p>Analyst IOCs (events whose line contains the indicator):</p><table><tr><th>type</th><th>indicator</th><th>events</th><th>servers</th><th>first</th><th>last</th></tr>\n"
            for i in model.iocHits {
                o += "<tr><td>\(h(i.ioc.type))</td><td class=\"msg\">\(h(i.ioc.value))</td><td>\(i.count)</td><td>\(h(i.servers.joined(separator: ", ")))</td>"
                o += "<td>\(h(time(i.first)))</td><td>\(h(time(i.last)))</td></tr>\n"
            }
            o += "</table>\n"
        }

        o += "<h2>What to do now</h2>\n<ol>\n"
        for a in model.remediation {
            o += "<li><b>\(h(a.step.title)).</b> \(h(a.step.text))<br><span class=\"because\">Because: "
            o += h(a.reasons.prefix(4).joined(separator: "; ")) + (a.reasons.count > 4 ? "; …" : "") + "</span></li>\n"
        }
        o += "</ol>\n"

        o += "<h2>Evidence coverage</h2>\n<table><tr><th>server</th><th>source</th><th>files</th><th>events</th><th>first</th><th>last</th></tr>\n"
        for s in model.servers {
            for c in s.coverage {
                o += "<tr><td>\(h(s.server))</td><td>\(h(c.source))</td><td>\(c.files)</td><td>\(c.events)</td>"
                o += "<td>\(c.first == Int64.max ? "-" : h(time(c.first)))</td><td>\(c.last == Int64.min ? "-" : h(time(c.last)))</td></tr>\n"
            }
        }
        o += "</table>\n"

        o += "<h2>Analyst notes</h2>\n"
        if model.notes.isEmpty { o += "<p>No notes.</p>\n" } else {
            o += "<ul>" + model.notes.map { "<li>\(h(time($0.time))), \(h($0.user)): \(h($0.text))</li>" }.joined() + "</ul>\n"
        }

        o += "<h2>Evidence files and SHA-256</h2>\n<p>\(model.files.count) files; \(model.auditCount) commands in the case's audit log.</p>\n"
        o += "<details><summary>All files</summary><table><tr><th>server</th><th>file</th><th>size</th><th>sha256</th></tr>\n"
        for f in model.files {
            o += "<tr><td>\(h(f.server))</td><td class=\"msg\">\(h(f.path))</td><td>\(f.size)</td><td class=\"msg\">\(f.sha256)</td></tr>\n"
        }
        o += "</table></details>\n</body></html>\n"
        return o
    }
}
