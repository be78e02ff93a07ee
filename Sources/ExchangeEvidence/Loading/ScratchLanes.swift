import CMappedEvidence
import Foundation

/// Where a zip's inflated members are kept for the session: temporary files ("lanes"), each written by one
/// load worker at a time and mapped read-only.
///
/// With one file for all members, the two workers queued on its inode lock for every write: a seventh of a
/// zipped load's CPU was spent spinning on it. A worker now takes a lane, appends a whole member to it and gives
/// it back. Every lane is as long as all the members together (sparse: only what is written takes space), so
/// any member fits in any lane.
///
/// Lanes are memory files (`memfd_create`, like a file on tmpfs) when the members fit in half the memory
/// available: writing to one costs a page of memory, not a file system's block allocation, journal and
/// write-back (a zipped load measured 2.2 s instead of 2.7–3.3 s with its lanes in `/var/tmp`). Larger sets
/// use unlinked files in `$TMPDIR` (default `/var/tmp`), which the kernel writes out to disk under pressure.
final class ScratchLanes: @unchecked Sendable {
    /// One temporary file: its descriptor for writing, its read-only mapping, and how much of it is used.
    final class Lane {
        let fd: Int32
        let mapping: EvidenceBytes.Mapping
        /// Bytes of the lane in use: the next member starts here.
        var end = 0

        init(fd: Int32, mapping: EvidenceBytes.Mapping) {
            self.fd = fd
            self.mapping = mapping
        }

        deinit { close(fd) }
    }

    /// Where the lanes are: memory files, or unlinked files in a folder.
    enum Place: Equatable {
        case memory
        case folder(String)
    }

    let place: Place
    /// The length of every lane: all members' sizes, each rounded up to a page.
    let capacity: Int
    private let condition = NSCondition()
    private var idle: [Lane] = []

    /// Lanes for `capacity` bytes of members, placed by `available` memory; the first lane is made here, so a
    /// place that cannot take a file is known (thrown) before any member is read.
    init(capacity: Int, available: UInt64 = InflateBudget.availableMemory()) throws {
        self.capacity = capacity
        if UInt64(capacity) <= available / 2 {
            place = .memory
        } else {
            place = .folder(ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/tmp")
        }
        idle.append(try makeLane())
    }

    /// A lane no other worker is writing to: an idle one, a new one, or (when no more can be made) the next one
    /// given back.
    func take() -> Lane {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let lane = idle.popLast() { return lane }
            if let lane = try? makeLane() { return lane }
            condition.wait()
        }
    }

    /// Gives a lane back for the next member.
    func give(_ lane: Lane) {
        condition.lock()
        idle.append(lane)
        condition.signal()
        condition.unlock()
    }

    private func makeLane() throws -> Lane {
        let fd: Int32
        let label: String
        switch place {
        case .memory:
            fd = exhunt_open_memory_scratch()
            label = "memory"
        case .folder(let dir):
            fd = exhunt_open_scratch(dir)
            label = dir
        }
        guard fd >= 0 else { throw ReadFailure(description: "no temporary file in \(label): \(String(cString: strerror(errno)))") }
        guard ftruncate(fd, off_t(capacity)) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw ReadFailure(description: "cannot size a temporary file in \(label): \(why)")
        }
        do {
            guard let mapping = try EvidenceBytes.Mapping.scratch(fd, length: capacity) else {
                throw ReadFailure(description: "cannot map a temporary file in \(label): too many mappings")
            }
            return Lane(fd: fd, mapping: mapping)
        } catch {
            close(fd)
            throw error
        }
    }
}
