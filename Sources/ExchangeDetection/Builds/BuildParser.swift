import Foundation

/// Reads Exchange build numbers from the forms responders meet: a typed build, `AdminDisplayVersion`,
/// an update's uninstall `DisplayName`, and the saved output of `Get-Command ExSetup.exe | ForEach-Object
/// { $_.FileVersionInfo }` (table or list form) and `Get-ExchangeServer | Format-List Name,AdminDisplayVersion`.
public enum BuildParser {
    static let expected = "expected a build such as 15.1.2176.2, 15.01.2176.002 or Version 15.1 (Build 2176.2)"

    /// Parses one build given on its own (a `check-build` argument).
    public static func parse(_ text: String) throws(BuildParseError) -> BuildReading {
        let t = text.trimmingWhitespace()
        if t.isEmpty { throw BuildParseError(message: "no build given: \(expected)") }
        if let r = adminDisplayVersion(in: t) { return r }
        if let r = updateDisplayName(t) { return r }
        // HttpProxy logs write the build as four columns (MajorVersion … RevisionVersion): `15,1,2176,9` copied
        // from a log line is that build (reviewer).
        let columns = t.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        if columns.count == 4, columns.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
           let b = ExchangeBuild(dotted: columns.joined(separator: ".")) {
            return BuildReading(build: b, source: .typed)
        }
        let tokens = versionTokens(in: t)
        guard let first = tokens.first else {
            let what = containsWord(t, "version") ? "has no build number" : "is not a build number"
            throw BuildParseError(message: "'\(t)' \(what): \(expected)")
        }
        if tokens.count > 1, Set(tokens).count > 1 {
            throw BuildParseError(message: "'\(t)' holds several different builds (\(tokens.map(\.description).joined(separator: ", "))): give one")
        }
        let source: BuildSource = t.range(of: "FileVersion", options: .caseInsensitive) != nil ? .exSetup : .typed
        return BuildReading(build: first, source: source)
    }

    /// Finds the builds in saved command output, one reading per server block. Lines that carry a
    /// version number without one of the recognised contexts (an IP address, a date) are ignored.
    public static func readings(in lines: [String]) -> [BuildReading] {
        var out: [BuildReading] = []
        var block: [BuildReading] = []
        var blockServer: String?
        /// Where a table's `PSComputerName` column is: first or last (Invoke-Command adds it at either end).
        var tableServerColumn: TableServerColumn = .none

        func flush() {
            for var r in block {
                if r.server == nil { r.server = blockServer }
                if !out.contains(r) { out.append(r) }
            }
            block = []
            blockServer = nil
        }

        for raw in lines {
            let line = raw.trimmingWhitespace()
            if line.isEmpty { flush(); continue }
            if let (key, value) = listField(line) {
                switch key.lowercased() {
                case "name", "pscomputername", "computername":
                    if !value.isEmpty { blockServer = value }
                case "fileversion", "productversion", "fileversionraw", "productversionraw":
                    if let b = ExchangeBuild(dotted: value), isExchange(b) { block.append(BuildReading(build: b, source: .exSetup)) }
                case "admindisplayversion":
                    if let r = adminDisplayVersion(in: value) { block.append(r) }
                case "displayname":
                    if let r = updateDisplayName(value) { block.append(r) }
                default: break
                }
                continue
            }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.contains(where: { $0.lowercased() == "productversion" || $0.lowercased() == "fileversion" }) {
                tableServerColumn = words.last?.lowercased() == "pscomputername" ? .last
                    : words.first?.lowercased() == "pscomputername" ? .first : .none
                continue
            }
            if var r = adminDisplayVersion(in: line) {
                // Table form of Get-ExchangeServer: the name is the first column.
                if let first = words.first, !first.lowercased().hasPrefix("version") { r.server = String(first) }
                block.append(r)
            } else if let r = updateDisplayName(line) {
                block.append(r)
            } else if line.range(of: "exsetup", options: .caseInsensitive) != nil,
                      let b = words.dropFirst(tableServerColumn == .first ? 1 : 0).first.flatMap({ ExchangeBuild(dotted: String($0)) }), isExchange(b) {
                var r = BuildReading(build: b, source: .exSetup)
                switch tableServerColumn {
                case .last where words.count > 3: r.server = words.last.map(String.init)
                case .first where words.count > 3: r.server = words.first.map(String.init)
                default: break
                }
                block.append(r)
                flush()
            }
        }
        flush()
        return out
    }

    enum TableServerColumn { case none, first, last }

    /// `Version 15.1 (Build 2176.2)`: major.minor after "Version", build.revision after "Build".
    static func adminDisplayVersion(in text: String) -> BuildReading? {
        guard let v = text.range(of: "Version ", options: .caseInsensitive),
              let b = text.range(of: "(Build ", options: .caseInsensitive, range: v.upperBound..<text.endIndex),
              let close = text[b.upperBound...].firstIndex(of: ")") else { return nil }
        let majorMinor = text[v.upperBound..<b.lowerBound].trimmingWhitespace()
        let buildRev = text[b.upperBound..<close].trimmingWhitespace()
        guard let build = ExchangeBuild(dotted: majorMinor + "." + buildRev) else { return nil }
        return BuildReading(build: build, source: .adminDisplayVersion)
    }

    static func updateDisplayName(_ text: String) -> BuildReading? {
        guard text.range(of: "Security Update for Exchange", options: .caseInsensitive) != nil,
              let build = versionTokens(in: text).last else { return nil }
        return BuildReading(build: build, source: .updateDisplayName, kb: kbNumber(in: text))
    }

    /// `Key : Value` lines of PowerShell's list format.
    static func listField(_ line: String) -> (String, String)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let key = line[..<colon].trimmingWhitespace()
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        return (key, line[line.index(after: colon)...].trimmingWhitespace())
    }

    /// Every run of digits and dots that is a four-part build.
    static func versionTokens(in text: String) -> [ExchangeBuild] {
        text.split(whereSeparator: { !($0.isASCII && ($0.isNumber || $0 == ".")) })
            .compactMap { ExchangeBuild(dotted: $0.trimmingCharacters(in: CharacterSet(charactersIn: "."))) }
    }

    static func kbNumber(in text: String) -> String? {
        guard let r = text.range(of: "KB", options: .caseInsensitive) else { return nil }
        let digits = text[r.upperBound...].prefix(while: { $0.isASCII && $0.isNumber })
        return digits.count >= 6 ? "KB" + digits : nil
    }

    static func containsWord(_ text: String, _ word: String) -> Bool {
        text.lowercased().split(whereSeparator: { !$0.isLetter }).contains { $0 == word }
    }

    /// Exchange 2010 is 14.x, 2013 and later 15.x; other four-part numbers in command output are not builds.
    static func isExchange(_ b: ExchangeBuild) -> Bool { (14...15).contains(b.major) }
}

extension StringProtocol {
    func trimmingWhitespace() -> String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
