@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// Which rules could run on a server, and on which period: the basis of "not enough coverage".
@Suite struct RuleCoverageTests {
    static let seen = Timestamp.parse("2021-01-03T00:00:00Z")!
    static let patched = Timestamp.parse("2021-03-04T21:19:46Z")!

    static func log(_ server: String, _ kind: SourceKind, _ first: String, _ last: String) -> LogCoverage {
        LogCoverage(server: server, kind: kind, channel: "", first: Timestamp.parse(first)!, last: Timestamp.parse(last)!, files: 2, events: 10)
    }

    static func assess(_ coverage: [LogCoverage], servers: [String] = ["EX01"]) -> RuleCoverage {
        RuleCoverage(rules: RuleRegistry.standard, coverage: coverage, servers: servers,
                     campaign: ("ProxyLogon", seen), patched: ["EX01": patched])
    }

    @Test func everyRuleDeclaresWhatItNeedsAndFamiliesShareALabel() {
        let byID = Dictionary(uniqueKeysWithValues: RuleRegistry.standard.map { ($0.id, $0.needs) })
        #expect(byID["proxylogon.ssrf"] == .httpProxy)
        #expect(byID["chain.proxylogon"] == .httpProxy)
        #expect(byID["proxylogon.ecp-set-vdir"] == .ecp)
        #expect(byID["proxylogon.oab-download"] == .oabGenerator)
        // Event-log rules need the channels of the Sigma log sources they read, named as loaded Sigma rules' are.
        #expect(byID["proxylogon.um-deserialization"]?.label == "Application event logs")
        #expect(byID["process.webserver-shell"]?.label == "Microsoft-Windows-Sysmon/Operational or Security event logs")
        #expect(byID["process.lsass-dump"] == byID["process.webserver-shell"])
        #expect(byID["webshell.write-event"]?.label == "Microsoft-Windows-Sysmon/Operational event logs")
        // The cmdlet rules read any log recording cmdlets, and need any of them.
        #expect(byID["exchange.transport-agent"] == .cmdletLogs && byID["exchange.transport-agent"]?.label == "Rps Cmdlet, ECP or event logs")
        #expect(byID["webshell.file"] == .fileListing)
        #expect(byID["webshell.content"] == .webFiles)
        for r in RuleRegistry.standard { #expect(Set(r.needs.kinds).isSubset(of: Set(r.sources)), "\(r.id)") }
    }

    @Test func aRuleWithoutItsEvidenceCouldNotRun() {
        let c = Self.assess([Self.log("EX01", .httpProxy, "2020-12-01T00:00:00Z", "2021-03-06T00:00:00Z")])
        #expect(c.couldRun("proxylogon.ssrf", on: "EX01"))
        #expect(!c.couldRun("webshell.file", on: "EX01"))
        let listing = c.gaps(of: "EX01", rules: ["webshell.file"])
        #expect(listing.map(\.need.label) == ["a file listing"])
        #expect(listing[0].sentence == "a file listing not loaded: 3 rules could not run (files.lsass-dump, files.programdata-archive, webshell.file)")
        #expect(listing[0].sentence(only: ["webshell.file"]) == "a file listing not loaded: webshell.file could not run")
        #expect(c.gaps(of: "EX01").contains { $0.need.kinds == [.eventLog] && !$0.couldRun })
        // HttpProxy logs reaching from before the campaign to after the patch are no gap.
        #expect(!c.gaps(of: "EX01").contains { $0.need == .httpProxy })
    }

    @Test func logsStartingAfterTheCampaignOrEndingBeforeThePatchArePartial() {
        let c = Self.assess([Self.log("EX01", .httpProxy, "2021-02-25T00:39:49Z", "2021-03-06T00:00:00Z"),
                             LogCoverage(server: "EX01", kind: .eventLog, channel: "Security", first: Timestamp.parse("2020-11-01T00:00:00Z")!,
                                         last: Timestamp.parse("2021-03-03T07:09:58Z")!, files: 1, events: 10),
                             Self.log("EX01", .fileListing, "2019-11-02T10:12:40Z", "2021-03-04T01:15:33Z")])
        let web = try! #require(c.families(of: "EX01").first { $0.need == .httpProxy })
        #expect(web.gaps == [.startsAfterCampaign(campaign: "ProxyLogon", firstSeen: Self.seen)])
        #expect(web.sentence.hasPrefix("HttpProxy logs start 2021-02-25, after ProxyLogon was first seen (2021-01-03): 7 rules ran on part of the period"))
        let events = try! #require(c.families(of: "EX01").first { $0.rules.contains("process.webserver-shell") })
        #expect(events.gaps == [.endsBeforePatch(patched: Self.patched)])
        #expect(events.sentence.hasPrefix("Microsoft-Windows-Sysmon/Operational or Security event logs end 2021-03-03 07:09, before the server was patched (2021-03-04 21:19)"))
        // A listing is a snapshot: its file times say nothing about the period it covers.
        #expect(c.families(of: "EX01").first { $0.need == .fileListing }?.gaps == [])
    }

    /// Test-ProxyLogon's CSVs hold the requests it flagged, not the logs it read: their first and last rows
    /// date no period, so HttpProxy rules that ran on them say so instead of "ran on part of the period".
    @Test func onlyAToolsSelectionOfRowsIsNoPeriodCovered() {
        var flagged = Self.log("EX01", .httpProxy, "2021-03-03T06:49:42Z", "2021-03-03T06:59:20Z")
        flagged.selectedBy = "Test-ProxyLogon"
        let c = Self.assess([flagged])
        let web = try! #require(c.families(of: "EX01").first { $0.need == .httpProxy })
        #expect(web.couldRun)
        #expect(web.gaps == [.onlySelectedRows(by: "Test-ProxyLogon")])
        #expect(web.first == Timestamp.unknown && web.last == Timestamp.unknown)
        #expect(web.sentence.hasPrefix("HttpProxy logs are only the rows Test-ProxyLogon selected: 7 rules ran on that selection only ("))
        // `IIS or HttpProxy logs` is not named again beside `HttpProxy logs` when HttpProxy's are what is loaded; its rules are counted.
        let said = c.sentences(of: "EX01").filter { $0.contains("Test-ProxyLogon") }
        #expect(said.count == 1 && said[0].hasPrefix("HttpProxy logs are only the rows Test-ProxyLogon selected: "), "\(said)")
        let web2 = try! #require(c.families(of: "EX01").first { $0.need == .webLogs })
        #expect(said[0].contains("\(web.rules.count + web2.rules.count) rules"))
        // Beside whole logs, the selection adds nothing to the period: the whole logs' own gaps stand.
        let both = Self.assess([flagged, Self.log("EX01", .httpProxy, "2021-02-25T00:39:49Z", "2021-03-06T00:00:00Z")])
        let whole = try! #require(both.families(of: "EX01").first { $0.need == .httpProxy })
        #expect(whole.gaps == [.startsAfterCampaign(campaign: "ProxyLogon", firstSeen: Self.seen)])
        #expect(whole.first == Timestamp.parse("2021-02-25T00:39:49Z")!)
    }

    /// HttpProxy and IIS logs both starting late: the wide family is named by what the narrow one leaves, once
    /// (reviewer: "HttpProxy logs and IIS or HttpProxy logs start …").
    @Test func aWideFamilyIsNamedByWhatTheNarrowOnesLeave() {
        // IIS's end before the patch is a gap of its own, so its family is said apart from the wide one.
        let c = Self.assess([Self.log("EX01", .httpProxy, "2021-03-03T00:00:00Z", "2021-03-06T00:00:00Z"),
                             Self.log("EX01", .iis, "2021-03-03T00:00:00Z", "2021-03-03T10:00:00Z")])
        let late = c.sentences(of: "EX01").filter { $0.contains("start 2021-03-03") }
        #expect(late.contains { $0.hasPrefix("HttpProxy logs and IIS logs start 2021-03-03, after") }, "\(late)")
        #expect(!late.contains { $0.contains("IIS or HttpProxy logs") })
    }

    /// A loaded Sigma rule is named in coverage by its own id, and its need follows its log source down to the
    /// channel: event logs loaded are not enough for a Sysmon rule when only Security's are.
    @Test func loadedSigmaRulesSayWhetherTheirLogSourceIsLoaded() throws {
        let dns = try SigmaFixture.parse(SigmaFixture.rule("category: dns_query\n  product: windows", id: "00000000-0000-4000-8000-0000000000d1",
                                                           "    sel:\n      QueryName|endswith: '.example'\n    condition: sel"))
        let process = try SigmaFixture.parse(SigmaFixture.rule(id: "00000000-0000-4000-8000-0000000000d2",
                                                               "    sel:\n      Image|endswith: '\\\\cmd.exe'\n    condition: sel"))
        let web = try SigmaFixture.parse(SigmaFixture.rule(SigmaFixture.web, id: "00000000-0000-4000-8000-0000000000d3",
                                                           "    sel:\n      cs-method: POST\n    condition: sel"))
        let pass = SigmaPass(rules: [dns, process, web])
        #expect(pass.coverageNeeds.map(\.need.label) == ["Microsoft-Windows-Sysmon/Operational event logs",
                                                         "Microsoft-Windows-Sysmon/Operational or Security event logs",
                                                         "IIS or HttpProxy logs"])
        let security = LogCoverage(server: "EX01", kind: .eventLog, channel: "Security", first: Self.seen - 86400,
                                   last: Self.patched + 86400, files: 1, events: 5)
        let c = RuleCoverage(rules: RuleRegistry.standard + [pass], coverage: [security], servers: ["EX01"],
                             campaign: ("ProxyLogon", Self.seen), patched: ["EX01": Self.patched])
        #expect(!c.couldRun(dns.findingRule, on: "EX01"))
        #expect(c.couldRun(process.findingRule, on: "EX01"))
        #expect(!c.couldRun(web.findingRule, on: "EX01"))
        // The web rule shares the built-in web rules' family; the Sysmon one is named by its channel.
        let sentences = c.sentences(of: "EX01")
        #expect(sentences.count == 1)
        #expect(sentences[0].contains("HttpProxy logs, IIS logs, Microsoft-Windows-Sysmon/Operational event logs, MSExchange Management event logs and OAB generator logs not loaded"))
        #expect(sentences[0].contains("Microsoft-Windows-Sysmon/Operational event logs"))
        #expect(c.gaps(of: "EX01", rules: [dns.findingRule]).map { $0.sentence(only: [dns.findingRule]) }
                == ["Microsoft-Windows-Sysmon/Operational event logs not loaded: \(dns.findingRule) could not run"])
        // Sysmon's channel as a file names it, in any case, lets it run.
        let sysmon = LogCoverage(server: "EX01", kind: .eventLog, channel: "Microsoft-Windows-Sysmon/Operational",
                                 first: Self.seen - 86400, last: Self.patched + 86400, files: 1, events: 5)
        let both = RuleCoverage(rules: [pass], coverage: [security, sysmon], servers: ["EX01"],
                                campaign: ("ProxyLogon", Self.seen), patched: ["EX01": Self.patched])
        #expect(both.couldRun(dns.findingRule, on: "EX01"))
    }
}

