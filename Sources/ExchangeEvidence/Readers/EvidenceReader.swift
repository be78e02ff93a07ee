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
    /// lets readers whose library only opens paths (libevtx) skip a temporary copy.
    public let location: String?
    public init(path: String, bytes: UnsafeRawBufferPointer, location: String? = nil) {
        self.path = path
        self.bytes = bytes
        self.location = location
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

    public init(kind: SourceKind) { self.kind = kind }
}

/// The readers exhunt knows, in priority order for equal scores.
public enum ReaderRegistry {
    public static let standard: [any EvidenceReader] = [
        ExchangeCSVReader(),
        IISW3CReader(),
        PlainTextReader(),
        EvtxReader(),
        WindowsEventXMLReader(),
        FileListingReader(),
        FileHashListReader(),
        CollectedWebFileReader(),
        JSONEventReader(),
        TestProxyLogonReader(),
    ]
}
