import CMappedEvidence
import CDeflate
import CLibz
import Foundation

/// A zip of evidence, read in place and never extracted next to the evidence.
///
/// The archive is mapped; its directory is read by `ZipDirectory`. Members admitted by the load's
/// `InflateBudget` are inflated by whichever load worker parses them (so on every core) and written
/// (`pwrite`, in windows of up to 4 MiB) to a `ScratchLanes` temporary file that is mapped read-only: the page cache
/// or a memory file holds the inflated bytes, not the process's heap. (Writing through a shared writable mapping
/// instead cost a file-system fault per page: three times slower.) Every member is checked against its CRC-32;
/// damage is reported on the member and whatever inflated before it is kept.
final class ZipSource: @unchecked Sendable {
    struct Member {
        var path: String
        var size: Int
        var modified: Int64
        var entry: ZipDirectory.Entry
        /// Why the member is not loaded (escapes the root, encrypted, over the budget), or nil.
        var rejection: String?
    }

    /// Members whose ratio of inflated to stored size exceeds this and that inflate to over 64 MiB are refused.
    static let maxRatio: UInt64 = 1000

    private let archive: EvidenceBytes
    private(set) var members: [Member] = []
    /// Damage to the archive's directory, reported on the evidence set.
    private(set) var problems: [String] = []
    /// Where inflated members go; nil (members inflate into the heap) when no temporary file could be made.
    private var lanes: ScratchLanes?
    private var digest = ""
    private let hashing = DispatchGroup()

    /// The archive's size in bytes.
    var size: Int { archive.count }

    /// Starts hashing the archive itself on another thread, beside the members' parsing: the members' SHA-256s
    /// say what was read, the archive's is the one a chain of custody records for what was received.
    func startHashing() {
        hashing.enter()
        DispatchQueue.global().async {
            self.digest = self.archive.withUnsafeBytes { SHA256.hex($0) }
            self.hashing.leave()
        }
    }

    /// The archive's SHA-256 (hex), waiting for `startHashing`'s work to finish.
    var sha256: String {
        hashing.wait()
        return digest
    }

    init(path: String, budget: InflateBudget) throws {
        archive = try FileBytes.read(path, copy: false).bytes
        budget.admit(archive: archive.count)
        let directory = archive.withUnsafeBytes { ZipDirectory($0) }
        problems = directory.problems
        var total = 0
        var named: [String: Int] = [:]
        for entry in directory.entries where !entry.isDirectory {
            var m = Member(path: entry.name, size: 0, modified: entry.modified, entry: entry)
            m.rejection = rejection(of: entry, budget: budget, size: &m.size)
            let parts = Self.parts(Self.slashed(entry.name))
            m.path = parts.filter { !$0.isEmpty && $0 != "." }.joined(separator: "/")
            if m.rejection == nil {
                total += Self.pageRounded(m.size)
                // A zip may hold two members of one name (appended to, or made to hide a file): an unzip keeps
                // only the last. Both are evidence; the later ones load under a name of their own, said here.
                let seen = named[m.path, default: 0] + 1
                named[m.path] = seen
                if seen > 1 {
                    let renamed = Self.numbered(m.path, seen)
                    problems.append("zip holds more than one member named \(m.path) (an unzip keeps only the last); member \(seen) is loaded as \(renamed)")
                    m.path = renamed
                }
            }
            members.append(m)
        }
        guard total > 0 else { return }
        do {
            lanes = try ScratchLanes(capacity: total)
        } catch {
            problems.append("zip members are inflated into memory: \(error) (set TMPDIR to a roomier folder)")
        }
    }

    /// `a/b.log` as `a/b (2).log`: the number goes before the file's extension, so readers still know the file.
    static func numbered(_ path: String, _ n: Int) -> String {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        guard let dot = path[slash...].lastIndex(of: "."), dot > slash else { return path + " (\(n))" }
        return String(path[..<dot]) + " (\(n))" + String(path[dot...])
    }

