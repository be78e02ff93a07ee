/// The members a zip declares, read from its central directory with every size and offset checked against
/// the archive's length (all arithmetic in `UInt64`, so ZIP64 sizes near 2^64 are refused, not trapped on).
///
/// A damaged central directory entry is reported and skipped, and the walk resynchronises on the next entry's
/// signature. When the directory is damaged or incomplete, the archive's local file headers are scanned too, so
/// members whose directory entry is lost are still found ("everything readable around it is kept").
struct ZipDirectory {
    struct Entry {
        var name: String
        var flags: UInt16
        var method: UInt16
        var crc32: UInt32
        var compressedSize: UInt64
        /// Declared inflated size; nil when unknown (a member found by scanning, whose sizes follow its data).
        var size: UInt64?
        var localHeaderOffset: UInt64
        var modified: Int64
        var isDirectory: Bool
        var isSymlink: Bool
        /// True when found by scanning local headers rather than in the central directory.
        var recovered = false
        var isEncrypted: Bool { flags & 1 != 0 }
    }

    private(set) var entries: [Entry] = []
    /// Damage found in the directory, for the evidence set's problem list.
    private(set) var problems: [String] = []

    init(_ zip: UnsafeRawBufferPointer) {
        let bytes = ByteReader(zip)
        guard let end = Self.findEnd(bytes) else {
            problems.append("zip central directory not found (archive cut short or damaged): members found by scanning local headers")
            scanLocalHeaders(bytes, known: [])
            return
        }
        var declared = UInt64(bytes.u16(end + 10))
        var cdSize = UInt64(bytes.u32(end + 12))
        var cdOffset = UInt64(bytes.u32(end + 16))
        // ZIP64: a locator just before the end record points at the 64-bit end record.
        if end >= 20, bytes.u32(end - 20) == 0x0706_4B50 {
            let at = bytes.u64(end - 12)
            if at < UInt64(zip.count), let e64 = Int(exactly: at), e64 + 56 <= zip.count, bytes.u32(e64) == 0x0606_4B50 {
                declared = bytes.u64(e64 + 32)
                cdSize = bytes.u64(e64 + 40)
                cdOffset = bytes.u64(e64 + 48)
            } else {
                problems.append("zip64 end record damaged: members found by scanning local headers")
            }
        }
        let count = UInt64(zip.count)
        guard cdOffset <= count, cdSize <= count - cdOffset else {
            problems.append("zip central directory points outside the archive (offset \(cdOffset), \(cdSize) bytes): members found by scanning local headers")
            scanLocalHeaders(bytes, known: [])
            return
        }
        var at = Int(cdOffset)
        let stop = Int(cdOffset + cdSize)
        var damaged = 0
        while at + 46 <= stop {
            guard bytes.u32(at) == 0x0201_4B50 else {
                damaged += 1
                problems.append("zip central directory entry \(entries.count + damaged) is damaged (no signature at byte \(at)); skipped")
                guard let next = bytes.find([0x50, 0x4B, 0x01, 0x02], from: at + 1, before: stop) else { break }
                at = next
                continue
            }
            guard let (entry, length) = Self.centralEntry(bytes, at: at, stop: stop, archive: count) else {
                damaged += 1
                problems.append("zip central directory entry \(entries.count + damaged) is damaged (lengths or offsets out of range at byte \(at)); skipped")
                guard let next = bytes.find([0x50, 0x4B, 0x01, 0x02], from: at + 4, before: stop) else { break }
                at = next
                continue
            }
            entries.append(entry)
            at += length
        }
        if damaged > 0 || UInt64(entries.count) != declared {
            if damaged == 0 {
                problems.append("zip central directory lists \(entries.count) of the \(declared) members its end record declares")
            }
            scanLocalHeaders(bytes, known: Set(entries.map(\.localHeaderOffset)))
        }
    }

    /// The end of central directory record: searched backwards over the last 64 KiB (its comment may follow it).
    private static func findEnd(_ b: ByteReader) -> Int? {
        let n = b.count
        guard n >= 22 else { return nil }
        var i = n - 22
        let floor = max(0, n - 22 - 65_535)
        while i >= floor {
            if b.u32(i) == 0x0605_4B50 && i + 22 + Int(b.u16(i + 20)) <= n { return i }
            i -= 1
        }
        return nil
    }

