@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// The fast path — tests decided during the one multi-pattern scan, verdicts per distinct value, sorted
/// position lists, integer-keyed bursts — against an oracle that reads every event's values and decides each
/// item on them with the plain matcher, event by event.
@Suite struct SigmaFastPathTests {
    static let web: [String] = [
        // Case-insensitive contains, a method from the indexed column, a CIDR filter.
        """
            sel:
                cs-method: post
                cs-uri-query|contains: ['/OWA/', '/aspnet_CLIENT/', '/ecp/']
            filter:
                c-ip|cidr: ['10.0.0.0/8', '127.0.0.0/8']
            condition: sel and not filter
        """,
        // Ends with / starts with (verified during the scan), several groups and `|all`.
        """
            a:
                cs-uri-query|endswith: ['.ASPX', '.css', 'SetObject']
            b:
                cs-uri-query|startswith: '/ecp/'
                cs-uri-query|contains|all: ['schema=', 'reset', 'canary']
            condition: 1 of them
        """,
        // Wildcards with `?` and `*`, an escaped star, cased matching.
        """
            glob:
                cs-uri-query: ['/owa/auth/*/logon.?ss', '/aspnet_client/supp?rt.aspx*', '/owa/\\*star.aspx']
            cased:
                cs-uri-query|contains|cased: 'DDIService'
            cased_miss:
                cs-uri-query|contains|cased: 'ddiservice'
            condition: glob or cased and not cased_miss
        """,
        // Regular expressions (with and without a literal to find them by) and their flags.
        """
            re1:
                cs-uri-query|re: '(?i)/aspnet_client/[a-z0-9]{2,8}\\.aspx$'
            re2:
                cs-uri-query|re: '(ecp|owa)/.+\\.(css|svc)'
            re3:
                cs-uri-query|re|i: 'SUPP[0O]RT'
            condition: re1 or re2 or re3
        """,
        // Nulls and absent fields: a user name that is missing, a referer that is empty.
        """
            nouser:
                cs-username: null
            agent:
                c-useragent|contains: ['bot', 'mozilla', 'OFFICE']
            condition: nouser and agent
        """,
        // `not` at the top, `all of`, status codes, keywords.
        """
            sel_status:
                sc-status: ['200', '401']
            sel_kw:
                - 'antSword'
                - 'cafeReqId'
            condition: not (all of sel_* ) and not sel_kw
        """,
        // An empty-value test (no literal: decided event by event) beside a literal one.
        """
            empty:
                cs-uri-query|endswith: ''
            any:
                cs-uri-query|contains: '?'
            condition: empty and not any
        """,
    ]

    static let process: [String] = [
        """
            sel_img:
                Image|endswith: ['\\\\CMD.exe', '\\\\powershell.exe', '\\\\net.exe']
            sel_cli:
                CommandLine|windash|contains: [' -e', ' /c ']
            filter:
                User|contains: SYSTEM
            condition: 1 of sel_* and not filter
        """,
        """
            enc:
                CommandLine|base64offset|contains: ['IEX', 'Invoke']
            wide:
                CommandLine|wide|base64offset|contains: 'Invoke'
            glob:
                CommandLine: '*-ma * *lsass*'
            parent:
                ParentImage|startswith: 'c:\\\\windows\\\\system32\\\\inetsrv\\\\'
            condition: enc or wide or glob or parent
        """,
        """
            sel:
                CommandLine|contains|all: ['a', 'e', ' ']
                ParentImage|re: '(?i)w3wp|cmd'
            none:
                OriginalFileName: null
            condition: sel or not none
        """,
    ]

