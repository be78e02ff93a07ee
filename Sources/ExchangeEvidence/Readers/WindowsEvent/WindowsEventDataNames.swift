import Foundation

/// Names of the positional event-data values of Windows events, read from the data file
/// `mappings/event-data-names.tsv` so that naming another event is an edit, not a build. They serve events
/// whose values come without names: classic events such as `MSExchange CmdletLogs` (their `<Data>` elements
/// have no `Name`, in `.evtx` and XML alike) and exports that drop the names (PowerShell's `Properties`).
///
/// A row names an event when its value count matches: template versions insert fields in the middle (Sysmon
/// 1's `OriginalFileName`), so a prefix would misname. Where the positions are known but the count varies
/// between versions (Exchange's cmdlet log), a row ending in `...` names the leading positions of any event
/// with at least that many values; `-` leaves a position unnamed. Exact rows are tried first, then the
/// longest prefix row that fits.
public struct WindowsEventDataNames: Sendable {
    public static let file = "mappings/event-data-names.tsv"

    /// The shipped table (empty when the data folder is missing: values then stay `Data1…`).
    public static let shipped: WindowsEventDataNames = {
        guard let url = ProgramFolders.resource(file), let text = try? String(contentsOf: url, encoding: .utf8) else {
            return WindowsEventDataNames(rows: [:], problems: ["\(file): not found; positional event data stays unnamed"])
        }
        return WindowsEventDataNames(parsing: text)
    }()

    /// One row: a name per position (nil: left unnamed), and whether it names only the leading positions.
    private struct Row: Sendable {
        var names: [String?]
        var isPrefix: Bool

        func fits(_ count: Int) -> Bool { isPrefix ? count >= names.count : count == names.count }
    }

    /// Rows per provider and event id, exact rows before prefix rows, longer prefixes first.
    private let rows: [String: [Row]]
    /// Rows that could not be read, as `FILE:LINE: why`.
    public let problems: [String]

    private init(rows: [String: [Row]], problems: [String]) {
        self.rows = rows
        self.problems = problems
    }

    /// Reads the tab-separated table: provider, event id, comma-separated names; `#` starts a comment.
    public init(parsing text: String) {
        var rows: [String: [Row]] = [:]
        var problems: [String] = []
        for (k, line) in text.textLines().enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count == 3, !columns[0].isEmpty, Int(columns[1]) != nil, let row = Self.row(columns[2]) else {
                problems.append("\(Self.file):\(k + 1): expected provider, event id and comma-separated names "
                                + "(`-` for an unnamed position, `...` last for a prefix), tab-separated")
                continue
            }
            rows[Self.key(String(columns[0]), String(columns[1])), default: []].append(row)
        }
        // Exact rows first (in file order), then prefix rows, the longest first.
        self.rows = rows.mapValues { list in
            list.filter { !$0.isPrefix } + list.filter(\.isPrefix).sorted { $0.names.count > $1.names.count }
        }
        self.problems = problems
    }

    /// The row of a names column, or nil when a name is empty or holds `=`, or the row names nothing.
    private static func row(_ column: Substring) -> Row? {
        var names = column.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let isPrefix = names.last == "..."
        if isPrefix { names.removeLast() }
        guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty && $0 != "..." && !$0.contains("=") }),
              names.contains(where: { $0 != "-" })
        else { return nil }
        return Row(names: names.map { $0 == "-" ? nil : $0 }, isPrefix: isPrefix)
    }

    static func key(_ provider: String, _ eventID: String) -> String { provider + "\t" + eventID }

    /// Whether any row names this provider's event (whatever its value count).
    public func knows(provider: String, eventID: String) -> Bool { rows[Self.key(provider, eventID)] != nil }

    /// The names of `count` unnamed values of this provider's event, one per value (`DataN` where the row
    /// leaves a position unnamed or ends before it, as for events no row names), or nil when no row fits.
    public func names(provider: String, eventID: String, count: Int) -> [String]? {
        guard let row = rows[Self.key(provider, eventID)]?.first(where: { $0.fits(count) }) else { return nil }
        return (0..<count).map { i in (i < row.names.count ? row.names[i] : nil) ?? "Data\(i + 1)" }
    }
}
