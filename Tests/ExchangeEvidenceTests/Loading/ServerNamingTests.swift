@testable import ExchangeEvidence
import Testing

@Suite struct ServerNamingTests {
    /// A hand-made folder for a kind of log is no host (reviewer: `EX11/IISLogs/W3SVC1/…` was server IISLogs).
    @Test func aFolderForAKindOfLogIsNoHost() {
        #expect(ServerNaming.fromPath("EX11/IISLogs/W3SVC1/u_ex210303.log").name == "EX11")
        #expect(ServerNaming.fromPath("ctx/EX11/ExchangeLogs/HttpProxy/Ecp/x.LOG").name == "EX11")
    }

    /// A folder whose name holds control or invisible characters names no server: its logs are `unknown`'s (reviewer).
    @Test func aFolderNameWithControlCharactersIsNoHost() {
        #expect(ServerNaming.fromPath("EX\u{1B}[2J06/l.csv").name == "unknown")
        #expect(ServerNaming.fromPath("EX\u{202E}07/l.csv").name == "unknown")
        // Above a folder for a kind of log too, and as a group of its own: not filed with the set's other server.
        let marked = ServerNaming.fromPath("EX\u{1B}[2J99/iis/u_ex210303.log")
        #expect(marked.name == "unknown" && marked.group == "EX\u{1B}[2J99")
        #expect(ServerNaming.fromPath("EX06/l.csv").name == "EX06")
    }

    /// A one-letter folder is a drive only above a Windows folder: WSL's `/mnt/c` and a case folder `x` named the
    /// folder above them as the server (reviewer: `load …/mnt/c/cases/ex01` filed its logs under `mnt`).
    @Test func aOneLetterFolderIsADriveOnlyAboveAWindowsFolder() {
        #expect(ServerNaming.context(ofRoot: "/tmp/wsl/mnt/c/cases/ex01", isFile: false) == nil)
        #expect(ServerNaming.context(ofRoot: "/tmp/wsl/mnt/c/cases/ex01/u_ex210303.log", isFile: true) == nil)
        #expect(ServerNaming.context(ofRoot: "/srv/x/pl", isFile: false) == nil)
        // A case's own sorting below a one-letter folder (`acme/d/iis`, `z/logs`) is no drive's (reviewer).
        #expect(ServerNaming.context(ofRoot: "/tmp/case1/acme/d/iis", isFile: false) == nil)
        #expect(ServerNaming.context(ofRoot: "/tmp/rev13/z/logs", isFile: false) == nil)
        #expect(ServerNaming.fromPath("mnt/c/cases/ex01/u_ex210303.log").name == "mnt", "no Windows path: the top folder, as a guess")
        #expect(ServerNaming.isGuess("mnt/c/cases/ex01/u_ex210303.log"))
        // KAPE's drive folders still start the server's tree.
        #expect(ServerNaming.fromPath("EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log").name == "EX01")
        #expect(ServerNaming.fromPath("EX01/F/Exchange Server/V15/Logging/HttpProxy/Ecp/x.LOG").name == "EX01")
        #expect(ServerNaming.context(ofRoot: "/ev/EX01/C/inetpub/logs/LogFiles/W3SVC1", isFile: false) == "EX01/C/inetpub/logs/LogFiles/W3SVC1")
    }

    @Test func memoGivesTheSameAnswersAsFromPath() {
        let paths = [
            "top.log",
            "EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log",
            "EX01/C/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log",
            "EX01/build/exsetup.txt",
            "EX02/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG",
            "EX02/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030307-1.LOG",
            "EX03/a.log",
            "EX03/b.log",
            "z.log",
            "EX03/c.log",
            "logging/x.log",
        ]
        var memo = ServerNaming.Memo()
        for p in paths {
            let a = ServerNaming.fromPath(p), b = memo.fromPath(p)
            #expect(a.group == b.group && a.name == b.name && b.isGuess == ServerNaming.isGuess(p), "\(p)")
        }
        #expect(memo.fromPath("EX02/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/x.LOG").name == "EX02")
    }
}
