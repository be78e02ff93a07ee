@testable import ExchangeDetection
import ExchangeEvidence
import Testing

/// File rules on a `Get-ChildItem | Export-Csv` listing and collected web files (MSTIC/Volexity paths, the
/// OTRF compiled-page names, HelseCERT's shell name, a McAfee update cache as the archive near miss).
@Suite struct FileRuleTests {
    let store: EventStore
    init() throws { store = try RuleFixtures.store("files") }

    @Test func webShellFilesFireAndStandardPagesDoNot() {
        let f = RuleFixtures.run("webshell.file", on: store)
        let all = f.map(\.summary).joined(separator: "\n")
        #expect(f.filter { $0.severity == .high }.count == 2)
        #expect(all.contains("C:\\inetpub\\wwwroot\\aspnet_client\\supp0rt.aspx: script page under \\aspnet_client\\"))
        #expect(all.contains("owa\\auth\\RedirSuiteServerProxy.aspx: 'RedirSuiteServerProxy.aspx' is not a standard page of owa\\auth\\"))
        #expect(all.contains("also collected as a file"))
        #expect(!all.contains("logon.aspx:"))
        #expect(!all.contains("RedirSuiteServiceProxy"))
        #expect(!all.contains("TimeoutLogoff"))
        let compiled = f.first { $0.title == "Compiled copy of a non-standard page" }
        #expect(compiled?.severity == .medium)
        #expect(compiled?.summary.contains("redirsuiteserverproxy.aspx.f5dba9b9.compiled") == true)
        #expect(compiled?.summary.hasSuffix("; 1 App_Web_*.dll beside it") == true)
        #expect(compiled?.events.count == 2)
        // Assemblies elsewhere are only listed, at info.
        let assemblies = f.first { $0.severity == .info }
        #expect(assemblies?.events.count == 1)
        #expect(assemblies?.summary.hasPrefix("1 App_Web_*.dll in Temporary ASP.NET Files; newest C:\\Windows\\Microsoft.NET") == true)
    }

    @Test func webShellContentFindsChopperAndTheOABConfigButNotLogonPage() {
        let f = RuleFixtures.run("webshell.content", on: store)
        #expect(f.count == 2)
        #expect(f.allSatisfy { $0.severity == .critical })
        #expect(f.contains { $0.summary.hasPrefix("/owa/auth/RedirSuiteServerProxy.aspx: China Chopper pattern 'eval(Request[\"klk123456\"],\"unsafe\")") })
        #expect(f.contains { $0.summary.hasPrefix("/aspnet_client/supp0rt.aspx:") })
        #expect(!f.contains { $0.summary.contains("logon.aspx") })
    }

    @Test func lsassDumpFile() {
        let f = RuleFixtures.run("files.lsass-dump", on: store)
        #expect(f.count == 1)
        #expect(f.first?.summary.hasPrefix("C:\\Windows\\Temp\\lsass.dmp: LSASS dump file") == true)
    }

    @Test func programDataArchivesVendorCacheIsLowAndOneFinding() {
        let f = RuleFixtures.run("files.programdata-archive", on: store)
        #expect(f.count == 3)
        #expect(f.first { $0.summary.contains("it.zip") }?.severity == .high)
        #expect(f.first { $0.summary.contains("data.rar") }?.severity == .medium)
        let vendor = f.first { $0.summary.contains("McAfee") }
        #expect(vendor?.severity == .low)
        #expect(vendor?.events.count == 2)
    }
}
