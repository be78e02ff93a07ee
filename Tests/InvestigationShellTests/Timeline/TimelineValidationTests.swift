import Foundation
import InvestigationShell
import Testing

/// From a new user's report: filters that cannot match are errors that say why, not "no events match".
@Suite struct TimelineValidationTests {
    @Test func badAddressesAreErrors() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        #expect(t.failure("timeline --ip 167.99.168.251/33").contains("prefix length must be 0–32"))
        #expect(t.failure("timeline --ip not-an-ip").contains("'not-an-ip' is not an IP address"))
        #expect(t.failure("timeline --ip 167.99").contains("write '167.99.' or a CIDR block such as 167.99.0.0/16"))
        #expect(t.failure("timeline --ip 300.1.2.3").contains("is not an IP address"))
        #expect(t.failure("timeline --ip 10.0.0.0.0/8").contains("'10.0.0.0.0' is not an IP address"))
        #expect(t.failure("timeline --ip 2001:db8::/129").contains("prefix length must be 0–128"))
        #expect(t.failure("export timeline x.csv --filter '--ip 167.99'").contains("is not a whole IPv4 address"))
        // The documented forms still work: whole address, prefix ending in '.', CIDR, IPv6.
        let exact = try t.run("timeline --ip 167.99.168.251 --json").split(separator: "\n").count
        #expect(exact > 0)
        #expect(try t.run("timeline --ip 167.99. --json").split(separator: "\n").count == exact)
        #expect(try t.run("timeline --ip 167.99.0.0/16 --json").split(separator: "\n").count == exact)
        #expect(try t.run("timeline --ip ::1 --limit 1") == "no events match\n")
        #expect(try t.run("timeline --ip 2001:db8::/32 --limit 1") == "no events match\n", "IPv6 blocks are read like IPv4 ones")
    }

    @Test func unknownFieldsAndLabelsAreErrors() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let field = t.failure("timeline --field nosuchfield=1")
        #expect(field.contains("no loaded event has a field 'nosuchfield'") && field.contains("client_ip"))
        // Columns of logs and keys of event records are fields, found case-insensitively.
        #expect(try t.run("timeline --field cs-method=POST --limit 1 --json").contains("\"event\""))
        #expect(try t.run("timeline --field commandline='cmd /c whoami' --json").split(separator: "\n").count == 1)
        let label = t.failure("timeline --marked maliciuos")
        #expect(label.contains("'maliciuos' is not a mark label; labels: malicious, suspicious, benign, reviewed"))
    }

    /// A word that is no filter says that filters are options; a time after an unquoted date says to quote it; an
    /// error inside `--filter` names it (reviewer: `--filter x` spoke of dates).
    @Test func strayWordsSayWhatFiltersAre() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let word = t.failure("export timeline x.csv --filter x")
        #expect(word.contains("export timeline --filter: unexpected 'x' (filters are options, e.g. --server EX01"), "\(word)")
        #expect(t.failure("timeline EX01").contains("unexpected 'EX01' (filters are options"))
        #expect(t.failure("timeline --from 2021-03-03 6h").contains("quote a date with a time"))
    }

    /// Options one form of the command would ignore are refused, as is an option that takes one value given two
    /// (reviewer: the last silently won, or the option did nothing); an export's --limit counts what it writes.
    @Test func ignoredOrRepeatedOptionsAreRefused() throws {
        let (t, dir) = try TimelineCommandTests.loaded()
        #expect(t.failure("timeline --by day").contains("--by sets the --histogram's bucket; add --histogram"))
        #expect(t.failure("timeline --window 10m").contains("give --around too"))
        #expect(t.failure("timeline --histogram --limit 5").contains("a --histogram counts them all"))
        #expect(t.failure("sources --files --problems").contains("--files or --problems, not both"))
        #expect(t.failure("marks extra").contains("unexpected argument 'extra'"))
        #expect(t.failure("hunt --min-severity high --min-severity low").contains("--min-severity given twice ('high', 'low')"))
        let file = dir.appendingPathComponent("five.csv")
        try t.run("export timeline '\(file.path)' --filter '--limit 5'")
        #expect(try String(contentsOf: file, encoding: .utf8).split(separator: "\n").count == 6, "a header and five events with a time")
    }

    @Test func findingsColumnShowsEveryID() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        try t.run("hunt")
        let out = try t.run("timeline --findings")
        #expect(out.contains("F6,F14,F15"))   // the collected web shell: chain, webshell.content, webshell.file
        #expect(!out.contains("F…"))
    }
}