    /// The member name with backslashes as slashes. An ASCII name (nearly all) is rewritten byte by byte:
    /// Foundation's `replacingOccurrences`, run twice for each of 17,000 members, was half of opening a zip,
    /// which happens before any member is read. Other names keep Foundation's (a backslash followed by a
    /// combining mark is not a backslash to it).
    static func slashed(_ name: String) -> String {
        guard name.utf8.allSatisfy({ $0 < 0x80 }) else { return name.replacingOccurrences(of: "\\", with: "/") }
        guard name.utf8.contains(0x5C) else { return name }
        return String(decoding: name.utf8.map { $0 == 0x5C ? 0x2F : $0 }, as: UTF8.self)
    }

    /// The `/`-separated parts of a member path, empty ones kept. A name of printable ASCII (where bytes are
    /// characters) is split byte by byte: splitting by characters, twice per member, was then most of opening a
    /// zip of 17,000 members.
    static func parts(_ path: String) -> [Substring] {
        guard path.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return path.split(separator: "/", omittingEmptySubsequences: false) }
        return path.utf8.split(separator: 0x2F, omittingEmptySubsequences: false).map { path[$0.startIndex..<$0.endIndex] }
    }

    /// Why `entry` cannot be loaded, or nil (then `size` is what it inflates to, taken from the budget).
    private func rejection(of entry: ZipDirectory.Entry, budget: InflateBudget, size: inout Int) -> String? {
        let raw = entry.name
        let path = Self.slashed(raw)
        let parts = Self.parts(path)
        if path.hasPrefix("/") || parts.contains("..") || (parts.first?.count == 2 && parts.first?.last == ":") {
            return "zip member path escapes the evidence root (\(raw)); not loaded"
        }
        if entry.isSymlink { return "zip member is a symbolic link; not followed, not loaded" }
        if entry.isEncrypted { return "zip member is encrypted; it cannot be read without its password; not loaded" }
        if entry.method != 0 && entry.method != 8 {
            return "zip member is compressed with method \(entry.method) (only stored and deflate are read); not loaded"
        }
        if path.lowercased().hasSuffix(".zip") { return "nested zip not opened; extract it and load it separately" }
        if entry.size == nil && entry.method == 0 {
            return "zip member is stored with its size after its data and no directory entry to give it; not loaded"
        }
        guard let declared = entry.size ?? measure(entry, limit: budget.remaining) else {
            return "zip member inflates to more than is left of \(budget.describe); not loaded"
        }
        if entry.method == 0 && declared != entry.compressedSize {
            return "zip member is stored uncompressed but declares \(declared) bytes for \(entry.compressedSize) stored; not loaded"
        }
        if declared > budget.remaining {
            return "zip member declares \(declared) bytes, more than is left of \(budget.describe); not loaded"
        }
        if entry.compressedSize > 0, declared > 64 << 20, declared / entry.compressedSize > Self.maxRatio {
            return "zip member compression ratio \(declared / entry.compressedSize):1 looks like a zip bomb; not loaded"
        }
        guard budget.take(declared) else {
            return "zip member declares \(declared) bytes, more than is left of \(budget.describe); not loaded"
        }
        size = Int(declared)
        return nil
    }

    /// The inflated size of a member whose sizes follow its data (found by scanning), or nil past `limit`.
    private func measure(_ entry: ZipDirectory.Entry, limit: UInt64) -> UInt64? {
        guard let data = compressedData(entry) else { return 0 }
        let r = archive.withUnsafeBytes { Inflater.run(UnsafeRawBufferPointer(rebasing: $0[data]), capacity: Int(min(limit, UInt64(Int.max)))) { _ in true } }
        return r.outcome == .overflow ? nil : UInt64(r.produced)
    }

    /// The member's compressed bytes, from its local header (checked against the archive's length).
    private func compressedData(_ entry: ZipDirectory.Entry) -> Range<Int>? {
        archive.withUnsafeBytes { zip -> Range<Int>? in
            let b = ByteReader(zip)
            guard let at = Int(exactly: entry.localHeaderOffset), at + 30 <= b.count, b.u32(at) == 0x0403_4B50 else { return nil }
            let start = at + 30 + Int(b.u16(at + 26)) + Int(b.u16(at + 28))
            guard start <= b.count else { return nil }
            let available = UInt64(b.count - start)
            return start..<(start + Int(min(entry.compressedSize, available)))
        }
    }

    static func pageRounded(_ n: Int) -> Int { (n + 4095) & ~4095 }

    /// Inflates a member to the end of a scratch lane (or into memory when no temporary file could be made, or
    /// when a member read again after the load, as `OriginalBytes` does, no longer fits).
    func read(_ member: Member) throws -> LoadedBytes {
        guard let data = compressedData(member.entry) else {
            throw ReadFailure(description: "zip member's local header is missing or damaged (offset \(member.entry.localHeaderOffset)); not loaded")
        }
        var lane = lanes?.take()
        if let taken = lane, taken.end + member.size > taken.mapping.length {
            lanes?.give(taken)
            lane = nil
        }
        defer { if let lane { lanes?.give(lane) } }
        let start = lane?.end ?? 0
        var heap: [UInt8] = []
        if lane == nil { heap.reserveCapacity(member.size) }
        var written = 0
        var writeError: String?
        // Each window of output goes to the lane (or to memory).
        let sink: (UnsafeRawBufferPointer) -> Bool = { window in
            guard let fd = lane?.fd else { heap.append(contentsOf: window); return true }
            var done = 0
            while done < window.count {
                let n = pwrite(fd, window.baseAddress! + done, window.count - done, off_t(start + written + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { writeError = String(cString: strerror(errno)); return false }
                done += n
            }
            written += window.count
            return true
        }
        var result = archive.withUnsafeBytes { zip -> Inflater.Result in
            let src = UnsafeRawBufferPointer(rebasing: zip[data])
            if member.entry.method == 0 {
                let n = min(src.count, member.size)
                var copied = 0
                while copied < n {
                    let w = UnsafeRawBufferPointer(rebasing: src[copied..<min(n, copied + (1 << 20))])
                    guard sink(w) else { break }
                    copied += w.count
                }
                let crc = Inflater.crc(UnsafeRawBufferPointer(rebasing: src[0..<copied]))
                return Inflater.Result(produced: copied, consumed: copied, crc: crc, outcome: copied < member.size ? .cut : .complete)
            }
            return Inflater.whole(src, size: member.size, sink: sink) ?? Inflater.run(src, capacity: member.size, sink: sink)
        }
        if let writeError {
            result.outcome = .corrupt("the temporary file could not take more: \(writeError)")
        }
        lane?.end = start + Self.pageRounded(result.produced)
        let bytes = lane.map { EvidenceBytes($0.mapping, offset: start, count: result.produced) } ?? EvidenceBytes(heap)
        let size = member.size
        var problem: String?
        switch result.outcome {
        case .complete where result.produced < size:
            problem = "zip member inflates to \(result.produced) bytes, fewer than the \(size) it declares"
        case .complete:
            let stored = member.entry.recovered && member.entry.flags & 8 != 0 ? descriptorCRC(after: data.lowerBound + result.consumed) : member.entry.crc32
            if let stored, stored != result.crc {
                problem = "zip member fails its CRC-32 check (stored \(hex(stored)), computed \(hex(result.crc))): damaged; loaded as read"
            }
        case .cut:
            problem = "zip member's compressed data is cut short after \(result.produced) of \(size) bytes; the readable part is loaded"
        case .overflow:
            problem = "zip member inflates beyond the \(size) bytes it declares; the first \(size) are loaded"
        case .corrupt(let why):
            problem = "zip member's compressed data is damaged after \(result.produced) of \(size) bytes (\(why)); the readable part is loaded"
        }
        let loaded = LoadedBytes(bytes: bytes)
        guard let problem else { return loaded }
        if result.produced == 0 && result.outcome != .complete { throw ReadFailure(description: problem) }
        throw PartialRead(loaded: loaded, message: problem)
    }

    /// The CRC-32 in the data descriptor that follows a member's data (with or without its signature).
    private func descriptorCRC(after end: Int) -> UInt32? {
        archive.withUnsafeBytes { zip -> UInt32? in
            let b = ByteReader(zip)
            guard end + 8 <= b.count else { return nil }
            return b.u32(end) == 0x0807_4B50 ? b.u32(end + 4) : b.u32(end)
        }
    }

    private func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }
}

