import Foundation

/// The layout of `Get-ChildItem`'s default table output (`dir`, `ls`, `gci` redirected to a file, as responders
/// paste it): one block per folder, each a `Directory: PATH` line, a `Mode  LastWriteTime  Length Name` header and
/// its dashes, then one row per file or folder. Folders (`d-----`) have no Length. A name too long for the
/// console's width wraps onto the next lines, which start with spaces up to the Name column.
///
/// Columns are found from the dashes line (PowerShell right-aligns `LastWriteTime` and `Length`, and a value may be
/// wider than its dashes): the Name starts where the last run of dashes does, the Length is the last word before
/// it when that word is a number, the Mode the first word, and the time the rest.
struct PowerShellTable {
    /// The columns of every row, as `Export-Csv` of the same objects names them: the rows are written as such
    /// CSV lines, so rules read the same names from both forms of a listing.
    static let names = ["FullName", "Mode", "LastWriteTime", "Length", "Name"]

    /// One row: its values in `names` order, its first line's number, and the input lines it was read from.
    struct Row {
        var values: [String]
        var line: Int
        var spans: [(offset: Int, length: Int, line: Int)]
    }

    private(set) var rows: [Row] = []
    /// The lines that are no row (`Directory:` lines, headers, dashes), as (offset, length, line).
    private(set) var layout: [(offset: Int, length: Int, line: Int)] = []
    /// Lines of no known part of the table, for the reader to keep as text and report.
    private(set) var unread: [(offset: Int, length: Int, line: Int)] = []

    /// True when the head starts (after blank lines) with a `Directory:` line whose next non-blank line is the
    /// table's header.
    static func recognises(_ head: UnsafeRawBufferPointer) -> Bool {
        var scanner = LineScanner(head)
        var sawDirectory = false
        while let (off, len) = scanner.next() {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: head[off..<(off + len)]), as: UTF8.self)
            let trimmed = text.trimmingSpaces()
            if trimmed.isEmpty { continue }
            if !sawDirectory {
                guard directory(trimmed) != nil else { return false }
                sawDirectory = true
                continue
            }
            return isHeader(trimmed)
        }
        return false
    }

    /// The folder a `Directory: PATH` line names.
    static func directory(_ trimmed: String) -> String? {
        guard trimmed.hasPrefix("Directory:") else { return nil }
        let path = trimmed.dropFirst("Directory:".count).trimmingCharacters(in: .whitespaces)
        return path.isEmpty ? nil : path
    }

    static func isHeader(_ trimmed: String) -> Bool {
        trimmed.split(separator: " ", omittingEmptySubsequences: true) == ["Mode", "LastWriteTime", "Length", "Name"]
    }

    init(_ p: UnsafeRawBufferPointer) {
        var scanner = LineScanner(p)
        var folder: String?
        /// Column where names start, from the dashes line of the current block.
        var nameColumn: Int?
        var headerSeen = false
        while let (off, len) = scanner.next() {
            let lineNo = scanner.lineNumber
            let bytes = UnsafeRawBufferPointer(rebasing: p[off..<(off + len)])
            let text = String(decoding: bytes, as: UTF8.self)
            let trimmed = text.trimmingSpaces()
            let span = (offset: off, length: len, line: lineNo)
            if trimmed.isEmpty { continue }
            if let d = Self.directory(trimmed) {
                folder = d
                nameColumn = nil
                headerSeen = false
                layout.append(span)
                continue
            }
            if folder != nil, !headerSeen, Self.isHeader(trimmed) { headerSeen = true; layout.append(span); continue }
            if headerSeen, nameColumn == nil, trimmed.allSatisfy({ $0 == "-" || $0 == " " }) {
                // The start of the last run of dashes (Name's).
                let columns = Array(text.utf8)
                if var start = columns.lastIndex(of: UInt8(ascii: "-")) {
                    while start > 0 && columns[start - 1] == UInt8(ascii: "-") { start -= 1 }
                    nameColumn = start
                }
                layout.append(span)
                continue
            }
            guard let folder, let nameColumn else { unread.append(span); continue }
            let u = Array(text.utf8)
            // A wrapped name: only spaces before the Name column, and a row above to continue.
            if text.first == " ", u.count > nameColumn, u[..<nameColumn].allSatisfy({ $0 == UInt8(ascii: " ") }), !rows.isEmpty,
               rows[rows.count - 1].spans.last?.line == lineNo - 1 {
                rows[rows.count - 1].values[4] += String(decoding: u[nameColumn...], as: UTF8.self)
                rows[rows.count - 1].values[0] = Self.join(folder, rows[rows.count - 1].values[4])
                rows[rows.count - 1].spans.append(span)
                continue
            }
            guard u.count > nameColumn, let row = Self.row(u, nameColumn: nameColumn) else { unread.append(span); continue }
            rows.append(Row(values: [Self.join(folder, row.name), row.mode, row.time, row.length, row.name], line: lineNo, spans: [span]))
        }
    }

    /// Mode, time, length and name of a row's bytes; nil when the row does not have a mode and a time before its name.
    static func row(_ u: [UInt8], nameColumn: Int) -> (mode: String, time: String, length: String, name: String)? {
        let before = String(decoding: u[..<nameColumn], as: UTF8.self)
        var words = before.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard words.count >= 3, let mode = words.first, mode.count >= 5,
              mode.allSatisfy({ "-darhsl".contains($0) }) else { return nil }
        words.removeFirst()
        let length = words.last!.allSatisfy(\.isNumber) ? words.removeLast() : ""
        guard words.count >= 2 else { return nil }
        return (mode, words.joined(separator: " "), length, String(decoding: u[nameColumn...], as: UTF8.self))
    }

    static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("\\") ? folder + name : folder + "\\" + name
    }
}
