/// Interns byte strings: each distinct value is stored once and named by a dense `UInt32` id.
///
/// Id 0 is reserved for "absent or empty". The table is open-addressed (linear probing) on a 64-bit hash of the bytes
/// and compares candidates with `memcmp`, so interning a value that is already present allocates nothing.
/// Both the per-file tables of parallel loading and the store's global table are `ValuePool`s.
public struct ValuePool: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]         // value i occupies arena[starts[i]..<starts[i+1]]; id 0 = empty
    private var slots: [UInt32]             // 0 = free, otherwise an id
    private var hashes: [UInt64] = [0]
    private var mask: Int

    public init(capacity: Int = 1024) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        slots = [UInt32](repeating: 0, count: n)
        mask = n - 1
        starts.append(0)
    }

    /// Number of ids handed out, including the reserved empty id 0.
    public var count: Int { hashes.count }

    /// A 64-bit hash of the bytes in the manner of wyhash: 16 bytes per 64×64→128-bit multiply, and short values
    /// (most interned ones) read with two or three loads instead of byte by byte. Hashing every interned field
    /// of every line is a large part of parsing; FNV over 8-byte words with a byte loop for the rest was twice
    /// as slow. Ids do not depend on the hash, only where a value sits in the table.
    @inline(__always)
    static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        @inline(__always) func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let r = a.multipliedFullWidth(by: b)
            return r.high ^ r.low
        }
        @inline(__always) func r8(_ at: Int) -> UInt64 { p.loadUnaligned(fromByteOffset: at, as: UInt64.self) }
        @inline(__always) func r4(_ at: Int) -> UInt64 { UInt64(p.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        let s0: UInt64 = 0xa076_1d64_78bd_642f, s1: UInt64 = 0xe703_7ed1_a0b4_28db
        let n = p.count
        var seed = s0 ^ UInt64(truncatingIfNeeded: n)
        var a: UInt64 = 0, b: UInt64 = 0
        if n <= 16 {
            if n >= 4 {
                let q = (n >> 3) << 2
                a = (r4(0) << 32) | r4(q)
                b = (r4(n - 4) << 32) | r4(n - 4 - q)
            } else if n > 0 {
                a = UInt64(p[0]) << 16 | UInt64(p[n >> 1]) << 8 | UInt64(p[n - 1])
            }
        } else {
            var i = 0
            while n - i > 16 {
                seed = mix(r8(i) ^ s1, r8(i + 8) ^ seed)
                i += 16
            }
            a = r8(n - 16)
            b = r8(n - 8)
        }
        return mix(s1 ^ UInt64(truncatingIfNeeded: n), mix(a ^ s1, b ^ seed)) | 1
    }

    /// Returns the id of `bytes`, adding it when new. Empty input is id 0.
    @inline(__always)
    public mutating func intern(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        if bytes.count == 0 { return 0 }
        return intern(bytes, hash: Self.hash(bytes))
    }

    /// Adds the value `other` holds as `id`, reusing its hash (merging a file's pool into the store's).
    @inline(__always)
    public mutating func intern(_ id: UInt32, from other: ValuePool) -> UInt32 {
        other.withBytes(id) { intern($0, hash: other.hashes[Int(id)]) }
    }

    @inline(__always)
    private mutating func intern(_ bytes: UnsafeRawBufferPointer, hash h: UInt64) -> UInt32 {
        let (found, slot) = find(bytes, hash: h)
        if found != 0 { return found }
        let id = UInt32(hashes.count)
        arena.append(contentsOf: bytes)
        starts.append(arena.count)
        hashes.append(h)
        slots[slot] = id
        if hashes.count * 2 > slots.count { grow() }
        return id
    }

    /// The id of `bytes` (0 when absent) and the slot where the probe ended. Runs for every interned field of
    /// every line: through unchecked pointers, with short values compared inline rather than by `memcmp`.
    @inline(__always)
    private func find(_ bytes: UnsafeRawBufferPointer, hash h: UInt64) -> (id: UInt32, slot: Int) {
        var slot = Int(truncatingIfNeeded: h) & mask
        let n = bytes.count
        return slots.withUnsafeBufferPointer { sl in
            hashes.withUnsafeBufferPointer { hs in
                starts.withUnsafeBufferPointer { st in
                    arena.withUnsafeBytes { ar in
                        while true {
                            let id = sl[slot]
                            if id == 0 { return (0, slot) }
                            if hs[Int(id)] == h {
                                let s = st[Int(id)]
                                if st[Int(id) + 1] - s == n && Self.same(ar.baseAddress! + s, bytes.baseAddress!, n) { return (id, slot) }
                            }
                            slot = (slot + 1) & mask
                        }
                    }
                }
            }
        }
    }

    /// True when the `n` bytes at `a` and `b` are equal (n > 0); reads nothing outside them.
    @inline(__always)
    static func same(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        if n >= 8 && n <= 16 {
            return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        if n >= 4 && n < 8 {
            return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        }
        if n < 4 {
            for i in 0..<n where a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            return true
        }
        return memcmp(a, b, n) == 0
    }

    public mutating func intern(_ string: String) -> UInt32 {
        var s = string
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The id of `string` if it was interned, without adding it.
    public func lookup(_ string: String) -> UInt32? {
        var s = string
        return s.withUTF8 { buf -> UInt32? in
            let raw = UnsafeRawBufferPointer(buf)
            if raw.count == 0 { return 0 }
            let found = find(raw, hash: Self.hash(raw)).id
            return found == 0 ? nil : found
        }
    }

    private mutating func grow() {
        let n = slots.count * 2
        var fresh = [UInt32](repeating: 0, count: n)
        let m = n - 1
        for id in 1..<hashes.count {
            var slot = Int(truncatingIfNeeded: hashes[id]) & m
            while fresh[slot] != 0 { slot = (slot + 1) & m }
            fresh[slot] = UInt32(id)
        }
        slots = fresh
        mask = m
    }

    /// The bytes of value `id`.
    public func withBytes<R>(_ id: UInt32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let s = starts[Int(id)], e = starts[Int(id) + 1]
        return try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[s..<e])) }
    }

    /// The table's bytes as raw memory, for a writer that reads values of millions of events (an export): a
    /// value is two loads and a pointer, where `withBytes` checks bounds and takes the arrays for every value.
    /// The storage is valid only inside `body`, and the pool must not change meanwhile.
    public func withStorage<R>(_ body: (Storage) throws -> R) rethrows -> R {
        try arena.withUnsafeBytes { a in
            try starts.withUnsafeBufferPointer { s in try body(Storage(arena: a.baseAddress, starts: s.baseAddress!, count: hashes.count)) }
        }
    }

    /// Where the values lie: value `id` is `arena[starts[id] ..< starts[id + 1]]`.
    public struct Storage: @unchecked Sendable {
        public let arena: UnsafeRawPointer?
        public let starts: UnsafePointer<Int>
        /// Ids below this are valid.
        public let count: Int

        /// The bytes of value `id` (empty for id 0).
        @inlinable @inline(__always)
        public func bytes(_ id: UInt32) -> UnsafeRawBufferPointer {
            let i = Int(id)
            precondition(i < count)
            let s = starts[i]
            return UnsafeRawBufferPointer(start: arena.map { $0 + s }, count: starts[i + 1] - s)
        }
    }

    /// The value `id` as a String (invalid UTF-8 repaired with U+FFFD; escape before printing).
    public func string(_ id: UInt32) -> String {
        withBytes(id) { String(decoding: $0, as: UTF8.self) }
    }

    /// Every id in order, for scans that look at each distinct value once.
    public var ids: Range<UInt32> { 1..<UInt32(hashes.count) }

    /// Bytes held by the table, for memory accounting.
    public var footprint: Int { arena.capacity + starts.capacity * 8 + slots.capacity * 4 + hashes.capacity * 8 }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
