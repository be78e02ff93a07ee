import Testing
@testable import ExchangeDetection

@Suite struct BuildParserTests {
    let cu19 = ExchangeBuild(15, 1, 2176, 2)

    @Test func shortAndPaddedFormsAreOneBuild() throws {
        #expect(try BuildParser.parse("15.1.2176.2").build == cu19)
        #expect(try BuildParser.parse("15.01.2176.002").build == cu19)
        #expect(try BuildParser.parse("  15.01.2176.002\n").build == cu19)
        #expect(cu19.longForm == "15.01.2176.002")
        #expect(ExchangeBuild(14, 3, 513, 0).longForm == "14.03.0513.000")
        #expect(try BuildParser.parse("15.1.2176.2").source == .typed)
        // As an HttpProxy line's four version columns write it (reviewer); other comma lists are not builds.
        #expect(try BuildParser.parse("15,1,2176,2").build == cu19)
        #expect(try BuildParser.parse("15, 1, 2176, 2").source == .typed)
        #expect(throws: BuildParseError.self) { try BuildParser.parse("15,1,2176") }
        #expect(throws: BuildParseError.self) { try BuildParser.parse("15,1,x,2") }
    }

    @Test func adminDisplayVersionIsCUOnly() throws {
        let r = try BuildParser.parse("Version 15.1 (Build 2176.2)")
        #expect(r.build == cu19)
        #expect(r.source == .adminDisplayVersion)
        #expect(r.source.isCUOnly)
    }

    @Test func updateDisplayNameGivesBuildAndKB() throws {
        let r = try BuildParser.parse("Security Update for Exchange Server 2019 Cumulative Update 12 (KB5019758) 15.2.1118.20")
        #expect(r.build == ExchangeBuild(15, 2, 1118, 20))
        #expect(r.source == .updateDisplayName)
        #expect(r.kb == "KB5019758")
    }

    @Test func comparesNumericallyNotTextually() {
        #expect(ExchangeBuild(15, 1, 2176, 9) < ExchangeBuild(15, 1, 2176, 12))
        #expect(ExchangeBuild(15, 0, 1497, 2) < ExchangeBuild(15, 1, 225, 42))
        #expect(ExchangeBuild(dotted: "15.02.0792.010") == ExchangeBuild(15, 2, 792, 10))
    }

    @Test(arguments: ["15.x", "Version 99", "", "   ", "15.1.2176", "15.1.2176.2.1", "hello", "15..2176.2"])
    func garbageGetsAClearMessage(_ text: String) {
        #expect {
            _ = try BuildParser.parse(text)
        } throws: { error in
            let message = (error as? BuildParseError)?.message ?? ""
            return message.contains("15.1.2176.2") && (text.trimmingWhitespace().isEmpty || message.contains(text.trimmingWhitespace()))
        }
    }

    @Test func exSetupTableForm() {
        let lines = [
            "",
            "ProductVersion   FileVersion      FileName",
            "--------------   -----------      --------",
            "15.01.2176.009   15.01.2176.009   C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\ExSetup.exe",
            "",
        ]
        #expect(BuildParser.readings(in: lines) == [BuildReading(build: ExchangeBuild(15, 1, 2176, 9), source: .exSetup)])
    }

    @Test func exSetupTableFormWithRemoteComputerName() {
        let lines = [
            "ProductVersion   FileVersion      FileName                                                        PSComputerName",
            "--------------   -----------      --------                                                        --------------",
            "15.02.0792.010   15.02.0792.010   C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\ExSetup.exe   EX19A",
            "15.02.0792.003   15.02.0792.003   C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\ExSetup.exe   EX19B",
        ]
        #expect(BuildParser.readings(in: lines) == [
            BuildReading(build: ExchangeBuild(15, 2, 792, 10), source: .exSetup, server: "EX19A"),
            BuildReading(build: ExchangeBuild(15, 2, 792, 3), source: .exSetup, server: "EX19B"),
        ])
    }

    /// Invoke-Command may put `PSComputerName` first (reviewer: such a table was not read at all).
    @Test func exSetupTableFormWithTheComputerNameFirst() {
        let lines = [
            "PSComputerName ProductVersion   FileVersion      FileName",
            "-------------- --------------   -----------      --------",
            "EX04           15.01.2176.002   15.01.2176.002   C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\ExSetup.exe",
            "EX05           15.02.0792.003   15.02.0792.003   C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\ExSetup.exe",
        ]
        #expect(BuildParser.readings(in: lines) == [
            BuildReading(build: ExchangeBuild(15, 1, 2176, 2), source: .exSetup, server: "EX04"),
            BuildReading(build: ExchangeBuild(15, 2, 792, 3), source: .exSetup, server: "EX05"),
        ])
    }

    @Test func exSetupListForm() {
        let lines = [
            "OriginalFilename  : ExSetup.exe",
            "FileDescription   : ExSetup",
            "ProductName       : Microsoft® Exchange",
            "FileName          : C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\ExSetup.exe",
            "FileVersion       : 15.01.2176.009",
            "ProductVersion    : 15.01.2176.009",
            "Language          : Language Neutral",
            "PSComputerName    : EX16",
        ]
        #expect(BuildParser.readings(in: lines) == [
            BuildReading(build: ExchangeBuild(15, 1, 2176, 9), source: .exSetup, server: "EX16"),
        ])
    }

    @Test func getExchangeServerListFormNamesTheServer() {
        let lines = [
            "Name                : EX01",
            "Edition             : Standard",
            "AdminDisplayVersion : Version 15.1 (Build 2176.2)",
            "",
            "Name                : EX02",
            "AdminDisplayVersion : Version 15.0 (Build 1497.2)",
        ]
        #expect(BuildParser.readings(in: lines) == [
            BuildReading(build: cu19, source: .adminDisplayVersion, server: "EX01"),
            BuildReading(build: ExchangeBuild(15, 0, 1497, 2), source: .adminDisplayVersion, server: "EX02"),
        ])
    }

    @Test func getExchangeServerTableForm() {
        let lines = [
            "Name   Edition    AdminDisplayVersion",
            "----   -------    -------------------",
            "EX01   Standard   Version 15.2 (Build 792.3)",
        ]
        #expect(BuildParser.readings(in: lines) == [
            BuildReading(build: ExchangeBuild(15, 2, 792, 3), source: .adminDisplayVersion, server: "EX01"),
        ])
    }

    @Test func unrelatedNumbersInOutputAreIgnored() {
        let lines = [
            "IPAddress : 10.0.0.11",
            "2021-03-04 21:07:12 10.0.0.11 GET /owa/ 443",
            "Version 1.2.3.4 of something",
            "FileVersion : 10.0.17763.1",
        ]
        #expect(BuildParser.readings(in: lines).isEmpty)
    }
}
