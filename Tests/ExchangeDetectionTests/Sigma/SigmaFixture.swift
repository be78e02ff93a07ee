@testable import ExchangeDetection
import ExchangeEvidence
import Foundation

/// Runs Sigma rules written in the tests against the hand-made evidence in `Fixtures/sigma` (IIS W3C,
/// HttpProxy ECP, Sysmon 1/11, Security 4688/4624 and MSExchange Management events in `wevtutil` XML).
enum SigmaFixture {
    static let store: EventStore = { try! RuleFixtures.store("sigma") }()

    static let process = "category: process_creation\n  product: windows"
    static let web = "category: webserver"

    /// A rule document around a `detection:` body (given indented by four spaces under `detection:`).
    static func rule(_ detection: String) -> String { rule(process, detection) }
    static func rule(id: String, _ detection: String) -> String { rule(process, id: id, detection) }

    static func rule(_ logsource: String, id: String = "00000000-0000-4000-8000-000000000001",
                     level: String = "high", _ detection: String) -> String {
        """
        title: Test rule
        id: \(id)
        status: test
        level: \(level)
        logsource:
          \(logsource)
        detection:
        \(detection)
        """
    }

    static func parse(_ yaml: String) throws -> SigmaRule {
        let r = SigmaParser.parse(yaml, file: "test.yml")
        if let p = r.problems.first { throw RuleLoadError("line \(p.line ?? 0): \(p.reason)") }
        return r.rules[0]
    }

    /// The events a rule matches: `rec:<EventRecordID>` for event-log records, `iis:<line>` / `hp:<line>` for web logs.
    static func hits(_ yaml: String) throws -> [String] {
        let rule = try parse(yaml)
        let findings = SigmaPass(rules: [rule]).run(on: store)
        return findings.flatMap(\.events).map(label).sorted()
    }

    static func label(_ id: EventID) -> String {
        switch store.kind(of: id) {
        case .iis: return "iis:\(store.line(of: id))"
        case .httpProxy: return "hp:\(store.line(of: id))"
        default: return "rec:\(store.field("EventRecordID", of: id) ?? "?")"
        }
    }

    /// The problem a rule text gives (nil when it loads).
    static func problem(_ yaml: String) -> RuleLoadProblem? { SigmaParser.parse(yaml, file: "test.yml").problems.first }
}
