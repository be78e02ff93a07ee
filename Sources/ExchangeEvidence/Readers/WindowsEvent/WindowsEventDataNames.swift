import Foundation

/// Names of the positional event-data values of Windows events, for exports that keep the values but drop
/// their names (PowerShell's `Properties`), read from the data file `mappings/event-data-names.tsv` so that
/// naming another event is an edit, not a build. A row names an event only when its value count matches:
/// template versions insert fields in the middle (Sysmon 1's `OriginalFileName`), so a prefix would misname.
public struct WindowsEventDataNames: Sendable {
    public static let file = "mappings/event-data-names.tsv"

    /// The shipped table (empty when the data folder is missing: values then stay `Data1…`).
    public static let shipped: WindowsEventDataNames = {
        guard let url = ProgramFolders.resource(file), let text = try? String(contentsOf: url, encoding: .utf8) else {
            return WindowsEventDataNames(rows: [:], problems: ["\(file): not found; positional event data stays unnamed"])
        }
        return WindowsEventDataNames(parsing: text)
    }()

    private let rows: [String: [[String]]]
    /// Rows that could not be read, as `FILE:LINE: why`.
    public let problems: [String]

    private init(rows: [String: [[String]]], problems: [String]) {
        self.rows = rows
        self.problems = problems
    }

    /// Reads the tab-separated table: provider, event id, comma-separated names; `#` starts a comment.
    public init(parsing text: String) {
        var rows: [String: [[String]]] = [:]
        var problems: [String] = []
        // "\r\n" is one Character in Swift: split on either ending.
        for (k, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            let names = columns.count == 3 ? columns[2].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } : []
            guard columns.count == 3, !columns[0].isEmpty, Int(columns[1]) != nil, !names.isEmpty, !names.contains("") else {
                problems.append("\(Self.file):\(k + 1): expected provider, event id and comma-separated names, tab-separated")
                continue
            }
            rows[Self.key(String(columns[0]), String(columns[1])), default: []].append(names)
        }
        self.rows = rows
        self.problems = problems
    }

    static func key(_ provider: String, _ eventID: String) -> String { provider + "\t" + eventID }

    /// Whether any row names this provider's event (whatever its value count).
    public func knows(provider: String, eventID: String) -> Bool { rows[Self.key(provider, eventID)] != nil }

    /// The names for `count` values of this provider's event, or nil when no row has that many.
    public func names(provider: String, eventID: String, count: Int) -> [String]? {
        rows[Self.key(provider, eventID)]?.first { $0.count == count }
    }
}