    /// Every rule, on every binding it has, gives the same events through `SigmaPass` as the oracle.
    @Test func passEqualsEventByEventOracle() throws {
        let store = SigmaFixture.store
        let cases = Self.web.map { (SigmaFixture.web, $0) } + Self.process.map { (SigmaFixture.process, $0) }
        var matched = 0
        for (n, (ls, det)) in cases.enumerated() {
            let rule = try SigmaFixture.parse(SigmaFixture.rule(ls, det))
            var expected = Set<EventID>()
            for binding in SigmaLogSourceMap.standard.bindings(for: rule.logsource) {
                let items = rule.items
                let table = SigmaTable(store: store, binding: binding, items: items)
                let reader = table.valueReader()
                func holds(_ c: SigmaCondition, _ pos: Int32) -> Bool {
                    switch c {
                    case .search(let s):
                        return rule.searches[s]!.alternatives.contains { alt in
                            alt.allSatisfy { table.holdsDirect(table.index(of: $0), at: pos, using: reader) }
                        }
                    case .and(let ps): return ps.allSatisfy { holds($0, pos) }
                    case .or(let ps): return ps.contains { holds($0, pos) }
                    case .not(let p): return !holds(p, pos)
                    }
                }
                let oracle = (0..<Int32(table.events.count)).filter { holds(rule.condition, $0) }
                table.prepare()
                // Each item decided by the fast path equals the item decided on the value.
                for i in table.items.indices {
                    let fast = table.positions(i)
                    let slow = (0..<Int32(table.events.count)).filter { table.holdsDirect(i, at: $0, using: reader) }
                    #expect(fast == slow, "rule \(n), item \(table.items[i].key) on \(binding.kind)")
                }
                #expect(SigmaEvaluator(table: table, rule: rule).positions() == oracle, "rule \(n) on \(binding.kind)")
                expected.formUnion(oracle.map { table.events[Int($0)] })
            }
            let found = Set(SigmaPass(rules: [rule]).run(on: store).flatMap(\.events))
            #expect(found == expected, "rule \(n)")
            matched += expected.isEmpty ? 0 : 1
        }
        // The cases are meant to match something: an oracle agreeing on nothing proves little.
        #expect(matched >= cases.count - 1)
    }

    /// A table scanned in several parts at once holds the same events and decides every item the same as one
    /// scanned whole (parts meet inside a file's events and across files).
    @Test func tableBuiltInPartsEqualsOneBuiltWhole() throws {
        let store = SigmaFixture.store
        let cases = Self.web.map { (SigmaFixture.web, $0) } + Self.process.map { (SigmaFixture.process, $0) }
        for (n, (ls, det)) in cases.enumerated() {
            let rule = try SigmaFixture.parse(SigmaFixture.rule(ls, det))
            let items = rule.items
            for binding in SigmaLogSourceMap.standard.bindings(for: rule.logsource) {
                let whole = SigmaTable(store: store, binding: binding, items: items, parts: 1)
                whole.prepare()
                for parts in [2, 3, 7] {
                    let cut = SigmaTable(store: store, binding: binding, items: items, parts: parts)
                    cut.prepare()
                    #expect(cut.events == whole.events, "rule \(n) on \(binding.kind) in \(parts) parts")
                    for i in whole.items.indices {
                        #expect(cut.positions(cut.index(of: whole.items[i])) == whole.positions(i), "rule \(n), item \(whole.items[i].key), \(parts) parts")
                    }
                }
            }
        }
    }

    /// Events cut into parts: contiguous, in order, about equal, nothing lost.
    @Test func splitKeepsOrderAndEveryEvent() {
        let ranges = [0..<5, 5..<5, 9..<20, 30..<31]
        for count in 1...6 {
            let parts = SigmaTable.split(ranges.filter { !$0.isEmpty }, into: count)
            #expect(parts.flatMap { $0.flatMap { Array($0) } } == ranges.flatMap { Array($0) })
            #expect(parts.count <= count)
            let sizes = parts.map { $0.reduce(0) { $0 + $1.count } }
            #expect((sizes.max() ?? 0) - (sizes.dropLast().min() ?? sizes.max() ?? 0) <= 1 || count == 1)
        }
    }

