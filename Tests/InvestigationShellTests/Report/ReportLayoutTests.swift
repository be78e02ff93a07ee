import ExchangeEvidence
import Foundation
import TestSupport
@testable import InvestigationShell
import Testing

/// The HTML report's layout: times, ids and addresses never wrap, the severity tables share their column
/// widths, and the chart spans the whole evidence period with the exposure windows drawn.
@Suite struct ReportLayoutTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Measures the rendered page: every `.nw` element must hold one line that fits its box (inline ones: one
    /// line), and the header
    /// cells of every findings table must have the same widths. The result lands in `body[data-layout]`.
    static let probe = """
        <script>
        const wrapped = [];
        for (const el of document.querySelectorAll('.nw')) {
          const range = document.createRange(); range.selectNodeContents(el);
          const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
          const style = getComputedStyle(el);
          const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          const overflows = style.display !== 'inline' && range.getBoundingClientRect().width > room + 1;
          if (tops.size > 1 || overflows) wrapped.push(el.textContent);
        }
        const widths = [...document.querySelectorAll('table.findings')].map(t => [...t.querySelectorAll('th')].map(th => Math.round(th.getBoundingClientRect().width)).join(','));
        document.body.setAttribute('data-layout', JSON.stringify({wrapped, widths, nw: document.querySelectorAll('.nw').length}));
        </script>
        """

    /// Headless Chromium's output; nil (the test skips with a message) when it does not answer within two minutes.
    static func chrome(_ args: [String], profile: URL) throws -> String? {
        let r = try Subprocess.run(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                               "--user-data-dir=\(profile.path)"] + args, timeout: 120)
        if r.timedOut { print("skipped: Chromium did not answer within 120 s (\(args.first ?? ""))") }
        return r.timedOut ? nil : r.stdout
    }

    @Test func timesIdsAndAddressesNeverWrapAndTablesLineUpAt1280And800() throws {
        guard Self.chromium != nil else {
            print("skipped: Chromium is not installed (scripts/setup installs it)")
            return
        }
        let (t, dir) = try TimelineCommandTests.loaded()
        defer { try? FileManager.default.removeItem(at: dir) }
        try t.run("mark Ecp/HttpProxy_2021030306-1.LOG:6 as malicious --note 'first SSRF request'")
        let report = dir.appendingPathComponent("report.html")
        try t.run("report \(report.path)")
        // A copy with the probe: the report itself allows no script.
        let html = try String(contentsOf: report, encoding: .utf8)
            .replacingOccurrences(of: #"<meta http-equiv="Content-Security-Policy"[^>]*>"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: "</body>", with: Self.probe + "</body>")
        let probed = dir.appendingPathComponent("probed.html")
        try html.write(to: probed, atomically: true, encoding: .utf8)
        for width in [1280, 800] {
            guard let dom = try Self.chrome(["--window-size=\(width),2000", "--virtual-time-budget=3000", "--dump-dom", probed.absoluteString],
                                            profile: dir.appendingPathComponent("chrome")) else { return }
            let attribute = try #require(dom.firstMatch(of: #/data-layout="([^"]*)"/#)?.1, "the probe ran at \(width) px")
            let json = String(attribute).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            let layout = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            #expect((layout["nw"] as! Int) > 50)
            #expect((layout["wrapped"] as! [String]).isEmpty, "wrapped at \(width) px: \(layout["wrapped"]!)")
            let widths = layout["widths"] as! [String]
            #expect(widths.count >= 3 && Set(widths).count == 1, "findings tables' columns at \(width) px: \(widths)")
            let png = dir.appendingPathComponent("report-\(width).png")
            guard try Self.chrome(["--window-size=\(width),2000", "--screenshot=\(png.path)", report.absoluteString],
                                  profile: dir.appendingPathComponent("chrome")) != nil else { return }
            let image = try Data(contentsOf: png)
            #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]) && image.count > 20_000)
            if let keep = ProcessInfo.processInfo.environment["EXHUNT_KEEP_SCREENSHOTS"] {
                try? FileManager.default.removeItem(atPath: keep + "/report-\(width).png")
                try FileManager.default.copyItem(at: png, to: URL(fileURLWithPath: keep + "/report-\(width).png"))
            }
        }
    }

    @Test func theChartSpansTheWholeEvidencePeriodAndShowsExposure() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try ReportModel.gather(t.session)
        let svg = TimelineChart(model: model, time: t.session.displayTime).render()
        // The training logs run to 2021-03-06 00:26: the axis reaches that day.
        let ticks = svg.matches(of: #/class="tick">([0-9-]+)</#).map { String($0.1) }
        #expect(ticks.first == "2021-02-25" && ticks.contains("2021-03-06"), "\(ticks)")
        // EX01 was open to ProxyLogon until the update on the evening of 4 March, EX02 until 3 March.
        let bands = svg.matches(of: #/<rect class="exposure"[^>]*><title>([^<]*)</#).map { String($0.1) }
        #expect(bands.contains { $0.hasPrefix("EX01: exposed to ProxyLogon") && $0.contains("until the update installed by 2021-03-04 21:19:46") })
        #expect(bands.contains { $0.hasPrefix("EX02: exposed to ProxyLogon") && $0.contains("until the update installed by 2021-03-03 10:13:16") })
        #expect(!bands.contains { $0.contains("ProxyNotShell") }, "a campaign not yet begun is not drawn")
    }

    /// A small set whose file listing dates files years back (install times): the listing's rows are not days of
    /// the evidence period, so the axis stays on the logs (reviewer: a 115-event set ran from 2019 to 2021).
    @Test func fileTimesDoNotStretchTheAxis() throws {
        let dir = ShellHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = dir.appendingPathComponent("ev/EX02")
        try FileManager.default.createDirectory(at: server.appendingPathComponent("W3SVC1"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: server.appendingPathComponent("listings"), withIntermediateDirectories: true)
        try """
            #Software: Microsoft Internet Information Services 10.0
            #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
            2021-03-03 03:40:13 10.0.10.12 GET /owa/ - 443 - 10.1.1.1 - - 200 0 0 2
            2021-03-04 03:40:13 10.0.10.12 GET /owa/ - 443 - 10.1.1.1 - - 200 0 0 2

            """.write(to: server.appendingPathComponent("W3SVC1/u_ex210303.log"), atomically: true, encoding: .utf8)
        let rows = (1...6).map { "\"C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\f\($0).js\",\"100\",\"2019-06-0\($0) 10:00:00\"" }
        try (["\"FullName\",\"Length\",\"LastWriteTimeUtc\""] + rows).joined(separator: "\r\n")
            .write(to: server.appendingPathComponent("listings/web.csv"), atomically: true, encoding: .utf8)
        let t = TestShell()
        try t.run("load '\(dir.appendingPathComponent("ev").path)'")
        #expect(t.session.store.count == 8)
        let model = try ReportModel.gather(t.session)
        #expect(model.daily.map(\.events) == [1, 1], "the two days of logs, not the listing's 2019")
        let ticks = TimelineChart(model: model, time: t.session.displayTime).render().matches(of: #/class="tick">([0-9-]+)</#).map { String($0.1) }
        #expect(!ticks.contains { $0.hasPrefix("2019") || $0.hasPrefix("2020") }, "\(ticks)")
    }

    @Test func denseDaysKeepAQuietLastDayAndDropStrayYears() {
        let day: Int64 = 86_400_000
        var daily: [(day: Int64, events: Int)] = [(0, 2)]                // a file time years before the logs
        for d in 1000..<1010 { daily.append((Int64(d) * day, 500)) }
        daily.append((1010 * day, 3))                                       // the last, quiet day of logs
        let kept = TimelineChart.denseDays(daily)
        #expect(kept.first == 1000 * day && kept.last == 1010 * day)
        let ticks = TimelineChart.ticks(from: 1000 * day, to: 1011 * day) { Timestamp.short($0) }
        #expect(ticks.first?.0 == 1000 * day && ticks.last?.0 == 1011 * day)
    }

    @Test func proseKeepsTimesAddressesAndRuleIdsWhole() {
        let html = ReportText.htmlKeepingTokens("SSRF 2021-03-03 06:49:42 (proxylogon.ssrf) from 167.99.168.251 <b>15.1.2176.9</b> x.proxylogon.ssrfy (2021-01-03)")
        #expect(html == "SSRF <span class=\"nw\">2021-03-03 06:49:42</span> (<span class=\"nw\">proxylogon.ssrf</span>) from "
                + "<span class=\"nw\">167.99.168.251</span> &lt;b&gt;15.1.2176.9&lt;/b&gt; x.proxylogon.ssrfy (<span class=\"nw\">2021-01-03</span>)")
    }

    /// A command quoted in the Markdown report reads as typed, backticks included (was rewritten to apostrophes),
    /// and control characters stay visible.
    /// An attacker's URL in Markdown prose is text, not a link GitHub-flavoured renderers would make of it (checked
    /// with cmark-gfm: `http\://` and `www\.` render as typed, unlinked); other colons and dots are left alone.
    @Test func barURLsAreNotAutolinks() {
        #expect(ReportText.markdown("from http://evil.example/x and HTTPS://e.example, www.evil.example")
                == "from http\\://evil.example/x and HTTPS\\://e.example, www\\.evil.example")
        #expect(ReportText.markdown("ftp://f.example/a; at 06:49:42 on x.www.y; mailto:a") == "ftp\\://f.example/a; at 06:49:42 on x.www\\.y; mailto:a")
        // A loaded rule's reference is meant to be followed: a link, when it is a plain http(s) URL.
        #expect(ReportText.markdownReference("https://x.example/a") == "<https://x.example/a>")
        #expect(ReportText.markdownReference("javascript:alert(1) <b>") == "javascript:alert(1) &lt;b&gt;")
    }

    @Test func codeSpansQuoteBackticksExactly() {
        #expect(ReportText.codeSpan("note a") == "`note a`")
        #expect(ReportText.codeSpan("note \"a`b\"") == "``note \"a`b\"``")
        #expect(ReportText.codeSpan("`x``") == "``` `x`` ```")
        #expect(ReportText.codeSpan("a\u{1b}[31m") == "`a\\x1b[31m`")
        // In a table cell a `|` would end the cell; GFM takes `\|` back out of the span.
        #expect(ReportText.codeSpan("a|b", inTable: true) == "`a\\|b`" && ReportText.codeSpan("") == "")
    }

    /// The values a summary quotes read and copy as the evidence has them; the prose around them is escaped, and
    /// an apostrophe inside a word opens nothing.
    @Test func summariesQuoteTheirValuesAsCode() {
        let summary = "AnchorMailbox 'ServerInfo~a]@EX01:444/ecp/x.js?&a=1#', status 200; the server's page ExternalUrl='<b>|x'"
        #expect(ReportText.markdownQuoting(summary) == "AnchorMailbox `ServerInfo~a]@EX01:444/ecp/x.js?&a=1#`, status 200; "
                + "the server's page ExternalUrl=`<b>\\|x`")
        #expect(ReportText.markdownQuoting("isn't a ~value~") == "isn't a \\~value\\~")
    }
}
