@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// A `re` that backtracks without end, or that ICU gives up on, is stopped, counts as no match for that value,
/// and is reported as an info finding `sigma:error` naming the rule, the expression and the events; the other
/// values are still matched.
@Suite struct SigmaRegexStopTests {
    static func store(queries: [String]) throws -> (EventStore, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-re-\(UUID().uuidString)")
        let folder = dir.appendingPathComponent("EX01/inetpub/logs/LogFiles/W3SVC1")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var text = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2021-03-03 00:00:00\n"
            + "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
        for (i, q) in queries.enumerated() {
            text += "2021-03-03 06:0\(i):00 10.0.0.5 GET /owa/auth/x.js \(q) 443 - 203.0.113.9 Mozilla/5.0 - 200 0 0 5\n"
        }
        try text.write(to: folder.appendingPathComponent("u_ex210303.log"), atomically: true, encoding: .utf8)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.appendingPathComponent("EX01").path, into: store)
        return (store, dir)
    }

    /// A web rule whose one test is `cs-uri-query|re: PATTERN`.
    static func rule(_ pattern: String) throws -> SigmaRule {
        try SigmaFixture.parse(SigmaFixture.rule(SigmaFixture.web, """
                sel:
                    cs-uri-query|re: '\(pattern)'
                condition: sel
            """))
    }

    @Test func aRunawayExpressionIsStoppedAndReported() throws {
        let slow = String(repeating: "a", count: 40) + "!"
        let (store, dir) = try Self.store(queries: ["aaaa", slow, "bbbb"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let rule = try Self.rule("(a+)+$")
        let findings = SigmaPass(rules: [rule]).run(on: store)
        let hits = findings.filter { $0.rule == rule.findingRule }
        #expect(hits.flatMap(\.events).map { store.line(of: $0) } == [5], "the quick value still matches")
        let stop = try #require(findings.first { $0.rule == "sigma:error" })
        #expect(stop.severity == .info && stop.events.map { store.line(of: $0) } == [6])
        #expect(stop.summary.contains("\(rule.findingRule) (Test rule): /(a+)+$/ on cs-uri-query was stopped on 1 value"), "\(stop.summary)")
        #expect(stop.summary.contains(slow))

        // A second hunt starts afresh: the stop is reported once again, not twice.
        #expect(SigmaPass(rules: [rule]).run(on: store).filter { $0.rule == "sigma:error" }.count == 1)
    }

    /// ICU overflows its backtracking stack on a deep alternation over a long value and reports no match:
    /// that is a stop too, not a clean result.
    @Test func anExpressionICUGivesUpOnIsReported() throws {
        let (store, dir) = try Self.store(queries: [String(repeating: "x", count: 200_000)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let findings = SigmaPass(rules: [try Self.rule("(x|x)*y")]).run(on: store)
        #expect(findings.map(\.rule) == ["sigma:error"], "\(findings.map(\.summary))")
    }

    /// After `giveUpAfter` stopped values the expression is not searched again in that hunt: a fourth and fifth
    /// runaway value cost nothing and are not recorded; a new hunt searches again.
    @Test func anExpressionIsGivenUpAfterItsStops() throws {
        let regex = try #require(SigmaRegexStopReport.regexes(of: try Self.rule("(a+)+$").items).first)
        let slow = String(repeating: "a", count: 40) + "!"
        for _ in 0..<(SigmaRegex.giveUpAfter + 2) { #expect(!regex.matches(slow)) }
        #expect(regex.stops.stoppedValues.count == SigmaRegex.giveUpAfter && regex.stops.givenUp)
        regex.stops.reset()
        #expect(!regex.stops.givenUp && regex.matches("aaa"))
    }
}
