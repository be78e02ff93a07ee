import ExchangeEvidence
import Testing

@Suite struct ValuePoolTests {
    @Test func internsEachValueOnce() {
        var pool = ValuePool(capacity: 4)
        let a = pool.intern("python-requests/2.25.1")
        let b = pool.intern("ExchangeServicesClient/0.0.0.0")
        #expect(pool.intern("python-requests/2.25.1") == a)
        #expect(a != b)
        #expect(pool.intern("") == 0)
        for i in 0..<10_000 { _ = pool.intern("10.0.\(i / 256).\(i % 256)") }
        #expect(pool.count == 10_003)
        #expect(pool.lookup("10.0.39.15") != nil)
        #expect(pool.lookup("10.0.39.150") == nil)
        #expect(pool.string(b) == "ExchangeServicesClient/0.0.0.0")
    }
}
