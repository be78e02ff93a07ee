import Foundation
import InvestigationShell
import Testing

/// `ioc add` keeps analyst indicators in the open case (or the next one opened), and opening a case loads
/// them into the session, so `grep-ioc` finds them in another shell.
@Suite struct CaseIndicatorTests {
    static let training = TestShell.repoRoot.appendingPathComponent("help/training").path

    @Test func indicatorsTravelWithTheCase() throws {
        let dir = try CaseFileTests.folder()
        let path = dir.appendingPathComponent("ioc.case").path
        let a = TestShell()
        try a.run("ioc add ip 139.162.202.236 --note 'read the OAB shell'")          // no case yet: kept for the next
        try a.run("case new \(path)")
        #expect(try a.shown("ioc add name RedirSuiteServerProxy.aspx").contains("and to case \(path)"))
        let added = try JSONSerialization.jsonObject(with: Data(try a.run("ioc add ua antSword/v2.1 --json").utf8)) as! [String: Any]
        #expect(added["case"] as? String == path)
        #expect(try CaseState.of(a.session).file?.iocs().map(\.value)
                == ["139.162.202.236", "RedirSuiteServerProxy.aspx", "antSword/v2.1"])
        #expect(try CaseState.of(a.session).file?.iocs().first?.note == "read the OAB shell")

        // Another shell: opening the case loads them, whether the evidence comes first or later.
        let b = TestShell()
        try b.run("case open \(path); load \(Self.training)")
        let hits = try JSONSerialization.jsonObject(with: Data(try b.run("grep-ioc analyst --json").utf8)) as! [[String: Any]]
        #expect(Set(hits.map { $0["ioc"] as! String }) == ["139.162.202.236", "RedirSuiteServerProxy.aspx", "antSword/v2.1"])
        #expect(try b.run("ioc show analyst").contains("read the OAB shell"))
        // Opening twice does not repeat them.
        try b.run("case close; case open \(path)")
        #expect(try b.run("ioc show analyst --json").components(separatedBy: "\"value\"").count == 4)
    }
}
