/// A reader turns the bytes of one evidence file into events.
///
/// Readers are chosen by content: every registered reader scores the file's first bytes (and its path,
/// as a hint) and the highest score wins. Adding a format means adding a reader to `ReaderRegistry.standard`
/// and nothing else.
public protocol EvidenceReader: Sendable {
    /// Name used in messages and `sources`.
    var name: String { get }
    /// True for text formats: the loader then strips a BOM and decodes UTF-16 before `score` and `read`.
    var readsText: Bool { get }
    /// 0 = not this format; higher = more certain. `head` holds at most the first 64 KiB.
    func score(path: String, head: UnsafeRawBufferPointer) -> Int
    /// Reads the whole file. Must never throw: problems go to `output.problems`, and every readable
    /// line still becomes an event.
    func read(_ input: ReaderInput, into output: inout ReaderOutput)
}

/// What a reader gets: the file's path relative to the evidence root and its (decoded) bytes.
public struct ReaderInput {
    public let path: String
    public let bytes: UnsafeRawBufferPointer
    /// The absolute path the bytes were read from, when they came from a plain file (nil for zip members):
    /// for readers backed by a library that only opens paths (none today: the EVTX reader became native).
    public let location: String?
    /// How the collecting machine wrote what a format leaves to it (`load --local-time`, `--date-order`).
    public let conventions: LocalConventions
    /// The zone of times a format writes in local time with no zone (`load --local-time`); nil when not given.
    public var localTimeZone: TimeZone? { conventions.timeZone }
    /// The date order `load --date-order` gave; nil when not given.
    public var dateOrder: DateOrder? { conventions.dateOrder }
    public init(path: String, bytes: UnsafeRawBufferPointer, location: String? = nil, conventions: LocalConventions = LocalConventions()) {
        self.path = path
        self.bytes = bytes
        self.location = location
        self.conventions = conventions
    }
}

/// What the analyst knows of the collecting machine that some formats leave out: its time zone (times
/// written in local time) and its culture's date order (`3/4/2021` in a file with no day above 12).
public struct LocalConventions: Sendable {
    public var timeZone: TimeZone?
    public var dateOrder: DateOrder?
    public init(timeZone: TimeZone? = nil, dateOrder: DateOrder? = nil) {
        self.timeZone = timeZone
        self.dateOrder = dateOrder
    }
}

/// What a reader produces for one file.
public struct ReaderOutput {
    public var kind: SourceKind
    /// Sub-channel, e.g. the HttpProxy protocol folder or IIS site.
    public var channel: String = ""
    public var batch = EventBatch()
    public var problems = ProblemLog()
    /// Header facts (`exchange.version`, `server`) for later commands.
    public var facts: [String: String] = [:]
    /// Set by readers of binary formats: the text their events point into, replacing the file's bytes.
    public var rendered: [UInt8]?
    /// Set by readers of binary records (EVTX) instead of `rendered`: events point at their records in the file's
    /// bytes, and this renders their lines when something reads them.
    public var renderer: (any EventRenderer)?
    /// Input the reader read or skipped without making events of it, for the load's byte accounting
    /// (`ByteAccounting`): with the events' own lines, these must cover every non-blank byte of the file.
    public private(set) var spans: [InputSpan] = []
    /// Set by readers of exports that mix servers or channels (a fleet's SIEM export): each event's server and
    /// channel, so the file is filed under each (one store file per server and channel, sharing the bytes).
    public var rowGroups: RowGroups?

    /// Files the events under their rows' servers and channels when those are several (`rowGroups`): rows naming
    /// none go with the most common. How many servers a fleet's merged export names is the fact `serversFact`.
    public mutating func file(byRows rows: RowGroups, serversFact: String) {
        guard rows.isMixed else { return }
        var rows = rows
        rows.cover(batch.count)
        rowGroups = rows
        if rows.serverCount > 1 { facts[serversFact] = "\(rows.serverCount)" }
    }
    /// Set by readers of record formats (EVTX): the records the file holds. The accounting then counts
    /// records: each record number must be an event's line number or a problem's.
    public var records: Int?

    /// Marks input as read though it is no event: a header, a directive, markup between records, or (for
    /// readers whose events point into `rendered`) the input an event was made from.
    public mutating func consumed(offset: Int, length: Int, line: Int) {
        if length > 0 { spans.append(InputSpan(offset: offset, length: length, line: line, read: true)) }
    }

