/// Where the interned fields sit in one schema, resolved once per `#Fields` header.
struct FieldMapping {
    /// Column of the timestamp (`DateTime`, `TimeStamp`, `date-time`), or of the W3C `date` column.
    var time = -1
    /// W3C only: column of `time`.
    var timeOfDay = -1
    /// Column per `InternedField` (-1 = absent).
    var columns = [Int](repeating: -1, count: InternedField.allCases.count)
    /// The mapped fields and their columns, for the per-line loop.
    var interned: [(InternedField, Int)] = []
    /// Columns of `MajorVersion,MinorVersion,BuildVersion,RevisionVersion` (HttpProxy), all or none.
    var buildParts: [Int] = []
    /// Column naming the server that wrote the line.
    var server = -1
    /// Columns a reader must locate on each line: one past the last column read above. Stored, not computed: the
    /// HttpProxy line code reads it for every line.
    private(set) var span = 0
    /// The field names joined with commas: a data line equal to it is a repeated bare CSV header.
    var headerLine: [UInt8]

    init(_ schema: FieldSchema, aliases: [InternedField: [String]], timeNames: [String], serverNames: [String]) {
        for n in timeNames { if let c = schema.column(n) { time = c; break } }
        for (field, names) in aliases {
            for n in names { if let c = schema.column(n) { columns[field.rawValue] = c; break } }
        }
        for n in serverNames { if let c = schema.column(n) { server = c; break } }
        let parts = ["MajorVersion", "MinorVersion", "BuildVersion", "RevisionVersion"].compactMap(schema.column)
        if parts.count == 4 { buildParts = parts }
        headerLine = Array(schema.names.joined(separator: ",").utf8)
        interned = InternedField.allCases.compactMap { f in columns[f.rawValue] >= 0 ? (f, columns[f.rawValue]) : nil }
        span = ([time, timeOfDay, server] + columns + buildParts).max()! + 1
    }
}
