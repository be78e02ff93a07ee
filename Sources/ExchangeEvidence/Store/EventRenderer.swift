import Foundation

/// Renders the stored line of events whose bytes are binary records (EVTX): such events point at their record
/// in the file's own (mapped) bytes, and their `keyValue` line is made only when something reads it, so a load
/// keeps an index rather than a rendered copy of every record.
public protocol EventRenderer: AnyObject, Sendable {
    /// Renders the event at `offset`/`length` of `file` with line (record) number `line` into `out`
    /// (replacing its contents), without the trailing newline.
    func render(_ file: UnsafeRawBufferPointer, offset: Int, length: Int, line: Int, into out: inout [UInt8])
    /// Renders many events (in the order given) into one text, one line each, for bulk scans.
    func renderAll(_ file: UnsafeRawBufferPointer, offsets: ArraySlice<Int>, lengths: ArraySlice<UInt32>,
                   lines: ArraySlice<UInt32>) -> RenderedText
}

/// The rendered lines of a file's events, one per event in event order: what bulk scans (indicator search,
/// `events(containing:)`, YARA over stored text) read instead of the binary records.
public struct RenderedText: Sendable {
    public let bytes: EvidenceBytes
    /// Per event of the file (index 0 = its first event): where its line starts in `bytes`, and its length.
    public let offsets: [Int]
    public let lengths: [UInt32]

    public init(bytes: [UInt8], offsets: [Int], lengths: [UInt32]) {
        self.bytes = EvidenceBytes(bytes)
        self.offsets = offsets
        self.lengths = lengths
    }
}

/// The text of one file's events as a scan sees it: the file's bytes with the store's offsets for line formats,
/// the rendered lines for binary records. Offsets and lengths are looked up by event id.
public struct EventText {
    public let bytes: UnsafeRawBufferPointer
    let offsets: [Int]
    let lengths: [UInt32]
    /// The event id of `offsets[0]`.
    let base: Int

    @inline(__always) public func offset(_ e: EventID) -> Int { offsets[e &- base] }
    @inline(__always) public func length(_ e: EventID) -> Int { Int(lengths[e &- base]) }
    @inline(__always) public func line(_ e: EventID) -> UnsafeRawBufferPointer {
        let s = offset(e)
        return UnsafeRawBufferPointer(rebasing: bytes[s..<(s + length(e))])
    }
}
