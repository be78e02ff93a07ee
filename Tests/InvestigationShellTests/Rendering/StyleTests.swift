import InvestigationShell
import Testing

@Suite struct StyleTests {
    @Test func colourOnlyWhenAllowed() {
        #expect(Style.severity("high", width: 8, color: false) == "HIGH    ")
        #expect(Style.severity("critical", width: 8, color: true) == "\u{1B}[1;31mCRITICAL\u{1B}[0m")
    }

    @Test func scriptsAndTestsNeverGetColour() throws {
        let t = TestShell()
        #expect(t.session.settings.color == false, "colour is switched on only by the executable, on a terminal without NO_COLOR")
    }
}
