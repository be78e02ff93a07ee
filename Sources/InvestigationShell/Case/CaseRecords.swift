import ExchangeEvidence

/// An analyst's decision about one event, keyed so it survives reloading: the SHA-256 of the evidence
/// file and the event's line in it (event ids are only stable within a session).
public struct CaseMark: Sendable, Equatable {
    public var sha256: String
    public var line: Int
    /// Context kept at marking time, so `marks` and the report can list the mark before the evidence is reloaded.
    public var path: String
    public var server: String
    public var eventTime: Int64
    public var message: String
    /// malicious, suspicious, benign or reviewed.
    public var label: String
    public var note: String
    public var tags: [String]
    /// The finding the mark was made through (`mark finding F3`), if any.
    public var finding: String?
    public var user: String
    /// When the mark was made (ms UTC).
    public var markedAt: Int64

    public init(sha256: String, line: Int, path: String, server: String, eventTime: Int64, message: String, label: String,
                note: String, tags: [String], finding: String?, user: String, markedAt: Int64) {
        self.sha256 = sha256; self.line = line; self.path = path; self.server = server; self.eventTime = eventTime
        self.message = message; self.label = label; self.note = note; self.tags = tags; self.finding = finding
        self.user = user; self.markedAt = markedAt
    }

    /// What a mark is stored under: one server's copy of a file's content, and the line. The server is part of
    /// it because the same file on two servers (one web shell dropped on both) is two pieces of evidence.
    public struct Key: Sendable, Hashable {
        public var sha256: String
        public var line: Int
        public var server: String
    }

    public var key: Key { Key(sha256: sha256, line: line, server: server) }
}

/// A free note in the case (`note TEXT`).
public struct CaseNote: Sendable, Equatable {
    public var id: Int64
    public var text: String
    public var user: String
    public var time: Int64
}

/// An indicator the analyst added to the case (the IOC commands keep them here so they travel with the case).
public struct AnalystIOC: Sendable, Equatable {
    public var id: Int64
    /// ip, domain, url, path, sha256, md5, sha1, user-agent, other.
    public var type: String
    public var value: String
    public var note: String
    public var user: String
    public var time: Int64

    public init(id: Int64 = 0, type: String, value: String, note: String, user: String, time: Int64) {
        self.id = id; self.type = type; self.value = value; self.note = note; self.user = user; self.time = time
    }
}

/// A file that was loaded while the case was open (chain of custody).
public struct CaseEvidence: Sendable, Equatable {
    public var evidenceSet: String
    public var path: String
    public var server: String
    public var kind: String
    public var size: Int
    public var sha256: String
    public var loadedAt: Int64
}

/// One command run in a session with the case open.
public struct AuditEntry: Sendable, Equatable {
    public var time: Int64
    public var user: String
    public var command: String
    /// nil when the command succeeded, else its error message.
    public var error: String?
    /// 0 for a typed command or a line of the top-level script, 1 and more for lines a `source` ran.
    public var depth: Int = 0
    /// The command as `case history --as-script` replays it, when the typed form named session-local numbers
    /// (event ids, finding numbers): the events' `FILE:LINE` instead. nil: replayed as typed.
    public var replay: String? = nil
}
