import InvestigationShell
import Testing

@Suite struct TokenizerTests {
    @Test func quotingFollowsShellRules() throws {
        #expect(try Tokenizer.commands("load \"/cases/ex 01\" --name 'a b'") == [["load", "/cases/ex 01", "--name", "a b"]])
        #expect(try Tokenizer.commands(#"grep a\ b "say \"hi\"" 'it''s'"#) == [["grep", "a b", "say \"hi\"", "its"]])
        #expect(try Tokenizer.commands("sources; info ;; show 3") == [["sources"], ["info"], ["show", "3"]])
        #expect(try Tokenizer.commands("show 3 # the first SSRF; not a command") == [["show", "3"]])
        #expect(try Tokenizer.commands("mark 'a;b' as x#y") == [["mark", "a;b", "as", "x#y"]])
        #expect(try Tokenizer.commands("   ").isEmpty)
    }

    @Test func variablesExpandOutsideSingleQuotes() throws {
        let vars = ["EVIDENCE": "/cases/x", "SINCE": "2021-01-01"]
        #expect(try Tokenizer.commands("load $EVIDENCE; timeline --from ${SINCE}T00:00 '$EVIDENCE' \"$EVIDENCE/y\"") { vars[$0] }
                == [["load", "/cases/x"], ["timeline", "--from", "2021-01-01T00:00", "$EVIDENCE", "/cases/x/y"]])
        #expect(try Tokenizer.commands("echo cost$") == [["echo", "cost$"]])
    }

    /// A variable's name is one `$NAME` reads back whole (reviewer: `--set 1bad=3` was accepted, and `$1bad` never
    /// expands to it).
    @Test func variableNamesAreThoseDollarReads() {
        #expect(Tokenizer.isVariableName("EVIDENCE") && Tokenizer.isVariableName("_out2") && Tokenizer.isVariableName("Ärende"))
        #expect(!Tokenizer.isVariableName("1bad") && !Tokenizer.isVariableName("a-b") && !Tokenizer.isVariableName(""))
    }

    @Test func errorsAreClear() {
        #expect(throws: Tokenizer.Failure.self) { try Tokenizer.commands("load $MISSING") }
        #expect((try? Tokenizer.commands("load 'open")) == nil)
        do { _ = try Tokenizer.commands("load $MISSING") } catch { #expect("\(error)" == "undefined variable $MISSING") }
    }

    @Test func segmentsSplitOnlyOutsideQuotes() throws {
        #expect(try Tokenizer.segments("set EV 1200; show $EV") == ["set EV 1200", " show $EV"])
        #expect(try Tokenizer.segments("mark 'a;b' as x#y; note \"x;y\" # done; not this") == ["mark 'a;b' as x#y", " note \"x;y\" "])
        #expect(try Tokenizer.segments("  ;; ").isEmpty)
    }

    @Test func quoteRoundTrips() throws {
        for w in ["plain", "a b", "it's", "$HOME", "x;y", ""] {
            #expect(try Tokenizer.commands("cmd " + Tokenizer.quote(w)) == [["cmd", w]])
        }
    }
}
