import ExchangeEvidence
import Foundation

/// Writes the files Test-ProxyLogon writes, per server, so processes built around its output keep working:
/// `<SERVER>-Cve-2021-26855.csv`, `-Cve-2021-27065-ResetVDir.csv`, `-Cve-2021-26857.csv`, `-Cve-2021-26858.log`,
/// `-Cve-2021-26858-DownloadPaths.log`, `-Cve-2021-27065.log` and `-other.csv`.
///
/// Rows follow the script's exact conditions (autodiscover and localhost rows excluded from 26855), its
/// column names and Windows PowerShell's `Export-Csv` form: a `#TYPE` line, every value double-quoted.
/// Like the script, a file is written only when it has something to say. A CSV holding text beyond ASCII starts
/// with a UTF-8 byte-order mark, by which Excel and Windows PowerShell's `Import-Csv` read it as UTF-8 (reviewer:
/// `Schrödinger` came out garbled); an ASCII one stays byte for byte what the script's `Export-Csv` writes.
public enum ProxyLogonExport {
    /// The 9 columns of `$outProps`, spelled as `Select-Object` names them from the log's header.
    public static let httpProxyColumns = ["DateTime", "RequestId", "ClientIpAddress", "UrlHost", "UrlStem", "RoutingHint",
                                          "UserAgent", "AnchorMailbox", "HttpStatus"]