    private static func centralEntry(_ b: ByteReader, at: Int, stop: Int, archive: UInt64) -> (Entry, Int)? {
        let madeBy = b.u16(at + 4), flags = b.u16(at + 8), method = b.u16(at + 10)
        let nameLength = Int(b.u16(at + 28)), extraLength = Int(b.u16(at + 30)), commentLength = Int(b.u16(at + 32))
        let length = 46 + nameLength + extraLength + commentLength
        guard at + length <= stop else { return nil }
        var compressed = UInt64(b.u32(at + 20)), size = UInt64(b.u32(at + 24)), offset = UInt64(b.u32(at + 42))
        var modified = dosTime(date: b.u16(at + 14), time: b.u16(at + 12))
        for (id, field) in extraFields(b, from: at + 46 + nameLength, length: extraLength) {
            if id == 0x0001 {
                var f = field.lowerBound
                if size == 0xFFFF_FFFF, f + 8 <= field.upperBound { size = b.u64(f); f += 8 }
                if compressed == 0xFFFF_FFFF, f + 8 <= field.upperBound { compressed = b.u64(f); f += 8 }
                if offset == 0xFFFF_FFFF, f + 8 <= field.upperBound { offset = b.u64(f) }
            } else if id == 0x5455, field.count >= 5, b.u8(field.lowerBound) & 1 != 0 {
                modified = Int64(b.u32(field.lowerBound + 1)) * 1000
            }
        }
        guard offset < archive, compressed <= archive else { return nil }
        let name = b.string(at + 46, nameLength)
        let unixMode = madeBy >> 8 == 3 ? (b.u32(at + 38) >> 16) & 0o170000 : 0
        let entry = Entry(name: name, flags: flags, method: method, crc32: b.u32(at + 16), compressedSize: compressed,
                          size: size, localHeaderOffset: offset, modified: modified,
                          isDirectory: name.hasSuffix("/") || unixMode == 0o040000 || b.u32(at + 38) & 0x10 != 0,
                          isSymlink: unixMode == 0o120000)
        return (entry, length)
    }

    /// Members found from their local headers, for archives whose directory is damaged. Sizes are read from the
    /// local header when it has them; a member whose sizes follow its data is inflated until its stream ends.
    private mutating func scanLocalHeaders(_ b: ByteReader, known: Set<UInt64>) {
        var at = 0
        var found = 0
        while let hit = b.find([0x50, 0x4B, 0x03, 0x04], from: at, before: b.count) {
            at = hit + 4
            guard hit + 30 <= b.count else { break }
            let flags = b.u16(hit + 6), method = b.u16(hit + 8)
            let nameLength = Int(b.u16(hit + 26)), extraLength = Int(b.u16(hit + 28))
            guard nameLength > 0, hit + 30 + nameLength + extraLength <= b.count else { continue }
            if known.contains(UInt64(hit)) { continue }
            var compressed = UInt64(b.u32(hit + 18)), size: UInt64? = UInt64(b.u32(hit + 22))
            var modified = Self.dosTime(date: b.u16(hit + 12), time: b.u16(hit + 10))
            for (id, field) in Self.extraFields(b, from: hit + 30 + nameLength, length: extraLength) {
                if id == 0x0001, field.count >= 16 { size = b.u64(field.lowerBound); compressed = b.u64(field.lowerBound + 8) }
                if id == 0x5455, field.count >= 5, b.u8(field.lowerBound) & 1 != 0 { modified = Int64(b.u32(field.lowerBound + 1)) * 1000 }
            }
            if flags & 8 != 0 { size = nil; compressed = UInt64(b.count - (hit + 30 + nameLength + extraLength)) }
            let name = b.string(hit + 30, nameLength)
            entries.append(Entry(name: name, flags: flags, method: method, crc32: flags & 8 != 0 ? 0 : b.u32(hit + 14),
                                 compressedSize: compressed, size: size, localHeaderOffset: UInt64(hit), modified: modified,
                                 isDirectory: name.hasSuffix("/"), isSymlink: false, recovered: true))
            found += 1
        }
        if found > 0 { problems.append("\(found) member(s) recovered from local headers (their central directory entries are missing)") }
    }

    private static func extraFields(_ b: ByteReader, from start: Int, length: Int) -> [(UInt16, Range<Int>)] {
        var out: [(UInt16, Range<Int>)] = []
        var i = start
        let end = start + length
        while i + 4 <= end {
            let id = b.u16(i), n = Int(b.u16(i + 2))
            guard i + 4 + n <= end else { break }
            out.append((id, (i + 4)..<(i + 4 + n)))
            i += 4 + n
        }
        return out
    }

    /// MS-DOS date and time, which carry no time zone: read as UTC.
    static func dosTime(date: UInt16, time: UInt16) -> Int64 {
        let y = Int(date >> 9) + 1980, m = max(1, Int((date >> 5) & 15)), d = max(1, Int(date & 31))
        let days = Timestamp.days(year: y, month: m, day: d)
        let secs = Int64(days) * 86_400 + Int64(time >> 11) * 3600 + Int64((time >> 5) & 63) * 60 + Int64(time & 31) * 2
        return secs * 1000
    }
}

/// Little-endian reads from a zip's bytes; callers check bounds first.
struct ByteReader {
    let p: UnsafeRawBufferPointer
    init(_ p: UnsafeRawBufferPointer) { self.p = p }
    var count: Int { p.count }
    func u8(_ i: Int) -> UInt8 { p[i] }
    func u16(_ i: Int) -> UInt16 { UInt16(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt16.self)) }
    func u32(_ i: Int) -> UInt32 { UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self)) }
    func u64(_ i: Int) -> UInt64 { UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) }
    func string(_ i: Int, _ n: Int) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: p[i..<(i + n)]), as: UTF8.self) }

    /// First position of `needle` in [from, before).
    func find(_ needle: [UInt8], from: Int, before: Int) -> Int? {
        guard from >= 0, before <= p.count else { return nil }
        var i = from
        while i + needle.count <= before {
            guard let hit = memchr(p.baseAddress! + i, Int32(needle[0]), before - needle.count + 1 - i) else { return nil }
            let at = UnsafeRawPointer(hit) - p.baseAddress!
            if memcmp(hit, needle, needle.count) == 0 { return at }
            i = at + 1
        }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
