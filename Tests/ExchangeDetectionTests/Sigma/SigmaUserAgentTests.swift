@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// One request logged twice (`Fixtures/sigma-ua`): by IIS, which writes spaces as `+`, and by the HttpProxy
/// front end, which keeps spaces and drops commas. SigmaHQ's web rules are written in IIS's spelling; both
/// copies must match them, and a rule written with spaces too.
@Suite struct SigmaUserAgentTests {
    static let store: EventStore = { try! RuleFixtures.store("sigma-ua") }()

    func hits(_ values: String, modifier: String = "|contains") throws -> [String] {
        let rule = try SigmaFixture.parse(SigmaFixture.rule(SigmaFixture.web, """
                selection:
                    c-useragent\(modifier): \(values)
                condition: selection
            """))
        return SigmaPass(rules: [rule]).run(on: Self.store).flatMap(\.events).map { id in
            "\(Self.store.kind(of: id) == .iis ? "iis" : "hp"):\(Self.store.line(of: id))"
        }.sorted()
    }

    @Test func iisSpellingMatchesBothLogs() throws {
        #expect(try hits("'compatible;+Googlebot/2.1'") == ["hp:6", "iis:5"])
        #expect(try hits("'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.182+Safari/537.36'",
                         modifier: "") == ["hp:7", "iis:6"])
    }

    @Test func spacesMatchBothLogs() throws {
        #expect(try hits("'compatible; Googlebot/2.1'") == ["hp:6", "iis:5"])
        #expect(try hits("'*(KHTML, like Gecko)*'", modifier: "") == ["hp:7", "iis:6"])
    }

    /// Near misses: another version, and a regular expression, which reads the value as logged.
    @Test func nearMissesAndRegularExpressions() throws {
        #expect(try hits("'compatible;+Googlebot/2.2'").isEmpty)
        #expect(try hits(#"'Googlebot/2\.1;\+\+http'"#, modifier: "|re") == ["iis:5"])
    }
}