    /// Writes the files into `directory` and returns their names, in writing order. The directory is created
    /// with the first file: with no hit there is nothing, as the script leaves nothing.
    public static func write(store: EventStore, findings: [Finding], to directory: URL) throws -> [String] {
        var written: [String] = []
        func emit(_ server: String, _ suffix: String, _ lines: [String]) throws {
            guard !lines.isEmpty else { return }
            if written.isEmpty { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
            let name = "\(safeName(server))-\(suffix)"
            try fileText(lines, csv: suffix.hasSuffix(".csv")).write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
            written.append(name)
        }
        let ssrf = ServerInfoAnchor.events(store)[.ssrf] ?? []
        let byRule = Dictionary(grouping: findings, by: \.rule)
        let servers = Set(store.files.map(\.server)).sorted()
        for server in servers {
            let mine = { (rule: String) in (byRule[rule] ?? []).filter { $0.server == server } }
            try emit(server, "Cve-2021-26855.csv", httpProxyRows(ssrf.filter { store.server(of: $0) == server }, store))
            let resets = mine("proxylogon.reset-vdir").flatMap(\.events)
            try emit(server, "Cve-2021-27065-ResetVDir.csv", httpProxyRows(resets, store))
            try emit(server, "Cve-2021-26857.csv", umRows(mine("proxylogon.um-deserialization").flatMap(\.events), store))
            let oab = mine("proxylogon.oab-download").flatMap(\.events)
            // Paths from a loaded Test-ProxyLogon DownloadPaths file are paths already, and that file is no OAB log.
            let exported = oab.filter { store.kind(of: $0) == .oabDownloadPath }
            try emit(server, "Cve-2021-26858.log", distinctFiles(oab.filter { store.kind(of: $0) != .oabDownloadPath }, store))
            try emit(server, "Cve-2021-26858-DownloadPaths.log", oab.compactMap { id in
                let path = exported.contains(id) ? store.value(.urlStem, id) : OABGeneratorLine.downloadPath(in: store.rawLine(id))
                return path.flatMap { $0.isEmpty ? nil : "'\(ControlCharacters.escape($0))'" }
            })
            try emit(server, "Cve-2021-27065.log", distinctFiles(mine("proxylogon.ecp-set-vdir").flatMap(\.events), store))
            try emit(server, "other.csv", otherRows(server: server, lsass: mine("files.lsass-dump").flatMap(\.events),
                                                     archives: mine("files.programdata-archive").flatMap(\.events), store))
        }
        return written
    }

    /// A file's text: CRLF lines, as Windows PowerShell writes them, and a byte-order mark before a CSV beyond ASCII.
    static func fileText(_ lines: [String], csv: Bool) -> String {
        let text = lines.joined(separator: "\r\n") + "\r\n"
        return (csv && !text.utf8.allSatisfy { $0 < 0x80 } ? "\u{FEFF}" : "") + text
    }

    /// Every value double-quoted like `Export-Csv`, and neutralised for terminals and spreadsheets (`CSVCell`).
    static func quoted(_ values: [String]) -> String {
        values.map { "\"" + CSVCell.text($0).replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
    }

    static func httpProxyRows(_ ids: [EventID], _ store: EventStore) -> [String] {
        guard !ids.isEmpty else { return [] }
        var rows = ["#TYPE Selected.System.Management.Automation.PSCustomObject", quoted(httpProxyColumns)]
        for id in store.sortedByTime(ids) {
            let f = EventFields(store, id)
            rows.append(quoted(httpProxyColumns.map { f[$0] ?? "" }))
        }
        return rows
    }

    static func umRows(_ ids: [EventID], _ store: EventStore) -> [String] {
        guard !ids.isEmpty else { return [] }
        var rows = ["#TYPE Selected.System.Diagnostics.Eventing.Reader.EventLogRecord", quoted(["TimeCreated", "MachineName", "Message"])]
        for id in store.sortedByTime(ids) {
            let f = EventFields(store, id)
            let data = f.pairs.dropFirst(windowsEventKeys.count).map(\.value).filter { !$0.isEmpty }
            rows.append(quoted([utcTime(store.time[id]), f["Computer"] ?? store.server(of: id), f["Message"] ?? data.joined(separator: " ")]))
        }
        return rows
    }

    /// The system keys every rendered event line starts with (the EVTX readers' layout).
    static let windowsEventKeys = ["TimeCreated", "EventRecordID", "EventID", "Level", "Provider", "Channel", "Computer", "UserSID"]

    static func otherRows(server: String, lsass: [EventID], archives: [EventID], _ store: EventStore) -> [String] {
        guard !lsass.isEmpty || !archives.isEmpty else { return [] }
        var rows = ["#TYPE System.Management.Automation.PSCustomObject", quoted(["ComputerName", "Type", "Path", "Name", "LastWrite"])]
        for (type, ids) in [("LsassDump", lsass), ("SuspiciousArchive", archives)] {
            for id in ids {
                let path = store.value(.urlStem, id)
                let f = EventFields(store, id)
                // The listing's own form (`3/5/2021 3:10:06 AM`) is read as the reader read it and written as ISO
                // UTC like every other time here (reviewer: two forms in one file); kept as written if unreadable.
                let written = f["LastWriteTimeUtc"]
                let lastWrite = written.map { w in FileListingReader.utcTime(w, in: store.file(of: id)).map(utcTime) ?? w }
                    ?? utcTime(store.time[id])
                rows.append(quoted([server, type, path, FilePaths.name(path), lastWrite]))
            }
        }
        return rows
    }

    static func distinctFiles(_ ids: [EventID], _ store: EventStore) -> [String] {
        var seen = Set<String>()
        return ids.map { ControlCharacters.escape(store.file(of: $0).path) }.filter { seen.insert($0).inserted }
    }

    /// `2021-03-03T06:49:42.162Z`: the time in UTC, saying so. Test-ProxyLogon writes the collecting machine's
    /// local time in its culture's form (`3/3/2021 6:49:42 AM`); exhunt's times are UTC, and a form without a
    /// zone would be read back (by exhunt, as by anyone) as local. PowerShell's `[datetime]` parses this form too.
    static func utcTime(_ ms: Int64) -> String {
        ms == Timestamp.unknown ? "" : Timestamp.iso(ms)
    }

    /// A server name usable as a file-name prefix.
    static func safeName(_ s: String) -> String {
        let cleaned = s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" ? $0 : "_" }
        return cleaned.isEmpty ? "unknown" : String(cleaned)
    }
}