/// Raw deflate: libdeflate for a whole member of known size, zlib streaming for the rest, with the CRC-32 of
/// the output computed while it is still in cache.
enum Inflater {
    /// Members up to this size are inflated whole by libdeflate, into a buffer reused across members.
    static let wholeLimit = 64 << 20

    /// Inflates a member of declared `size` in one call (libdeflate), handing the output to `sink` in windows.
    /// Nil — the caller then streams it through zlib, which keeps the readable part of damaged data and
    /// reports exactly where it stopped — when the member is large, or when libdeflate does not produce exactly
    /// `size` bytes from the whole stream.
    static func whole(_ src: UnsafeRawBufferPointer, size: Int, sink: (UnsafeRawBufferPointer) -> Bool) -> Result? {
        guard size > 0, size <= wholeLimit, let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        let buffer = InflateBuffers.shared.take(size)
        defer { InflateBuffers.shared.give(buffer) }
        var consumed = 0, produced = 0
        let rc = libdeflate_deflate_decompress_ex(decompressor, src.baseAddress, src.count, buffer.baseAddress, size,
                                                  &consumed, &produced)
        guard rc == LIBDEFLATE_SUCCESS, produced == size else { return nil }
        let out = UnsafeRawBufferPointer(start: buffer.baseAddress, count: size)
        let crc = libdeflate_crc32(0, out.baseAddress, size)
        var sent = 0
        while sent < size {
            let window = UnsafeRawBufferPointer(rebasing: out[sent..<min(size, sent + (4 << 20))])
            guard sink(window) else { break }
            sent += window.count
        }
        return Result(produced: sent, consumed: consumed, crc: crc, outcome: .complete)
    }

