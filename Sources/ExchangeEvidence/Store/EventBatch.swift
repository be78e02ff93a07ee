/// The events of one file, built by a reader on a worker thread with a private value pool,
/// then merged into the `EventStore` (which renumbers the interned ids).
public struct EventBatch: Sendable {
    var offsets: [Int] = []
    var lengths: [UInt32] = []
    var lines: [UInt32] = []
    var times: [Int64] = []
    var schemaIndex: [UInt16] = []
    /// Each event's EventRecordID, for event logs (0 where a record has none); empty for other formats. Record
    /// numbers are a computer's per channel, so two collections of one log (a ring, copied on day 1 and on day 5)
    /// are told apart from a cleared log's new records by number and time (`OrderedMerger.overlapping`).
    var records: [UInt64] = []
    /// Interned ids, `stride` per event in `InternedField` order (one array, so adding an event is one append).
    var fieldIDs: [UInt32] = []
    static let stride = InternedField.allCases.count
    /// One event's absent ids, appended whole for every event: copying from a buffer is a `memcpy`, where
    /// appending `repeatElement` went element by element through a generic sequence (3 % of load's CPU). A
    /// raw buffer, not an array: both workers retaining one global array for every event made its reference
    /// count a contended cache line.
    nonisolated(unsafe) private static let emptyRow: UnsafeBufferPointer<UInt32> = {
        let row = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: stride)
        row.initialize(repeating: 0)
        return UnsafeBufferPointer(row)
    }()
    var pool = ValuePool(capacity: 256)
    var schemas: [FieldSchema] = []
    private var schemaIDs: [FieldSchema: UInt16] = [:]
    /// Distinct schemas refused because the file already had `FieldSchema.limit`: their lines are stored under
    /// the plain-text schema (kept whole, no fields), and the loader reports how many.
    var schemaOverflow = 0

    public init() {}

    public var count: Int { offsets.count }

    /// Makes room for about `events` events, so a file's columns are allocated once rather than regrown.
    mutating func reserve(events: Int) {
        offsets.reserveCapacity(events)
        lengths.reserveCapacity(events)
        lines.reserveCapacity(events)
        times.reserveCapacity(events)
        schemaIndex.reserveCapacity(events)
        fieldIDs.reserveCapacity(events * Self.stride)
    }

    /// Registers a schema for the lines that follow and returns its local index. Past `FieldSchema.limit`
    /// distinct schemas (a hostile file of 65,536 `#Fields` lines) it returns the plain-text schema's index.
    public mutating func addSchema(_ schema: FieldSchema) -> UInt16 {
        if let i = schemaIDs[schema] { return i }
        if schemas.count >= FieldSchema.limit - 1 && schema != FieldSchema.plain {
            schemaOverflow += 1
            return addSchema(FieldSchema.plain)
        }
        let id = UInt16(schemas.count)
        schemas.append(schema)
        schemaIDs[schema] = id
        return id
    }

    /// Appends one event. `fields` are interned values for the `InternedField`s, in case order (0 = absent).
    @inline(__always)
    public mutating func append(offset: Int, length: Int, line: Int, time: Int64, schema: UInt16) {
        offsets.append(offset)
        // A line over 4 GiB keeps its first 4 GiB (the rest shows as bytes not read); line numbers saturate.
        lengths.append(UInt32(clamping: length))
        lines.append(UInt32(clamping: line))
        times.append(time)
        schemaIndex.append(schema)
        fieldIDs.append(contentsOf: Self.emptyRow)
    }

    /// Sets the EventRecordID of the last appended event (events before it without one read as 0).
    mutating func setRecord(_ id: UInt64) {
        guard records.count < count else { return }
        if records.count < count - 1 { records.append(contentsOf: repeatElement(0, count: count - 1 - records.count)) }
        records.append(id)
    }

    /// The EventRecordID of event `i`; 0 when unknown.
    func record(_ i: Int) -> UInt64 { i < records.count ? records[i] : 0 }

    /// Sets an interned field of the last appended event.
    @inline(__always)
    public mutating func set(_ field: InternedField, _ bytes: UnsafeRawBufferPointer) {
        let id = pool.intern(bytes)
        fieldIDs[fieldIDs.count - Self.stride + field.rawValue] = id
    }

    public mutating func set(_ field: InternedField, _ string: String) {
        var s = string
        s.withUTF8 { set(field, UnsafeRawBufferPointer($0)) }
    }

    /// The events at `indices` (ascending), with this batch's schemas and values: one server's rows of a file
    /// holding several (`ReaderOutput.rowServers`).
    func subset(_ indices: [Int]) -> EventBatch {
        var b = self
        b.offsets = indices.map { offsets[$0] }
        b.lengths = indices.map { lengths[$0] }
        b.lines = indices.map { lines[$0] }
        b.times = indices.map { times[$0] }
        b.schemaIndex = indices.map { schemaIndex[$0] }
        if !records.isEmpty { b.records = indices.map { record($0) } }
        var ids: [UInt32] = []
        ids.reserveCapacity(indices.count * Self.stride)
        for i in indices { ids.append(contentsOf: fieldIDs[(i * Self.stride)..<((i + 1) * Self.stride)]) }
        b.fieldIDs = ids
        return b
    }
}
