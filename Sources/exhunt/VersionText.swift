import Foundation
import InvestigationShell

/// `exhunt --version`: the version and commit, then the digests that identify the rules and indicators
/// this binary applies, and where it found its help and data.
enum VersionText {
    static func print(_ session: Session, json: Bool, output: TerminalOutput) {
        let p = Provenance.of(session)
        let home = BuildInfo.current.home ?? "not found (install with scripts/install, or set EXHUNT_HOME)"
        if json {
            guard case .object(var pairs) = p.json else { return }
            pairs.removeAll { ["timezone", "invocation", "commands", "unreadable_files", "rule_files"].contains($0.0) }
            pairs.append(("home", .string(home)))
            pairs.append(("data", .optional(Provenance.dataFolder)))
            output.write(JSONValue.object(pairs).serialized() + "\n")
            return
        }
        output.write(p.versionLine + "\n")
        for (key, value) in p.summaryLines where key != "exhunt" && key != "time zone" {
            output.write(key.padding(toLength: 9, withPad: " ", startingAt: 0) + value + "\n")
        }
        output.write("home     " + home + "\n")
        output.write("data     " + (Provenance.dataFolder ?? "not found") + "\n")
    }
}
