import ExchangeEvidence

/// The report as Markdown: readable as plain text, renders on any Markdown viewer.
struct MarkdownReport {
    let model: ReportModel
    let time: (Int64) -> String

    func render() -> String {
        var o = ""
        func p(_ s: String = "") { o += s + "\n" }
        func md(_ s: String) -> String { ReportText.markdown(s) }
        func code(_ s: String, inTable: Bool = true) -> String { ReportText.codeSpan(s, inTable: inTable) }
        p("# Exchange compromise assessment")
        p()
        p("Generated \(time(model.generated)) (\(md(model.zone))) by \(md(model.user)) with \(md(model.provenance.versionLine))"
          + (model.casePath.map { "; case file \(ReportText.codeSpan($0))" } ?? "; no case file") + ".")
        p("Evidence sets: \(model.evidenceSets.isEmpty ? "none loaded" : model.evidenceSets.map(md).joined(separator: ", ")).")
        p("All times are \(ReportText.zoneSentence(model.zone)).")
        p()
        p("## Verdict per server")
        p()
        p("| server | verdict | why |")
        p("|---|---|---|")
        for s in model.servers { p("| \(md(s.server)) | **\(s.verdict.rawValue)** | \(md(s.reasons.joined(separator: "; "))) |") }
        p()
        let stories = model.servers.map { ($0, $0.keyMoments) }.filter { !$1.isEmpty }
        if !stories.isEmpty {
            p("## Key moments")
            p()
            for (s, moments) in stories {
                p("**\(md(s.server))** (\(s.verdict.rawValue))")
                p()
                p("| time | what | from | see |")
                p("|---|---|---|---|")
                let (shown, more) = ServerAssessment.listed(moments)
                for m in shown {
                    p("| \(m.time == Timestamp.unknown ? "undated" : time(m.time)) | \(m.afterUpdate ? "**after the update:** " : "")"
                      + "\(md(m.what.joined(separator: "; "))) | \(md(KeyMoment.addresses(m.from))) | \(md(m.references.joined(separator: ", "))) |")
                }
                if more > 0 {
                    p()
                    p("\(more) more moments: the findings and marked events below list them.")
                }
                p()
            }
        }
        if model.servers.contains(where: { !$0.build.isEmpty }) {
            p("## Build and exposure")
            p()
            for s in model.servers where !s.build.isEmpty {
                p("- **\(md(s.server))**")
                for l in s.build { p("  - \(md(l))") }
            }
            p()
        }
        p("## Findings by severity")
        p()
        if model.servers.allSatisfy({ $0.findingCount == 0 }) { p("The hunt found nothing."); p() }
        for severity in ReportFinding.severities {
            let fs = model.servers.flatMap(\.findings).filter { $0.facts.severity == severity }
            let total = model.servers.reduce(0) { $0 + ($1.counts[severity] ?? 0) }
            if total == 0 { continue }
            p("### \(severity) (\(total))")
            p()
            p("| id | time | server | rule | finding | events | evidence (FILE:LINE) |")
            p("|---|---|---|---|---|---|---|")
            for f in fs.sorted(by: { $0.facts.time < $1.facts.time }) {
                let cleared = f.cleared.map { " **Cleared, not counted:** \(md($0))." } ?? ""
                p("| \(md(f.id)) | \(time(f.facts.time)) | \(md(f.facts.server)) | \(md(f.facts.rule)) | \(md(f.facts.title)): \(ReportText.markdownQuoting(f.facts.summary))\(cleared) | \(f.events.count) | \(f.citation { code($0) }) |")
            }
            p()
            let unlisted = model.servers.flatMap { s in s.unlisted.filter { $0.severity == severity }.map { (s.server, $0) } }
            if !unlisted.isEmpty {
                p("\(total - fs.count) more \(severity) findings, past the first \(ReportModel.listedPerSeverity) of each server, counted per rule "
                  + "(`hunt --rule ID` or `export findings FILE.csv` lists them all):")
                p()
                p("| server | rule | title | findings | first | last |")
                p("|---|---|---|---|---|---|")
                for (server, t) in unlisted {
                    p("| \(md(server)) | \(md(t.rule)) | \(md(t.title)) | \(t.count) | \(time(t.first)) | \(time(t.last)) |")
                }
                p()
            }
        }
        if !model.loadedRules.isEmpty {
            p("Loaded rules behind these findings:")
            p()
            for r in model.loadedRules {
                p("- \(md(r.findingRule)): \(md(r.title)) (\(md(r.kind)), \(code("\(r.source):\(r.line)", inTable: false)))"
                  + (r.references.isEmpty ? "" : "; references: " + r.references.map(ReportText.markdownReference).joined(separator: ", ")))
            }
            p()
        }
        p("## Marked events in order")
        p()
        if model.marks.isEmpty { p("No events were marked.") } else {
            p("| time | server | label | event | what | note | marked by |")
            p("|---|---|---|---|---|---|---|")
            for m in model.marks {
                let event = model.markedEvent(m) { code($0) }
                p("| \(time(m.eventTime)) | \(md(m.server)) | **\(m.label)** | \(event) | \(md(m.message)) | \(md(m.note))"
                  + (m.tags.isEmpty ? "" : " [\(md(m.tags.joined(separator: ", ")))]") + " | \(md(m.user)), \(time(m.markedAt)) |")
            }
        }
        p()
        p("## IOC hits")
        p()
        if model.publishedHits.isEmpty { p("No published indicator (built-in or loaded IOC sets) was found in the evidence.") } else {
            p("| indicator | type | set | hits | first | last | request status | servers |")
            p("|---|---|---|---|---|---|---|---|")
            for h in model.publishedHits {
                p("| \(code(h.value)) | \(md(h.type)) | \(md(h.set)) | \(h.hits) | \(time(h.first)) | \(time(h.last)) | \(md(h.statuses)) | \(md(h.servers.joined(separator: ", "))) |")
            }
        }
        p()
        if model.iocHits.isEmpty { p("No analyst IOCs are recorded in the case.") } else {
            p("Analyst IOCs (events whose line contains the indicator):")
            p()
            p("| type | indicator | events | servers | first | last |")
            p("|---|---|---|---|---|---|")
            for h in model.iocHits {
                p("| \(md(h.ioc.type)) | \(code(h.ioc.value)) | \(h.count) | \(md(h.servers.joined(separator: ", "))) | \(time(h.first)) | \(time(h.last)) |")
            }
        }
        p()
        p("## What to do now")
        p()
        for (i, a) in model.remediation.enumerated() {
            p("\(i + 1). **\(md(a.step.title)).** \(ReportText.markdownWithCode(a.step.text))")
            p("   _Because: \(md(a.reasons.prefix(4).joined(separator: "; ")))\(a.reasons.count > 4 ? "; and \(a.reasons.count - 4) more" : "")._")
            if let label = a.step.lists?.label, !a.named.isEmpty {
                // Paths as code spans, so they copy as the evidence has them (report.md).
                let named = a.named.prefix(12).map { "\(md($0.server)): \(code($0.value, inTable: false))" }
                p("   \(md(label)): \(named.joined(separator: "; "))\(a.named.count > 12 ? "; and \(a.named.count - 12) more" : "").")
            }
        }
        p()
        p("## Evidence coverage")
        p()
        p("| server | source | files | events | first | last |")
        p("|---|---|---|---|---|---|")
        for s in model.servers {
            for c in s.coverage {
                p("| \(md(s.server)) | \(md(c.source)) | \(c.files) | \(c.events) | \(c.first == Int64.max ? "-" : time(c.first)) | \(c.last == Int64.min ? "-" : time(c.last)) |")
            }
        }
        p()
        let gaps = model.servers.flatMap { s in s.gaps.map { (s.server, $0) } }
        if !gaps.isEmpty {
            p("Not covered (rules that could not run, ran on logs missing part of the campaign, or cannot match on these logs):")
            p()
            for (server, gap) in gaps { p("- **\(md(server))**: \(md(gap))") }
            p()
        }
        p("## Analyst notes")
        p()
        if model.notes.isEmpty { p("No notes.") }
        for n in model.notes { p("- \(time(n.time)), \(md(n.user)): \(md(n.text))") }
        p()
        p("## Evidence files and SHA-256")
        p()
        p("\(LoadCommand.count(model.files.count, "file")); \(LoadCommand.count(model.auditCount, "command")) in the case's audit log.")
        p()
        p("| server | file | size | sha256 |")
        p("|---|---|---|---|")
        for f in model.files { p("| \(md(f.server)) | \(code(f.path)) | \(f.size) | \(code(f.sha256)) |") }
        p()
        o += ReportProvenance.markdown(model.provenance)
        return o
    }
}
