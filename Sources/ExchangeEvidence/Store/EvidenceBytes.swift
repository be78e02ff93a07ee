import CMappedEvidence
import Foundation

/// The bytes of one loaded file, kept once, that its events point into.
///
/// Usually a read-only mapping of the evidence file itself (`mmap`): the page cache holds the bytes, the
/// process only its index, and the system can drop and re-read pages under memory pressure, so evidence larger
/// than memory loads. Zip members are mapped from an unlinked temporary file they were inflated into. Bytes are
/// copied into the process only when they had to be transformed (UTF-16 decoded, event XML rendered), with
/// `load --copy`, or past the system's limit on mappings.
///
/// A mapped file that shrinks while loaded would make reads past its new end fault (SIGBUS). Mappings live in
/// an address range whose faults are absorbed (a page of zeros is read instead, see `CMappedEvidence`), and
/// `EvidenceFile.checkUnchanged()` notices the change, zeroes the lost tail and reports it.
public final class EvidenceBytes: @unchecked Sendable {
    private enum Storage {
        case heap([UInt8])
        case mapped(Mapping, offset: Int)
    }

    private let storage: Storage
    private let base: UnsafeRawPointer?
    public let count: Int

    /// Bytes held by the process (copied or decoded).
    public init(_ bytes: [UInt8]) {
        storage = .heap(bytes)
        count = bytes.count
        // The array's storage is immutable from here on (nothing else holds it), so its address is stable.
        base = bytes.withUnsafeBytes { $0.baseAddress }
    }

    /// `count` bytes of `mapping` from `offset`.
    init(_ mapping: Mapping, offset: Int = 0, count: Int) {
        precondition(offset >= 0 && offset + count <= mapping.length)
        storage = .mapped(mapping, offset: offset)
        self.count = count
        base = count == 0 ? nil : mapping.address + offset
    }

    /// These bytes from `start` on (a byte-order mark skipped), sharing the same storage.
    func dropFirst(_ start: Int) -> EvidenceBytes {
        switch storage {
        case .heap(let a): return EvidenceBytes(Array(a[start...]))
        case .mapped(let m, let o): return EvidenceBytes(m, offset: o + start, count: count - start)
        }
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Where the bytes start (nil when there are none), for a writer that reads lines of millions of events: valid
    /// as long as this object lives, as the bytes never move.
    public var baseAddress: UnsafeRawPointer? { base }

    /// True when the bytes are a mapping of a file rather than memory of the process.
    public var isMapped: Bool {
        if case .mapped = storage { return true }
        return false
    }

    /// The mapping behind these bytes, for zeroing the tail of a file that shrank.
    var mapping: (Mapping, offset: Int)? {
        if case .mapped(let m, let o) = storage { return (m, o) }
        return nil
    }

    /// An `mmap` region, unmapped when the last `EvidenceBytes` using it goes.
    final class Mapping: @unchecked Sendable {
        let address: UnsafeRawPointer
        let length: Int
        private let guarded: Int32

        private init(address: UnsafeRawPointer, length: Int, guarded: Int32) {
            self.address = address
            self.length = length
            self.guarded = guarded
        }

        deinit {
            exhunt_unmap(address, length, guarded)
            MappingBudget.shared.release()
        }

        /// Maps `length` bytes of an open file read-only; nil when the budget of mappings is spent.
        static func file(_ fd: Int32, length: Int) throws -> Mapping? {
            try make(length) { exhunt_map_file(fd, length, &$0).map { UnsafeRawPointer($0) } }
        }

        /// Maps `length` bytes of a private temporary file shared, to read what is written to it.
        static func scratch(_ fd: Int32, length: Int) throws -> Mapping? {
            try make(length) { exhunt_map_scratch(fd, length, &$0).map { UnsafeRawPointer($0) } }
        }

        private static func make(_ length: Int, _ map: (inout Int32) -> UnsafeRawPointer?) throws -> Mapping? {
            guard MappingBudget.shared.take() else { return nil }
            var guarded: Int32 = 0
            guard let p = map(&guarded) else {
                MappingBudget.shared.release()
                throw ReadFailure(description: "cannot map: \(String(cString: strerror(errno)))")
            }
            return Mapping(address: p, length: length, guarded: guarded)
        }

        /// Makes the pages past `valid` bytes read as zeros (the file shrank to `valid` bytes).
        func zeroTail(from valid: Int) {
            exhunt_zero_tail(address, length, max(0, valid))
        }
    }

    /// Installs the guard that absorbs faults past the end of a shrunken file (the first mapping does it too).
    public static func installFaultGuard() { exhunt_install_fault_guard() }

    /// True while the fault guard is the process's SIGBUS handler.
    public static var faultGuardActive: Bool { exhunt_fault_guard_active() != 0 }

    /// Faults past the end of a shrunken file absorbed so far in this process (see `CMappedEvidence`).
    public static var absorbedFaults: Int { exhunt_absorbed_faults() }
}

/// How many files may be mapped at once: the system allows `vm.max_map_count` mappings per process (65,530 by
/// default) and the heap, threads and libraries need some. Past the budget, files are copied into memory.
final class MappingBudget: @unchecked Sendable {
    static let shared = MappingBudget()
    private let lock = NSLock()
    private var live = 0
    let limit: Int

    init() {
        let text = (try? String(contentsOfFile: "/proc/sys/vm/max_map_count", encoding: .utf8)) ?? ""
        let system = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 65_530
        limit = max(1_000, system - 15_000)
    }

    /// Takes one mapping from the budget; false when none is left.
    func take() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard live < limit else { return false }
        live += 1
        return true
    }

    func release() { lock.lock(); live -= 1; lock.unlock() }
}
