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

@Suite struct ValuePoolHashingTests {
    @Test func valuesOfEveryLengthDifferingInOneByteStayDistinct() {
        // Lengths across the hash's and the comparison's load sizes (1–3, 4–7, 8–16, longer), each value
        // changed in every position: no two may share an id, and interning again finds each one.
        var pool = ValuePool(capacity: 16)
        var ids: [[UInt8]: UInt32] = [:]
        for length in 1...40 {
            let base = (0..<length).map { UInt8(0x41 + $0 % 26) }
            for position in 0..<length {
                var v = base
                v[position] ^= 0x20
                ids[v] = v.withUnsafeBytes { pool.intern($0) }
            }
            ids[base] = base.withUnsafeBytes { pool.intern($0) }
        }
        #expect(Set(ids.values).count == ids.count)
        #expect(pool.count == ids.count + 1)
        for (v, id) in ids {
            #expect(v.withUnsafeBytes { pool.intern($0) } == id)
            #expect(pool.lookup(String(decoding: v, as: UTF8.self)) == id)
            #expect(pool.withBytes(id) { Array($0) } == v)
        }
    }
}
