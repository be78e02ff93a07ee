import Foundation

/// One loaded file: where it came from, its chain-of-custody facts, and the bytes its events point into.
///
/// The bytes are kept once: events store offsets into `bytes`, never copies of their lines. For text logs
/// `bytes` are the file's own bytes, mapped (after UTF-16 decoding, when the file was UTF-16). Events of EVTX point
/// at their binary records in `bytes` and are rendered on demand by `renderer`.
public final class EvidenceFile: @unchecked Sendable {
    /// Path relative to the evidence root, with `/` separators (for zips: the member path).
    public let path: String
    /// Name of the evidence set this file was loaded with.
    public internal(set) var evidenceSet: String
    /// Where the bytes were read: an absolute file path, or `ZIP!/member`.
    public let location: String
    public internal(set) var server: String
    public let size: Int
    /// Last modification time (ms since the epoch, UTC), from the file system or the zip entry.
    public let modified: Int64
    /// Lower-case hex SHA-256 of the file as stored (before any decoding).
    public let sha256: String
    public internal(set) var kind: SourceKind
    /// Sub-channel of the kind: the HttpProxy protocol folder (`Ecp`), the IIS site (`W3SVC1`), the event log channel.
    public internal(set) var channel: String
    public internal(set) var bytes: EvidenceBytes
    /// Identity of the file on disk when it was mapped (nil when the bytes are not a mapping of it).
    var identity: FileIdentity?
    /// Set once the file was found changed on disk since it was loaded: what changed, for the session to report.
    public private(set) var changedSinceLoad: String?
    public internal(set) var problems: ProblemLog
    /// Facts a reader found in headers (e.g. `exchange.version` from `#Version`), for later commands.
    public internal(set) var facts: [String: String]
    /// The fact a reader sets to the tool's name when the file holds only the rows that tool selected from a log
    /// (Test-ProxyLogon's CSVs): its times bound what the tool flagged, not a period the log covers.
    public static let selectedByFact = "rows.selected-by"
    /// The address the server that wrote a web log answered on (IIS's `s-ip`), most of its lines' (a fact).
    public static let serverAddressFact = "server.address"
    /// The fact the loader sets on a log that names no server and was filed under the server most logs of its
    /// folder name, beside logs of other servers: a guess the report's verdict must mention.
    public static let serverGuessedFact = "server.guessed"
    /// The fact on a file whose lines name another computer than the server its folder names: that computer.
    public static let otherComputerFact = "server.other-computer"
    /// The tool whose selection of rows this file holds, nil for a whole log.
    public var selectedBy: String? { facts[Self.selectedByFact] }
    /// Bytes of the (decoded) file in no event and no header the reader read; each such line is named by a
    /// problem (see `ByteAccounting`). The whole file for one no reader could parse.
    public internal(set) var bytesNotRead = 0
    /// For record formats (EVTX): records that became no event (each named by a problem).
    public internal(set) var recordsNotRead = 0
    /// False when the reader's events could not be measured against the file (it declared nothing to do so).
    public internal(set) var accounted = true
    public internal(set) var eventCount = 0
    /// Bytes at the start that are an earlier copy's, loaded before: the same log collected again, longer (a live
    /// log). Their lines are that copy's events, not this file's, and scans of every byte (`grep-ioc --raw`, YARA)
    /// leave them to it, so a collection made twice is not counted twice. 0 for most files.
    public internal(set) var continuesFrom = 0
    /// Each event's EventRecordID, in the file's event order, for event logs (empty for other files): what a later
    /// collection of the same log is compared with (`OrderedMerger.overlapping`).
    public internal(set) var records: [UInt64] = []
    /// For an event log collected again: its lines whose records an earlier copy holds (and which are that copy's
    /// events, not this file's), with the event of that copy, so `show FILE:LINE` on this copy still finds them.
    public internal(set) var sharedLines: [UInt32: EventID] = [:]
    /// The fact the loader sets on such a file, and on an event log sharing records with one loaded before: the
    /// earlier copy, as `SET/path`.
    public static let continuesFact = "log.continues"
    public internal(set) var firstTime = Timestamp.unknown
    public internal(set) var lastTime = Timestamp.unknown
    /// Set when the events point at binary records rather than text lines (EVTX): renders their lines on demand.
    public internal(set) var renderer: (any EventRenderer)?
    private let renderedLock = NSLock()
    private var renderedCache: RenderedText?

