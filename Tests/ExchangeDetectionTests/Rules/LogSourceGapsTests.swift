@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// Built-in event-log rules say which channel and event they lack, as loaded Sigma rules do (reviewer: on a
/// Security log without 4688, no Application, Sysmon or cmdlet log, the only note was "10 rules ran on part of
/// the period").
@Suite struct LogSourceGapsTests {
    static func sentences(_ store: EventStore, only: Set<String>? = nil) -> [String] {
        let hunt = Hunter().run(on: store, only: only)
        return RuleCoverage.of(store, coverage: hunt.coverage, fieldGaps: hunt.fieldGaps).sentences(of: "EX01", rules: only)
    }

    @Test func aSecurityLogWithoutProcessEventsLetsNoProcessRuleMatch() throws {
        guard let store = try RuleFixtures.evtxStore("security-benign-logons.evtx") else { return }
        let said = Self.sentences(store)
        #expect(said.contains("no Security event 4688 is loaded: 4 rules cannot match (process.webserver-shell, process.lsass-dump, process.7zip-programdata, …)"),
                "\(said)")
        // The channels no rule could read are named as what to collect, the Sigma mapping's names.
        let missing = try #require(said.first { $0.contains("not loaded") })
        for channel in ["Application event logs", "Microsoft-Windows-Sysmon/Operational event logs", "MSExchange Management event logs"] {
            #expect(missing.contains(channel), "\(missing)")
        }
        #expect(Self.sentences(store, only: ["process.lsass-dump"]).contains("no Security event 4688 is loaded: process.lsass-dump cannot match"))
    }

    @Test func processEventsInTheLogLetTheRulesMatch() throws {
        guard let store = try RuleFixtures.evtxStore("lsass-dump-comsvcs-minidump-security-4688.evtx") else { return }
        #expect(!Self.sentences(store).contains { $0.contains("cannot match") })
    }
}
