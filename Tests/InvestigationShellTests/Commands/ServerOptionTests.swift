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

    @Test func nothingLoadedIsNoError() throws {
        let t = TestShell()
        #expect(t.failure("sources --server ex01") == "")
    }
}
