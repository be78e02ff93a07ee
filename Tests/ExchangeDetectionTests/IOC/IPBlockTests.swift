@testable import ExchangeDetection
import Testing

/// One reading of CIDR blocks for indicators, Sigma's `cidr` and `timeline --ip`.
@Suite struct IPBlockTests {
    @Test func blocksOfBothFamilies() throws {
        let v4 = try #require(IPBlock("198.51.100.77/24"))
        #expect(v4.network == [198, 51, 100, 0] && v4.length == 24 && v4.ipv4 == 0xC633_6400)
        #expect(v4.contains("198.51.100.1") && v4.contains(" 198.51.100.255 ") && !v4.contains("198.51.101.1"))
        #expect(!v4.contains("::ffff:198.51.100.1"), "an IPv6 address is not in an IPv4 block")
        let v6 = try #require(IPBlock("2001:db8::/32"))
        #expect(v6.contains("2001:db8:1::5") && !v6.contains("2001:db9::5") && v6.ipv4 == nil)
        #expect(IPBlock("10.0.0.0/0")?.contains("203.0.113.9") == true)
        #expect(IPBlock("10.1.2.3")?.length == 32 && IPBlock("10.1.2.3")?.contains("10.1.2.3") == true)
        #expect(IPBlock("2001:db8::1/127")?.contains("2001:db8::") == true)
    }

    @Test func nearMissesAreRefused() {
        for text in ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/ 8", "2001:db8::/129", "10.0.0/8", "example.com/8", "10.0.0.0/8/8", ""] {
            #expect(IPBlock(text) == nil, "\(text)")
        }
    }

    @Test func ipv4MaskOfEachLength() {
        #expect(IPBlock.mask(length: 0) == 0 && IPBlock.mask(length: 8) == 0xFF00_0000 && IPBlock.mask(length: 32) == UInt32.max)
    }
}
