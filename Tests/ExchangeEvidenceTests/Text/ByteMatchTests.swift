@testable import ExchangeEvidence
import Testing

/// PowerShell `-like` semantics and case-insensitive search, on bytes.
@Suite struct ByteMatchTests {
    func find(_ needle: String, _ hay: String, from: Int = 0) -> Int? {
        var h = hay
        return h.withUTF8 { ByteMatch.find(needle.lowerBytes, in: UnsafeRawBufferPointer($0), from: from) }
    }

    @Test func likeMatchesLikePowerShell() {
        let p = "serverinfo~*/*".lowerBytes
        #expect(ByteMatch.like(p, "ServerInfo~a]@ex01.contoso.local:444/ecp/proxyLogon.ecp?#"))
        #expect(ByteMatch.like(p, "SERVERINFO~x/"))
        #expect(!ByteMatch.like(p, "ServerInfo~localhost"))
        #expect(!ByteMatch.like(p, "Sid~S-1-5-21-1/2"))
        #expect(ByteMatch.like("serverinfo~*/*reset*virtualdirectory#".lowerBytes, "ServerInfo~a]@x:444/ecp/DDI/DDIService.svc/SetObject?c=1&schema=ResetOABVirtualDirectory#"))
        #expect(!ByteMatch.like("serverinfo~*/*reset*virtualdirectory#".lowerBytes, "ServerInfo~a]@x:444/ecp/x?schema=ResetOABVirtualDirectory"))
        #expect(ByteMatch.like("lsass*dmp".lowerBytes, "lsass.DMP") && ByteMatch.like("a?c".lowerBytes, "abc") && !ByteMatch.like("a?c".lowerBytes, "ac"))
    }

    @Test func findIgnoresCaseWithAndWithoutAnAnchorByte() {
        #expect(find("server~", "Database~x;Server~a/b~1") == 11)       // anchored on '~'
        #expect(find("virtualdirectory", "Set-OabVIRTUALDirectory") == 7)  // letters only
        #expect(find("server~", "SERVER") == nil)
        #expect(find("~x", "~~x", from: 1) == 1)
        #expect(find("eval(request", "x eval(Request[\"a\"]") == 2)
    }
}