    /// The integer-keyed bursts are `Grouping.bursts`' groups, in the same order, with what a finding cites.
    @Test func burstsEqualGrouping() throws {
        let store = SigmaFixture.store
        let context = FindingContext(store: store)
        // Events in store order, and reversed (a group's hits then come against time and must be sorted).
        for events in [Array(0..<store.count), Array((0..<store.count).reversed())] {
            for field in [InternedField.clientIP, nil] {
                for stride in [1, 2, 3] {
                    let hits = Array(Swift.stride(from: Int32(0), to: Int32(events.count), by: stride))
                    let found = context.bursts(hits, events: events, keys: context.keys(events, by: field))
                    let fast = found.groups.map { Array(found.events[$0.range]) }
                    let plain = Grouping.bursts(hits.map { events[Int($0)] }, in: store, by: field)
                    #expect(fast == plain)
                    // Each burst carries its first event's file and line, and the time of its first event with one.
                    #expect(found.groups.map { [Int($0.file), Int($0.line)] } == plain.map { [Int(store.fileIndex[$0[0]]), store.line(of: $0[0])] })
                    #expect(found.groups.map(\.time) == plain.map { g in g.first { store.time[$0] != Timestamp.unknown }.map { store.time[$0] } ?? Timestamp.unknown })
                }
            }
        }
    }

    /// A finding's time is that of the first event of its burst that has one: a line whose date is damaged
    /// (kept, without a time) opens the burst but does not date it; activity after an hour's pause is a burst of
    /// its own, dated by its own first line.
    @Test func aBurstIsDatedByItsFirstEventWithATime() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-burst-time-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("EX01/inetpub/logs/LogFiles/W3SVC1")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let line = { (date: String) in "\(date) 10.0.0.5 POST /ecp/y.js /ecp/DDI 443 - 203.0.113.9 Mozilla/5.0 200 0 0 5\n" }
        let text = "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem "
            + "cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken\n"
            + line("2021-03-3x 06:00:00") + line("2021-03-03 06:10:00") + line("2021-03-03 09:00:00")
        try text.write(to: folder.appendingPathComponent("u_ex210303.log"), atomically: true, encoding: .utf8)
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.appendingPathComponent("EX01").path, into: store)
        #expect(store.count == 3 && store.time[0] == Timestamp.unknown)
        let rule = try SigmaFixture.parse(SigmaFixture.rule(SigmaFixture.web, """
                sel:
                    cs-uri-query|contains: '/ecp/'
                condition: sel
            """))
        let found = SigmaPass(rules: [rule]).run(on: store).sorted { $0.line < $1.line }
        #expect(found.map(\.events.count) == [2, 1])
        #expect(found.map(\.time) == [Timestamp.parse("2021-03-03T06:10:00Z"), Timestamp.parse("2021-03-03T09:00:00Z")])
    }

    /// Summaries read from many threads at once (a listing rendered on all cores) are those read one by one:
    /// each call reads with a reader of its own.
    @Test func summariesReadConcurrentlyEqualSerial() throws {
        let rules = try Self.web.map { try SigmaFixture.parse(SigmaFixture.rule(SigmaFixture.web, $0)) }
        let findings = SigmaPass(rules: rules).run(on: SigmaFixture.store)
        #expect(findings.count > 4)
        let serial = findings.map(\.summary)
        let seen = Summaries(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            // Each thread walks the findings from its own starting point, so threads meet on the same explainers.
            var mine = [String](repeating: "", count: findings.count)
            for k in 0..<findings.count {
                let i = (k + t * 3) % findings.count
                mine[i] = findings[i].summary
            }
            seen.set(t, mine)
        }
        for t in 0..<8 { #expect(seen.get(t) == serial) }
    }
}

/// Per-thread results of the concurrency test.
private final class Summaries: @unchecked Sendable {
    private var lists: [[String]]
    private let lock = NSLock()
    init(count: Int) { lists = Array(repeating: [], count: count) }
    func set(_ i: Int, _ l: [String]) { lock.withLock { lists[i] = l } }
    func get(_ i: Int) -> [String] { lock.withLock { lists[i] } }
}
