/// Interns byte strings: each distinct value is stored once and named by a dense `UInt32` id.
///
/// Id 0 is reserved for "absent or empty". The table is open-addressed on a 64-bit hash of the bytes
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

    @inline(__always)
    static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        // FNV-1a over 8-byte words, then a final mix: fast and good enough for log values.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let n = p.count
        var i = 0
        while i + 8 <= n {
            let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0x100_0000_01b3
            h ^= h >> 29
            i += 8
        }
        while i < n {
            h = (h ^ UInt64(p[i])) &* 0x100_0000_01b3
            i += 1
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h | 1
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
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[slot]
            if id == 0 { break }
            if hashes[Int(id)] == h && equals(Int(id), bytes) { return id }
            slot = (slot + 1) & mask
        }
        let id = UInt32(hashes.count)
        arena.append(contentsOf: bytes)
        starts.append(arena.count)
        hashes.append(h)
        slots[slot] = id
        if hashes.count * 2 > slots.count { grow() }
        return id
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
            let h = Self.hash(raw)
            var slot = Int(truncatingIfNeeded: h) & mask
            while true {
                let id = slots[slot]
                if id == 0 { return nil }
                if hashes[Int(id)] == h && equals(Int(id), raw) { return id }
                slot = (slot + 1) & mask
            }
        }
    }

    @inline(__always)
    private func equals(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let s = starts[id], e = starts[id + 1]
        if e - s != bytes.count { return false }
        return arena.withUnsafeBytes { a in memcmp(a.baseAddress! + s, bytes.baseAddress!, bytes.count) == 0 }
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
