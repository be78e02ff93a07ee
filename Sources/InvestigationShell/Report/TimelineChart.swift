import ExchangeEvidence

/// An SVG timeline (no script): events per day as grey bars, then one lane per server with the marked
/// events (circles, coloured by label) and findings (diamonds, coloured by severity). Hovering shows a
/// native tooltip from `<title>`. All text is HTML-escaped.
struct TimelineChart {
    let model: ReportModel
    let time: (Int64) -> String

    static let labelColors = ["malicious": "#c0392b", "suspicious": "#e67e22", "benign": "#27ae60", "reviewed": "#2980b9"]
    static let severityColors = ["critical": "#6d0000", "high": "#c0392b", "medium": "#e67e22", "low": "#d4ac0d", "info": "#7f8c8d"]

    /// The whole span of the evidence, and a close-up of the marks and findings when they sit in a small part of it.
    func render() -> String {
        // Info findings (a vendor's compiled assemblies, dated when installed) do not stretch the axis.
        let points = model.marks.map(\.eventTime) + model.servers.flatMap(\.findings).filter { $0.facts.severity != "info" }.map(\.facts.time)
        let known = points.filter { $0 != Timestamp.unknown }
        let days = Self.denseDays(model.daily)
        guard let start = (days + known).min(), let end0 = (days.map { $0 + 86_400_000 } + known).max() else {
            return "<p>No dated events to chart.</p>"
        }
        let end = max(end0, start + 3_600_000)
        let outside = model.daily.filter { $0.day + 86_400_000 <= start || $0.day >= end }.reduce(0) { $0 + $1.events }
        var out = chart(from: start, to: end, bars: true, title: "All loaded evidence"
                        + (outside > 0 ? " (\(outside) events dated far outside this span are not drawn)" : ""))
        // The close-up follows the analyst's marks (the story they built), else the serious findings.
        let focusTimes = model.marks.isEmpty
            ? model.servers.flatMap(\.findings).filter { $0.rank <= 1 }.map(\.facts.time)
            : model.marks.map(\.eventTime)
        let focus = focusTimes.filter { $0 != Timestamp.unknown }
        if let a = focus.min(), let b = focus.max(), b - a < (end - start) / 8 {
            let pad = max((b - a) / 10, 60_000)
            out += chart(from: a - pad, to: b + pad, bars: false, title: "Close-up: \(time(a - pad)) to \(time(b + pad))")
        }
        return out
    }

    /// The days that hold the bulk of the events: a few stray dates (file times from years ago, a wrong
    /// clock) would otherwise squeeze the logs into a sliver. Days are grouped into runs without a gap of more
    /// than a week; runs holding at most 0.5% of the events are left out, and everything between the first and
    /// last run kept is drawn — a quiet last day of logs is part of the evidence period.
    static func denseDays(_ daily: [(day: Int64, events: Int)]) -> [Int64] {
        guard !daily.isEmpty else { return [] }
        let gap: Int64 = 7 * 86_400_000
        var runs: [Range<Int>] = []
        var first = 0
        for i in daily.indices.dropFirst() where daily[i].day - daily[i - 1].day > gap {
            runs.append(first..<i)
            first = i
        }
        runs.append(first..<daily.count)
        let total = daily.reduce(0) { $0 + $1.events }
        let kept = runs.filter { r in daily[r].reduce(0) { $0 + $1.events } * 200 > total }
        guard let lo = kept.first?.lowerBound, let hi = kept.last?.upperBound else { return daily.map(\.day) }
        return daily[lo..<hi].map(\.day)
    }

