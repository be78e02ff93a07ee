@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// The index orders over integer ranks list findings exactly as sorting the findings by their fields does,
/// ties included (kept in their original order).
@Suite struct FindingOrderTests {
    /// Findings with many ties: few servers, rules, severities and times.
    static func sample(_ n: Int, seed: UInt64) -> [Finding] {
        var rng = SplitMix(seed)
        return (0..<n).map { i in
            let rule = ["sigma:b", "sigma:a", "proxylogon.ssrf", "z"][Int(rng.next() % 4)]
            return Finding(rule: rule, title: rule, cves: [], severity: Severity(rawValue: Int(rng.next() % 5))!,
                           server: ["EX02", "EX01", "ex01", "EX10"][Int(rng.next() % 4)], time: Int64(rng.next() % 6),
                           events: [i], file: "", line: i, summary: "\(i)")
        }
    }

    @Test func byTimeEqualsSortingByFields() {
        for seed in 1...5 as ClosedRange<UInt64> {
            let f = Self.sample(400, seed: seed)
            let oracle = Self.byTimeOracle(f)
            #expect(FindingOrder.byTime(f) == oracle)
            let some = f.indices.filter { $0 % 3 != 0 }
            #expect(FindingOrder.byTime(f, among: some) == oracle.filter { $0 % 3 != 0 })
        }
    }

    @Test func byServerSeverityEqualsSortingByFields() {
        for seed in 1...5 as ClosedRange<UInt64> {
            let f = Self.sample(400, seed: seed)
            let oracle = f.indices.sorted { a, b in
                let x = f[a], y = f[b]
                if x.server != y.server { return x.server < y.server }
                if x.severity != y.severity { return x.severity > y.severity }
                if x.time != y.time { return x.time < y.time }
                if x.rule != y.rule { return x.rule < y.rule }
                return a < b
            }
            #expect(FindingOrder.byServerSeverity(f) == oracle)
            #expect(Hunter.byServerSeverity(f).map(\.line) == oracle)
        }
    }

    /// Past `parallelFrom` keys each core sorts half and the halves are merged: the same order, ties included.
    @Test func largeListsSortedInHalvesKeepTheOrder() {
        let n = FindingOrder.parallelFrom * 2 + 7
        // Findings of a few shared rules and files, as a Sigma pass writes them.
        let abouts = ["sigma:b", "sigma:a", "z"].map { Finding.About(rule: $0, title: $0, cves: [], severity: .high) }
        let origins = ["EX02", "EX01", "EX10"].map { Finding.Origin(server: $0, file: "f") }
        var rng = SplitMix(9)
        let f = (0..<n).map { i in
            Finding(about: abouts[Int(rng.next() % 3)], origin: origins[Int(rng.next() % 3)], time: Int64(rng.next() % 50),
                    events: FindingEvents([i]), line: i, explainer: Fixed())
        }
        #expect(FindingOrder.byTime(f) == Self.byTimeOracle(f))
    }

    /// Indexes sorted by the findings' own fields: time, server, rule, then index.
    static func byTimeOracle(_ f: [Finding]) -> [Int] {
        f.indices.sorted { a, b in
            let x = f[a], y = f[b]
            if x.time != y.time { return x.time < y.time }
            if x.server != y.server { return x.server < y.server }
            if x.rule != y.rule { return x.rule < y.rule }
            return a < b
        }
    }

    /// A deferred summary reads the same as the text it stands for; findings compare and hash by what they say.
    @Test func deferredSummaryIsWrittenWhenRead() {
        final class Counting: FindingExplainer, @unchecked Sendable {
            var calls = 0
            func summary(of events: FindingEvents) -> String { calls += 1; return "events \(events.array)" }
        }
        let explainer = Counting()
        // Events shared with other findings: a run of a longer list.
        let lazy = Finding(about: .init(rule: "r", title: "t", cves: [], severity: .high), origin: .init(server: "EX01", file: "f"),
                           time: 1, events: FindingEvents([3, 4, 5, 6], range: 1..<3), line: 2, explainer: explainer)
        #expect(explainer.calls == 0)
        #expect(MemoryLayout<Finding>.stride <= 72)  // a Sigma hunt holds millions: keep it small
        #expect(lazy.events.array == [4, 5] && lazy.events.count == 2 && lazy.events[0] == 4)
        let plain = Finding(rule: "r", title: "t", cves: [], severity: .high, server: "EX01", time: 1, events: [4, 5],
                            file: "f", line: 2, summary: "events [4, 5]")
        #expect(lazy.summary == "events [4, 5]")
        #expect(lazy == plain)
        #expect(Set([lazy, plain]).count == 1)
        let other = Finding(rule: "r", title: "t", cves: [], severity: .high, server: "EX01", time: 1, events: [4, 5],
                            file: "f", line: 2, summary: "something else")
        #expect(lazy != other)
    }
}

/// An explainer whose summary does not matter to the test.
private final class Fixed: FindingExplainer {
    func summary(of events: FindingEvents) -> String { "" }
}

/// A small deterministic generator for test data.
private struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
