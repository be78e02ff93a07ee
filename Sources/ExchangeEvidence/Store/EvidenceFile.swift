/// One loaded file: where it came from, its chain-of-custody facts, and the bytes its events point into.
///
/// The bytes are kept once: events store offsets into `bytes`, never copies of their lines. For text logs
/// `bytes` are the file's own bytes (after UTF-16 decoding, when the file was UTF-16); readers of binary
/// formats such as EVTX render one line per record into `bytes` instead.
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
    public internal(set) var bytes: [UInt8]
    public internal(set) var problems: ProblemLog
    /// Facts a reader found in headers (e.g. `exchange.version` from `#Version`), for later commands.
    public internal(set) var facts: [String: String]
    /// Bytes of the (decoded) file in no event and no header the reader read; each such line is named by a
    /// problem (see `ByteAccounting`). The whole file for one no reader could parse.
    public internal(set) var bytesNotRead = 0
    /// For record formats (EVTX): records that became no event (each named by a problem).
    public internal(set) var recordsNotRead = 0
    /// False when the reader's events could not be measured against the file (it declared nothing to do so).
    public internal(set) var accounted = true
    public internal(set) var eventCount = 0
    public internal(set) var firstTime = Timestamp.unknown
    public internal(set) var lastTime = Timestamp.unknown

    init(path: String, evidenceSet: String, location: String, server: String, size: Int, modified: Int64,
         sha256: String, kind: SourceKind, channel: String, bytes: [UInt8], problems: ProblemLog, facts: [String: String]) {
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