    private func chart(from start: Int64, to end: Int64, bars: Bool, title: String) -> String {
        let width = 960.0, left = 90.0, right = 40.0, barHeight = bars ? 70.0 : 0, lane = 44.0
        let servers = model.servers.map(\.server)
        let height = 30 + barHeight + Double(servers.count) * lane + 40
        let span = Double(end - start)
        func x(_ t: Int64) -> Double { left + (width - left - right) * Double(t - start) / span }
        var s = "<figure class=\"chart\"><figcaption>\(ReportText.html(title))</figcaption>"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" style=\"max-width:\(Int(width))px\" role=\"img\">"
        s += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#fff\"/>"
        var y = 20.0
        if bars {
            let peak = Double(max(1, model.daily.map(\.events).max() ?? 1))
            let dayWidth = max(1, x(start + 86_400_000) - x(start) - 1)
            for d in model.daily where d.day + 86_400_000 > start && d.day < end {
                let h = (barHeight - 10) * Double(d.events) / peak
                s += "<rect x=\(q(x(d.day))) y=\(q(y + barHeight - 10 - h)) width=\(q(dayWidth)) height=\(q(h)) fill=\"#c8ccd0\">"
                s += "<title>\(ReportText.html(time(d.day).prefix(10) + ": \(d.events) events"))</title></rect>"
            }
            s += "<text x=\"8\" y=\(q(y + 30)) class=\"lane\">events/day</text>"
            y += barHeight
        }
        for (i, server) in servers.enumerated() {
            let mid = y + lane / 2
            if i % 2 == 0 { s += "<rect x=\(q(left)) y=\(q(y)) width=\(q(width - left - right)) height=\(q(lane)) fill=\"#f4f6f7\"/>" }
            s += "<text x=\"8\" y=\(q(mid + 4)) class=\"lane\">\(ReportText.html(server))</text>"
            let assessment = model.servers[i]
            for w in assessment.exposure {
                let a = max(start, w.opensBeforeEvidence ? start : w.from), b = min(end, w.until ?? end)
                guard a < b else { continue }
                let open = w.opensBeforeEvidence ? "before the first build evidence (\(time(w.from)))" : time(w.from)
                let until = w.until.map { "until the update installed by \(time($0))" } ?? "still open at the end of the evidence"
                s += "<rect class=\"exposure\" x=\(q(x(a))) y=\(q(y + 2)) width=\(q(x(b) - x(a))) height=\(q(lane - 4)) fill=\"#c0392b\" fill-opacity=\"0.13\">"
                s += "<title>\(ReportText.html("\(server): exposed to \(w.campaign) (\(w.cves.joined(separator: ", "))) from \(open) \(until)"))</title></rect>"
            }
            for f in assessment.findings where f.facts.time != Timestamp.unknown && f.facts.time >= start && f.facts.time <= end {
                let cx = x(f.facts.time), cy = mid - 8
                s += "<path d=\"M\(f2(cx)) \(f2(cy - 6)) L\(f2(cx + 6)) \(f2(cy)) L\(f2(cx)) \(f2(cy + 6)) L\(f2(cx - 6)) \(f2(cy)) Z\" "
                s += "fill=\"\(Self.severityColors[f.facts.severity] ?? "#7f8c8d")\" fill-opacity=\"0.85\">"
                s += "<title>\(ReportText.html("\(f.id) \(f.facts.severity) \(time(f.facts.time)) \(f.facts.title)"))</title></path>"
            }
            for m in assessment.marks where m.eventTime != Timestamp.unknown && m.eventTime >= start && m.eventTime <= end {
                s += "<circle cx=\(q(x(m.eventTime))) cy=\(q(mid + 8)) r=\"5\" fill=\"\(Self.labelColors[m.label] ?? "#555")\" fill-opacity=\"0.85\">"
                s += "<title>\(ReportText.html("\(m.label) \(time(m.eventTime)) \(m.message)"))</title></circle>"
            }
            y += lane
        }
        // Axis: ticks on round hours or days, from the first inside the span to the last, the end included.
        s += "<line x1=\(q(left)) y1=\(q(y)) x2=\(q(width - right)) y2=\(q(y)) stroke=\"#555\"/>"
        for (t, label) in Self.ticks(from: start, to: end, time: time) {
            s += "<line x1=\(q(x(t))) y1=\(q(y)) x2=\(q(x(t))) y2=\(q(y + 5)) stroke=\"#555\"/>"
            s += "<text x=\(q(x(t))) y=\(q(y + 18)) text-anchor=\"middle\" class=\"tick\">\(ReportText.html(label))</text>"
        }
        s += "</svg></figure>\n"
        return s
    }

    /// Tick times and labels: the smallest round step giving at most twelve ticks, aligned to the step (days to
    /// UTC midnight), the first at or after `start` and the last at or before `end` — so the axis reaches the
    /// end of the evidence.
    static func ticks(from start: Int64, to end: Int64, time: (Int64) -> String) -> [(Int64, String)] {
        let day: Int64 = 86_400_000
        let steps: [Int64] = [60_000, 300_000, 900_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, day, 2 * day, 7 * day, 14 * day, 30 * day, 91 * day, 365 * day]
        let step = steps.first(where: { (end - start) / $0 <= 12 }) ?? max(day, (end - start) / 12 / day * day)
        var out: [(Int64, String)] = []
        var t = (start + step - 1) / step * step
        while t <= end {
            out.append((t, step >= day ? String(time(t).prefix(10)) : String(time(t).dropFirst(5).prefix(11))))
            t += step
        }
        return out
    }

    private func q(_ v: Double) -> String { "\"" + f2(v) + "\"" }
    private func f2(_ v: Double) -> String { String(Double(Int((v * 10).rounded())) / 10) }
}