    convenience init(path: String, evidenceSet: String, location: String, server: String, size: Int, modified: Int64,
                     sha256: String, kind: SourceKind, channel: String, bytes: [UInt8], problems: ProblemLog, facts: [String: String]) {
        self.init(path: path, evidenceSet: evidenceSet, location: location, server: server, size: size, modified: modified,
                  sha256: sha256, kind: kind, channel: channel, bytes: EvidenceBytes(bytes), problems: problems, facts: facts)
    }

    init(path: String, evidenceSet: String, location: String, server: String, size: Int, modified: Int64,
         sha256: String, kind: SourceKind, channel: String, bytes: EvidenceBytes, problems: ProblemLog, facts: [String: String],
         identity: FileIdentity? = nil) {
        self.identity = identity
        self.path = path
        self.evidenceSet = evidenceSet
        self.location = location
        self.server = server
        self.size = size
        self.modified = modified
        self.sha256 = sha256
        self.kind = kind
        self.channel = channel
        self.bytes = bytes
        self.problems = problems
        self.facts = facts
    }
}

extension EvidenceFile {
    /// The rendered lines of all this file's events (made on first use, on all cores, then kept for later scans);
    /// nil for files whose events are text lines of `bytes`.
    func renderedText(offsets: ArraySlice<Int>, lengths: ArraySlice<UInt32>, lines: ArraySlice<UInt32>) -> RenderedText? {
        guard let renderer else { return nil }
        renderedLock.lock(); defer { renderedLock.unlock() }
        if let t = renderedCache { return t }
        let t = bytes.withUnsafeBytes { renderer.renderAll($0, offsets: offsets, lengths: lengths, lines: lines) }
        renderedCache = t
        return t
    }

    /// The rendered lines when a bulk scan already made them (nil otherwise: render one event at a time).
    var renderedIfMade: RenderedText? {
        renderedLock.lock(); defer { renderedLock.unlock() }
        return renderedCache
    }

    /// Compares a mapped file with what it was when loaded (size, modification time, inode). When it changed,
    /// records why in `changedSinceLoad`, makes whatever it lost at its end read as zeros (so no read past its
    /// new end can fault) and returns true, once. Files whose bytes the process holds itself never change.
    @discardableResult
    public func checkUnchanged() -> Bool {
        guard changedSinceLoad == nil, let was = identity, bytes.isMapped else { return false }
        var st = stat()
        let now: FileIdentity? = stat(location, &st) == 0 ? FileIdentity(st) : nil
        guard now != was else { return false }
        let shrunk = now.map { $0.size < bytes.count } ?? false
        if let (mapping, offset) = bytes.mapping, shrunk {
            mapping.zeroTail(from: offset + (now.map { Int($0.size) } ?? 0))
        }
        changedSinceLoad = now.map { n in
            n.size < was.size ? "truncated from \(was.size) to \(n.size) bytes since it was loaded: lines past byte \(n.size) now read as empty"
                : n.size != was.size ? "grew from \(was.size) to \(n.size) bytes since it was loaded"
                : n.inode != was.inode ? "replaced by another file since it was loaded"
                : "modified since it was loaded (same size, new modification time)"
        } ?? "no longer found on disk (\(String(cString: strerror(errno)))) since it was loaded"
        problems.add(LoadProblem(changedSinceLoad!))
        return true
    }
}

/// What identifies a file's content on disk cheaply: size, modification time and inode.
struct FileIdentity: Equatable, Sendable {
    var size: Int64
    var modifiedNanoseconds: Int64
    var device: UInt64
    var inode: UInt64

    init(_ st: stat) {
        size = Int64(st.st_size)
        modifiedNanoseconds = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
