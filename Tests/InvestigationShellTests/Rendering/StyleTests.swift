import InvestigationShell
import Testing

@Suite struct StyleTests {
    @Test func colourOnlyWhenAllowed() {
        #expect(Style.severity("high", width: 8, color: false) == "HIGH    ")
        #expect(Style.severity("critical", width: 8, color: true) == "\u{1B}[1;31mCRITICAL\u{1B}[0m")
    }

    /// A terminal that says it cannot colour (`TERM=dumb`) gets none, as with `NO_COLOR` (reviewer).
    @Test func colourNeedsATerminalThatTakesIt() {
        #expect(Style.allowed(isTerminal: true, environment: ["TERM": "xterm-256color"]))
        #expect(!Style.allowed(isTerminal: true, environment: ["TERM": "dumb"]))
        #expect(!Style.allowed(isTerminal: true, environment: ["TERM": "xterm", "NO_COLOR": "1"]))
        // no-color.org: present and not empty; an empty NO_COLOR leaves colour on (reviewer).
        #expect(Style.allowed(isTerminal: true, environment: ["TERM": "xterm", "NO_COLOR": ""]))
        #expect(!Style.allowed(isTerminal: false, environment: ["TERM": "xterm"]))
    }

    @Test func scriptsAndTestsNeverGetColour() throws {
        let t = TestShell()
        #expect(t.session.settings.color == false, "colour is switched on only by the executable, on a terminal without NO_COLOR")
    }
}
