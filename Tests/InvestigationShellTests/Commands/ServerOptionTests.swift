import Foundation
@testable import InvestigationShell
import Testing

/// Every command's `--server` resolves names the same way (`ServerOption`): any case, or the host name of a full
/// name; a name that matches no loaded server fails alike everywhere, naming the loaded ones.
@Suite struct ServerOptionTests {
    static let commands = ["hunt", "sources", "grep-ioc", "check-build", "timeline --limit 5"]

    @Test func everyCommandAcceptsAnyCaseAndTheHostName() throws {
        let t = TestShell()
        try t.run("load demo")
        for command in Self.commands {
            let exact = try t.run("\(command) --server EX01")
            #expect(!exact.isEmpty, "\(command)")
            #expect(try t.run("\(command) --server ex01") == exact, "\(command) --server ex01")
            #expect(try t.run("\(command) --server Ex01.contoso.local") == exact, "\(command) --server Ex01.contoso.local")
        }
    }

    @Test func anUnknownServerFailsTheSameWayEverywhere() throws {
        let t = TestShell()
        try t.run("load demo")
        for command in Self.commands {
            let name = command.split(separator: " ")[0]
            #expect(t.failure("\(command) --server ex03") == "\(name): no server 'ex03' is loaded (servers: EX01, EX02)", "\(command)")
        }
        // Near miss: a name that only starts like a loaded one is not it.
        #expect(t.failure("hunt --server ex0") == "hunt: no server 'ex0' is loaded (servers: EX01, EX02)")
    }

    /// A server typed where a build goes, or a file where an event goes, is answered with what was meant.
    @Test func aServerOrFileInTheWrongPlaceSaysWhatWasMeant() throws {
        let t = TestShell()
        try t.run("load demo")
        #expect(t.failure("check-build ex01") == "check-build: 'ex01' is a loaded server, not a build: 'check-build --server ex01'")
        #expect(!t.failure("check-build ex03").contains("loaded server"))
        #expect(t.failure("show Ecp/HttpProxy_2021030306-1.LOG").hasSuffix("(a file's event is named FILE:LINE: add the line number)"))
        #expect(t.failure("mark Ecp/HttpProxy_2021030306-1.LOG as suspicious").hasSuffix("add the line number)"))
        #expect(t.failure("show Ecp/x.LOG") == "show: no loaded file 'Ecp/x.LOG'", "an unknown file is said first")
        #expect(t.failure("show Ecp/HttpProxy_2021030306-1.LOG:abc") == "show: 'Ecp/HttpProxy_2021030306-1.LOG:abc': the part after ':' is the line number, as in FILE:12")
        #expect(t.failure("mark Ecp/HttpProxy_2021030306-1.LOG: as suspicious").hasSuffix("the part after ':' is the line number, as in FILE:12"))
        #expect(t.failure("show 999999").contains("events are numbered 0–"))
    }

    @Test func nothingLoadedIsNoError() throws {
        let t = TestShell()
        #expect(t.failure("sources --server ex01") == "")
    }
}
