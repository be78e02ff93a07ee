import InvestigationShell
import Testing

@Suite struct ArgumentsTests {
    let specs: [OptionSpec] = [.flag("json", "json"), .value("name", short: "n", "NAME", "name"), .repeated("tag", "TAG", "tag"),
                               .value("by", "UNIT", "unit", choices: ["hour", "day"])]

    @Test func parsesOptionsAndPositionals() throws {
        let a = try Arguments.parse(["x", "--json", "--tag=a", "--tag", "b", "-n", "EX02", "--", "--literal"], specs: specs, command: "t")
        #expect(a.positional == ["x", "--literal"])
        #expect(a.flag("json"))
        #expect(a.value("name") == "EX02")
        #expect(a.values("tag") == ["a", "b"])
    }

    @Test func relativeTimesAndNegativeNumbersArePositional() throws {
        #expect(try Arguments.parse(["-2h", "-5"], specs: specs, command: "t").positional == ["-2h", "-5"])
    }

    @Test func mistakesGetSpecificMessages() {
        func message(_ words: [String]) -> String {
            do { _ = try Arguments.parse(words, specs: specs, command: "t"); return "" } catch { return "\(error)" }
        }
        #expect(message(["--nme", "x"]) == "t: unknown option '--nme' (did you mean --name?)")
        #expect(message(["--name"]) == "t: --name needs a value (NAME)")
        #expect(message(["--by", "week"]) == "t: --by must be one of hour, day, not 'week'")
        #expect(message(["--json=yes"]) == "t: --json takes no value")
        // One value given twice: the last silently winning hid the first.
        #expect(message(["--name", "EX01", "-n", "EX02"]) == "t: --name given twice ('EX01', 'EX02'); it takes one value")
        #expect(message(["--name", "EX01", "--name", "EX01"]) == "")
    }
}