    enum Outcome: Equatable {
        case complete, cut, overflow
        case corrupt(String)
    }

    struct Result {
        var produced: Int
        var consumed: Int
        var crc: UInt32
        var outcome: Outcome
    }

    /// Inflates `src` (at most `capacity` bytes of output), handing each window of output to `sink`, which
    /// returns false to stop.
    static func run(_ src: UnsafeRawBufferPointer, capacity: Int, sink: (UnsafeRawBufferPointer) -> Bool) -> Result {
        var s = z_stream()
        guard inflateInit2_(&s, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return Result(produced: 0, consumed: 0, crc: 0, outcome: .corrupt("zlib could not start"))
        }
        defer { inflateEnd(&s) }
        let window = 1 << 18
        let probe = UnsafeMutableRawPointer.allocate(byteCount: window, alignment: 16)
        defer { probe.deallocate() }
        var fed = 0, produced = 0
        var crc = crc32(0, nil, 0)
        while true {
            if s.avail_in == 0 && fed < src.count {
                let n = min(1 << 30, src.count - fed)
                s.next_in = UnsafeMutablePointer(mutating: (src.baseAddress! + fed).assumingMemoryBound(to: Bytef.self))
                s.avail_in = UInt32(n)
                fed += n
            }
            let room = capacity - produced
            // Past the capacity, inflate a little more to learn whether the stream had more to give.
            let n = room > 0 ? min(window, room) : 64
            s.next_out = probe.assumingMemoryBound(to: Bytef.self)
            s.avail_out = UInt32(n)
            let rc = inflate(&s, Z_NO_FLUSH)
            let made = n - Int(s.avail_out)
            let consumed = fed - Int(s.avail_in)
            if room <= 0 {
                if made > 0 { return Result(produced: produced, consumed: consumed, crc: UInt32(truncatingIfNeeded: crc), outcome: .overflow) }
            } else if made > 0 {
                crc = crc32(crc, probe.assumingMemoryBound(to: Bytef.self), UInt32(made))
                guard sink(UnsafeRawBufferPointer(start: probe, count: made)) else {
                    return Result(produced: produced, consumed: consumed, crc: UInt32(truncatingIfNeeded: crc), outcome: .complete)
                }
                produced += made
            }
            switch rc {
            case Z_STREAM_END: return Result(produced: produced, consumed: consumed, crc: UInt32(truncatingIfNeeded: crc), outcome: .complete)
            case Z_OK: continue
            case Z_BUF_ERROR where s.avail_in == 0 && fed == src.count:
                return Result(produced: produced, consumed: consumed, crc: UInt32(truncatingIfNeeded: crc), outcome: .cut)
            case Z_BUF_ERROR: continue
            default:
                let why = s.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                return Result(produced: produced, consumed: consumed, crc: UInt32(truncatingIfNeeded: crc), outcome: .corrupt(why))
            }
        }
    }

