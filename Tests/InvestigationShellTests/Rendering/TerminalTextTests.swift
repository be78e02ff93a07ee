import InvestigationShell
import Testing

@Suite struct TerminalTextTests {
    @Test func controlCharactersAndEscapesAreMadeVisible() {
        #expect(TerminalText.escape("python-requests/2.25.1\u{1B}[31mred\u{7}") == "python-requests/2.25.1\\x1b[31mred\\x07")
        #expect(TerminalText.escape("a\u{9B}2Jb") == "a\\x9b2Jb", "8-bit CSI")
        #expect(TerminalText.escape("evil\u{202E}txt.aspx") == "evil\\u202etxt.aspx", "bidi override")
        #expect(TerminalText.escape("C:\\inetpub") == "C:\\inetpub", "Windows paths print as they are")
        #expect(TerminalText.escape("héllo wörld 日本") == "héllo wörld 日本")
    }

    /// Invisible format characters hide or reorder text: a zero-width space inside `cmd.aspx`, the Arabic letter
    /// mark (a bidi mark outside the override ranges), a BOM, a line separator, and a tag character that smuggles
    /// invisible ASCII. Accented letters and symbols stay as they are.
    @Test func invisibleFormatCharactersAreMadeVisible() {
        #expect(TerminalText.escape("cmd\u{200B}.aspx") == "cmd\\u200b.aspx")
        #expect(TerminalText.escape("a\u{061C}b") == "a\\u061cb")
        #expect(TerminalText.escape("\u{FEFF}x\u{2028}y") == "\\ufeffx\\u2028y")
        #expect(TerminalText.escape("ok\u{E0041}") == "ok\\u{e0041}")
        #expect(TerminalText.escape("soft\u{AD}hyphen") == "soft\\xadhyphen")
        #expect(TerminalText.escape("café ñ ü ¡ ©") == "café ñ ü ¡ ©")
        let bytes = Array("a\u{2060}b".utf8)
        #expect(bytes.withUnsafeBytes { TerminalText.escape(bytes: $0) } == "a\\u2060b")
    }

    /// JSON spells a character beyond the BMP as a surrogate pair, so a tag character stays one character.
    @Test func jsonEscapesTagCharactersAsSurrogatePairs() {
        #expect(JSONValue.string("x\u{E0041}\u{200D}").serialized() == #""x\udb40\udc41\u200d""#)
    }

    @Test func invalidUTF8BytesAreShownAsHex() {
        let bytes: [UInt8] = Array("ok".utf8) + [0xC3, 0x28, 0xFF] + Array("\u{1B}".utf8)
        #expect(bytes.withUnsafeBytes { TerminalText.escape(bytes: $0) } == "ok\\xc3(\\xff\\x1b")
    }

    @Test func tablesEscapeEveryCell() {
        var t = TextTable(["ua"])
        t.add(["x\u{1B}]0;pwned\u{7}"])
        #expect(!t.render().contains("\u{1B}"))
        #expect(t.render().contains("x\\x1b]0;pwned\\x07"))
    }

    @Test func jsonEscapesControlCharacters() {
        let v: JSONValue = .object([("ua", .string("a\u{1B}[0m\"\\\n")), ("n", 3), ("ok", true), ("none", .null)])
        #expect(v.serialized() == #"{"ua":"a\u001b[0m\"\\\n","n":3,"ok":true,"none":null}"#)
    }

    /// Plain ASCII is copied whole; anything else takes the escaping path, including C1 controls and bidi
    /// overrides hidden in otherwise printable text, and DEL.
    @Test func jsonCopiesPlainTextAndEscapesTheRest() {
        #expect(JSONValue.string("/owa/auth/x.js?a=1&b=2 Mozilla/5.0+(x)").serialized() == #""/owa/auth/x.js?a=1&b=2 Mozilla/5.0+(x)""#)
        #expect(JSONValue.string("a\u{7F}b").serialized() == #""a\u007fb""#)
        #expect(JSONValue.string("é\u{85}\u{202E}txt").serialized() == #""é\u0085\u202etxt""#)
        #expect(JSONValue.array([.string("x"), .object([("k", .string("\t"))])]).pretty() == "[\n  \"x\",\n  {\n    \"k\": \"\\t\"\n  }\n]")
    }
}

/// Error messages quote paths the user typed or the evidence holds: printed, they are escaped, their own line
/// breaks kept (review: `load` printed a path's ESC and BEL bytes raw).
@Suite struct ErrorMessageEscapingTests {
    @Test func aScriptsErrorsAreEscaped() {
        let t = TestShell()
        let result = t.shell.runScript("load /tmp/no-such-\u{1B}[31mred\u{7}", name: "x.exh", echo: false, keepGoing: false)
        #expect(result.failures == 1)
        #expect(t.output.stderr == "error: x.exh:1: load: /tmp/no-such-\\x1b[31mred\\x07: no such file or folder\n")
        #expect(TerminalText.message("one\nC:\\two\u{1B}") == "one\nC:\\two\\x1b")
    }
}
