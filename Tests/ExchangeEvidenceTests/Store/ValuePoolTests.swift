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

    /// The raw storage gives every value's bytes, as `withBytes` does.
    @Test func storageGivesTheSameBytes() {
        var pool = ValuePool(capacity: 4)
        for i in 0..<1_000 { _ = pool.intern("value \(i) " + String(repeating: "x", count: i % 17)) }
        pool.withStorage { storage in
            #expect(storage.count == pool.count && storage.bytes(0).isEmpty)
            for id in pool.ids { #expect(Array(storage.bytes(id)) == pool.withBytes(id) { Array($0) }) }
        }
    }
}