    static func crc(_ p: UnsafeRawBufferPointer) -> UInt32 {
        var c = crc32(0, nil, 0)
        var i = 0
        while i < p.count {
            let n = min(1 << 30, p.count - i)
            c = crc32(c, (p.baseAddress! + i).assumingMemoryBound(to: Bytef.self), UInt32(n))
            i += n
        }
        return UInt32(truncatingIfNeeded: c)
    }
}

/// Output buffers for whole-member inflation, kept for the next member (a fresh buffer per member cost a page
/// fault per page); at most one per load worker is in use at a time.
final class InflateBuffers: @unchecked Sendable {
    static let shared = InflateBuffers()
    private let lock = NSLock()
    private var free: [UnsafeMutableRawBufferPointer] = []

    /// A buffer of at least `size` bytes.
    func take(_ size: Int) -> UnsafeMutableRawBufferPointer {
        lock.lock()
        let found = free.firstIndex { $0.count >= size }.map { free.remove(at: $0) }
        lock.unlock()
        return found ?? .allocate(byteCount: max(size, 1 << 20), alignment: 64)
    }

    /// Returns a buffer; buffers beyond the two cores' needs are released.
    func give(_ buffer: UnsafeMutableRawBufferPointer) {
        lock.lock()
        defer { lock.unlock() }
        free.append(buffer)
        free.sort { $0.count > $1.count }
        while free.count > 2 { free.removeLast().deallocate() }
    }
}

/// The total a load may inflate from zips: members are refused, each named, once it is spent.
///
/// By default each archive adds 100 times its own size (at least 64 MiB), and the whole load is capped at twice
/// the memory available when it starts: a few megabytes of zip cannot make exhunt fill the disk or the page
/// cache. `load --max-inflate SIZE` sets the total instead.
final class InflateBudget: @unchecked Sendable {
    private let lock = NSLock()
    private let explicit: UInt64?
    private var allowance: UInt64 = 0
    private var used: UInt64 = 0
    private let cap: UInt64

    init(limit: Int?) {
        explicit = limit.map { UInt64(max(0, $0)) }
        allowance = explicit ?? 0
        cap = explicit ?? 2 * Self.availableMemory()
    }

    func admit(archive bytes: Int) {
        guard explicit == nil else { return }
        lock.lock(); defer { lock.unlock() }
        allowance = min(cap, allowance + max(64 << 20, 100 * UInt64(bytes)))
    }

    var remaining: UInt64 { lock.lock(); defer { lock.unlock() }; return allowance - used }

    func take(_ n: UInt64) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard n <= allowance - used else { return false }
        used += n
        return true
    }

    var describe: String {
        lock.lock(); defer { lock.unlock() }
        return "the load's inflate budget (\(allowance) bytes, \(used) taken; raise it with load --max-inflate SIZE)"
    }

    /// `MemAvailable` from /proc/meminfo (8 GiB when unknown).
    static func availableMemory() -> UInt64 {
        let text = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            if let kb = UInt64(line.split(separator: " ").dropFirst().first ?? "") { return kb * 1024 }
        }
        return 8 << 30
    }
}