/// Event logs that yielded no event are loaded, hashed and listed, but no rule saw anything in them: they are
/// no coverage (reviewer: two unreadable `.evtx` gave "no findings" and event-log rules passed for having run).
@Suite struct EventlessCoverageTests {
    static func entry(_ channel: String, events: Int, eventless: [EventlessFile]) -> LogCoverage {
        LogCoverage(server: "EX01", kind: .eventLog, channel: channel, first: events > 0 ? RuleCoverageTests.seen - 86400 : Timestamp.unknown,
                    last: events > 0 ? RuleCoverageTests.patched + 86400 : Timestamp.unknown, files: max(1, eventless.count),
                    events: events, eventless: eventless)
    }

    static func assess(_ coverage: [LogCoverage]) -> RuleCoverage {
        RuleCoverage(rules: RuleRegistry.standard, coverage: coverage, servers: ["EX01"],
                     campaign: ("ProxyLogon", RuleCoverageTests.seen), patched: ["EX01": RuleCoverageTests.patched])
    }

    @Test func eventLogsOfWhichNoneCouldBeReadLetNoEventLogRuleRun() throws {
        let cut = [EventlessFile(path: "tiny.evtx", problem: "cannot open as EVTX: no ElfFile signature"),
                   EventlessFile(path: "headeronly.evtx", problem: "cannot open as EVTX: 4096 bytes, too short for a chunk")]
        let c = Self.assess([Self.entry("", events: 0, eventless: cut)])
        #expect(!c.couldRun("process.webserver-shell", on: "EX01"))
        let sentence = try #require(c.sentences(of: "EX01").first { $0.contains("tiny.evtx") })
        #expect(sentence.hasPrefix("event logs loaded but none could be read (2 files: tiny.evtx: cannot open as EVTX: no ElfFile signature; "
                                   + "headeronly.evtx: cannot open as EVTX: 4096 bytes, too short for a chunk): "), "\(sentence)")
        #expect(sentence.contains("could not run") && sentence.contains("proxylogon.um-deserialization"), "\(sentence)")
        #expect(!c.sentences(of: "EX01").contains { $0.contains("event logs not loaded") })
    }

    @Test func aLogReadCleanlyButHoldingNoEventIsSaidSo() throws {
        let c = Self.assess([Self.entry("", events: 0, eventless: [EventlessFile(path: "Security.evtx", problem: nil)])])
        #expect(c.sentences(of: "EX01").contains { $0.hasPrefix("event logs loaded but hold no event (1 file: Security.evtx: no event in it): ") })
    }

    @Test func anUnreadFileBesideReadLogsTakesNothingAway() {
        let c = Self.assess([Self.entry("Security", events: 20, eventless: []),
                             Self.entry("", events: 0, eventless: [EventlessFile(path: "tiny.evtx", problem: "cut off")])])
        #expect(c.couldRun("process.webserver-shell", on: "EX01"))
        #expect(!c.sentences(of: "EX01").contains { $0.contains("tiny.evtx") && $0.contains("process.webserver-shell") })
    }
}
