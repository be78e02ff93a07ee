@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// The set evaluation (postings, literal hits, narrowing ANDs, subtracting NOTs) must find exactly the events
/// a plain event-by-event evaluation of the same condition finds.
@Suite struct SigmaEvaluatorTests {
    static let detections: [(String, String)] = [
        (SigmaFixture.web, """
            sel:
                cs-method: POST
                cs-uri-query|contains: ['/owa/', '/aspnet_client/', '/ecp/']
            filter:
                c-ip|cidr: 10.0.0.0/8
            condition: sel and not filter
        """),
        (SigmaFixture.web, """
            a:
                cs-uri-query|endswith: ['.aspx', '.css']
            b:
                cs-user-agent|contains: ['bot', 'Mozilla']
            c:
                sc-status: ['200', '401']
            condition: (a or b) and not c or 1 of them and not a
        """),
        (SigmaFixture.web, """
            sel:
                cs-uri-query|contains|all: ['schema=', 'Reset']
            other:
                cs-uri-query|re: '(?i)supp[0o]rt'
            condition: not sel and not other
        """),
        (SigmaFixture.process, """
            sel_img:
                Image|endswith: ['\\\\cmd.exe', '\\\\powershell.exe', '\\\\net.exe']
            sel_cli:
                CommandLine|windash|contains: [' -e', ' /c ']
            filter:
                User|contains: SYSTEM
            condition: 1 of sel_* and not filter
        """),
        (SigmaFixture.process, """
            sel:
                CommandLine|contains: ['a', 'e']
                ParentImage|startswith: 'C:\\\\Windows'
            condition: not sel
        """),
    ]

    @Test func setEvaluationEqualsEventByEvent() throws {
        let store = SigmaFixture.store
        for (i, (ls, det)) in Self.detections.enumerated() {
            let rule = try SigmaFixture.parse(SigmaFixture.rule(ls, det))
            for binding in SigmaLogSourceMap.standard.bindings(for: rule.logsource) {
                let items = rule.items
                let table = SigmaTable(store: store, binding: binding, items: items)
                table.prepare()
                let fast = SigmaEvaluator(table: table, rule: rule).positions()
                func holds(_ c: SigmaCondition, _ pos: Int32) -> Bool {
                    switch c {
                    case .search(let n):
                        return rule.searches[n]!.alternatives.contains { alt in alt.allSatisfy { table.holdsDirect(table.index(of: $0), at: pos) } }
                    case .and(let ps): return ps.allSatisfy { holds($0, pos) }
                    case .or(let ps): return ps.contains { holds($0, pos) }
                    case .not(let p): return !holds(p, pos)
                    }
                }
                let slow = table.universe.filter { holds(rule.condition, $0) }
                #expect(fast == slow, "rule \(i) on \(binding.kind)/\(binding.channel ?? "*")")
                #expect(!table.events.isEmpty)
            }
        }
    }
}

/// The literal a regular expression must contain, which limits where it is run on text fields.
@Suite struct SigmaRegexLiteralTests {
    func literal(_ re: String) throws -> String { String(decoding: try SigmaRegex(re, options: []).requiredLiteral, as: UTF8.self) }

    @Test func literalRunsOutsideGroupsAndClasses() throws {
        #expect(try literal("(?i)/owa/[a-z0-9]{2,8}\\.aspx$") == "/owa/")
        #expect(try literal("ab?cde") == "cde")
        #expect(try literal("x(ab|c)yz") == "")
        #expect(try literal("^\\d+\\.\\d+$") == ".")
        #expect(try literal("Supp[0o]rt") == "supp")
    }
}
