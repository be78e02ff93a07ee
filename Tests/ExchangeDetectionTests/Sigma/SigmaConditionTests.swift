@testable import ExchangeDetection
import Testing

/// Every condition form: and/or/not, parentheses, `1 of`/`all of` with patterns and `them`, lists of maps,
/// condition lists; and the constructs exhunt refuses (aggregation, `near`, correlations, timeframe).
@Suite struct SigmaConditionTests {
    func hits(_ detection: String) throws -> [String] {
        try SigmaFixture.hits(SigmaFixture.rule(detection))
    }

    @Test func andNot() throws {
        #expect(try hits("""
                selection:
                    Image|endswith: '\\powershell.exe'
                filter:
                    CommandLine|contains: '-nop'
                condition: selection and not filter
            """) == ["rec:105", "rec:106"])
    }

    @Test func orAndParentheses() throws {
        #expect(try hits("""
                a:
                    Image|endswith: '\\cmd.exe'
                b:
                    Image|endswith: '\\net.exe'
                c:
                    ParentImage|endswith: '\\w3wp.exe'
                condition: (a or b) and not c
            """) == ["rec:107"])
        #expect(try hits("""
                a:
                    Image|endswith: '\\cmd.exe'
                b:
                    Image|endswith: '\\net.exe'
                condition: a or b
            """) == ["rec:101", "rec:107"])
    }

    @Test func notAlone() throws {
        #expect(try hits("""
                sel:
                    Image|contains: 'System32'
                condition: not sel
            """) == ["rec:104"])
    }

    @Test func oneOfAndAllOfPatterns() throws {
        let body = """
                selection_shell:
                    Image|endswith: ['\\cmd.exe', '\\powershell.exe']
                selection_parent:
                    ParentImage|endswith: '\\w3wp.exe'
                other:
                    Image|endswith: '\\net.exe'
            """
        #expect(try hits(body + "\n    condition: all of selection_*") == ["rec:101"])
        #expect(try hits(body + "\n    condition: 1 of selection_*") == ["rec:101", "rec:103", "rec:105", "rec:106", "rec:301"])
        #expect(try hits(body + "\n    condition: 1 of selection_* and not other") == ["rec:101", "rec:103", "rec:105", "rec:106", "rec:301"])
    }

    @Test func themSkipsUnderscoreNames() throws {
        let body = """
                a:
                    Image|endswith: '\\cmd.exe'
                b:
                    ParentImage|endswith: '\\w3wp.exe'
                _helper:
                    Image|endswith: '\\net.exe'
            """
        #expect(try hits(body + "\n    condition: all of them") == ["rec:101"])
        #expect(try hits(body + "\n    condition: 1 of them") == ["rec:101", "rec:301"])
    }

    @Test func listOfMapsIsAnyMap() throws {
        #expect(try hits("""
                sel:
                    - Image|endswith: '\\cmd.exe'
                      ParentImage|endswith: '\\w3wp.exe'
                    - Image|endswith: '\\net.exe'
                condition: sel
            """) == ["rec:101", "rec:107"])
    }

    @Test func conditionListIsAnyCondition() throws {
        #expect(try hits("""
                a:
                    Image|endswith: '\\cmd.exe'
                b:
                    Image|endswith: '\\net.exe'
                condition:
                    - a
                    - b
            """) == ["rec:101", "rec:107"])
    }

    @Test func precedenceNotBindsTighterThanAndThanOr() throws {
        let c = try SigmaCondition.parse("a or not b and c", names: ["a", "b", "c"])
        #expect(c == .or([.search("a"), .and([.not(.search("b")), .search("c")])]))
    }

    /// A search named with modifiers (`keywords|all:`) is told as such, not as a missing search.
    @Test func modifiersOnASearchNameAreNamed() {
        let p = SigmaFixture.problem(SigmaFixture.rule("""
                keywords|all:
                    - 'whoami'
                    - 'net user'
                condition: keywords
            """))
        #expect(p?.reason.contains("the search is called 'keywords|all': a search's name takes no modifiers") == true, "\(String(describing: p?.reason))")
    }

    @Test func unsupportedConstructsAreReportedWithReason() {
        let agg = SigmaFixture.problem(SigmaFixture.rule("""
                sel:
                    Image|endswith: '\\cmd.exe'
                condition: sel | count() by ParentImage > 5
            """))
        #expect(agg?.unsupported == true)
        #expect(agg?.reason.contains("aggregation") == true)
        #expect(agg?.line == 11)
        let near = SigmaFixture.problem(SigmaFixture.rule("""
                a:
                    Image|endswith: '\\cmd.exe'
                b:
                    Image|endswith: '\\net.exe'
                condition: a near b
            """))
        #expect(near?.unsupported == true)
        let timeframe = SigmaFixture.problem(SigmaFixture.rule("""
                a:
                    Image|endswith: '\\cmd.exe'
                timeframe: 5m
                condition: a
            """))
        #expect(timeframe?.unsupported == true)
        let correlation = SigmaFixture.problem("""
            title: Many shells
            id: 11111111-0000-4000-8000-000000000000
            correlation:
              type: event_count
              rules: [x]
              timespan: 1h
            """)
        #expect(correlation?.unsupported == true)
        #expect(correlation?.reason.contains("correlation") == true)
    }

    @Test func brokenConditionsAreReported() {
        let unknown = SigmaFixture.problem(SigmaFixture.rule("""
                a:
                    Image|endswith: '\\cmd.exe'
                condition: a and b
            """))
        #expect(unknown?.unsupported == false)
        #expect(unknown?.reason.contains("'b'") == true)
        let paren = SigmaFixture.problem(SigmaFixture.rule("""
                a:
                    Image|endswith: '\\cmd.exe'
                condition: (a
            """))
        #expect(paren?.reason.contains("missing ')'") == true)
    }
}