    /// Marks input as not read, for a reason a problem gives on `line` (nil: a problem about the whole file).
    public mutating func skipped(offset: Int, length: Int, line: Int?) {
        if length > 0 { spans.append(InputSpan(offset: offset, length: length, line: line, read: false)) }
    }

    public init(kind: SourceKind) { self.kind = kind }
}

/// The server, channel and kind of log each event of a file names, for exports that mix them (a fleet's SIEM
/// export, a winlogbeat file holding Security, Sysmon and System events, a Splunk export of IIS lines and event
/// XML): the loader files each share as a store file of its own, sharing the bytes, so per-server verdicts,
/// per-channel rules (Sigma `service:`, `sources`) and the rules of each kind of log see each as it is.
public struct RowGroups: Sendable {
    public struct Group: Sendable {
        /// As the rows spell it ("" when a row names none: filed with the most common).
        public var server: String
        /// "" when a row names none: filed under the file's most common channel.
        public var channel: String
        /// The kind of log the row is (an IIS line in a SIEM export of event logs); nil: the file's kind.
        public var kind: SourceKind?
    }
    /// Index 0 names nothing.
    public private(set) var groups: [Group] = [Group(server: "", channel: "", kind: nil)]
    /// Per event, an index into `groups`.
    public private(set) var ofEvent: [UInt16] = []
    private var index: [String: UInt16] = [:]
    private var servers = Set<String>()
    private var channels = Set<String>()
    private var kinds = Set<SourceKind>()

    public init() {}

    /// True when the rows name more than one server, channel or kind: the file is filed in shares.
    public var isMixed: Bool { servers.count > 1 || channels.count > 1 || kinds.count > 1 }
    /// How many servers the rows name (`EX01` and `ex01` are one).
    public var serverCount: Int { servers.count }

    /// Records the server, channel and kind of events up to `count` (those before without one get group 0).
    public mutating func set(server: String, channel: String, kind: SourceKind? = nil, eventCount count: Int) {
        set(group: group(server: server, channel: channel, kind: kind), eventCount: count)
    }

    /// The group of `server`, `channel` and `kind`, made when first named; nil when none is given (or past the
    /// limit). A reader of many events with few pairs (an `.evtx`) asks once per pair, not per event.
    public mutating func group(server: String, channel: String, kind: SourceKind? = nil) -> UInt16? {
        let key = server.uppercased() + "\u{0}" + channel.lowercased() + "\u{0}" + (kind?.rawValue ?? "")
        if let i = index[key] { return i }
        guard !(server.isEmpty && channel.isEmpty && kind == nil), groups.count < Int(UInt16.max) else { return nil }
        let i = UInt16(groups.count)
        index[key] = i
        groups.append(Group(server: server, channel: channel, kind: kind))
        if !server.isEmpty { servers.insert(server.uppercased()) }
        if !channel.isEmpty { channels.insert(channel.lowercased()) }
        if let kind { kinds.insert(kind) }
        return i
    }

    /// Records `group` for the event `count` is one past (those before without one get group 0).
    public mutating func set(group: UInt16?, eventCount count: Int) {
        cover(count - 1)
        if ofEvent.count < count { ofEvent.append(group ?? 0) }
    }

    /// Gives the events up to `count` that named nothing group 0.
    public mutating func cover(_ count: Int) {
        while ofEvent.count < count { ofEvent.append(0) }
    }
}

/// A part of a reader's input that is no event (see `ReaderOutput.consumed` and `skipped`).
public struct InputSpan: Sendable {
    public var offset: Int
    public var length: Int
    /// 1-based line of `offset`; nil for a skipped span a whole-file problem explains.
    public var line: Int?
    /// True when the bytes were read (a header); false when they were skipped for a reported reason.
    public var read: Bool
}

/// The readers exhunt knows, in priority order for equal scores.
public enum ReaderRegistry {
    public static let standard: [any EvidenceReader] = [
        ExchangeCSVReader(),
        IISW3CReader(),
        IISNativeReader(),
        PlainTextReader(),
        EvtxReader(),
        WindowsEventXMLReader(),
        FileListingReader(),
        FileHashListReader(),
        CollectedWebFileReader(),
        JSONEventReader(),
        SIEMCSVReader(),
        TestProxyLogonReader(),
    ]
}

import Foundation
