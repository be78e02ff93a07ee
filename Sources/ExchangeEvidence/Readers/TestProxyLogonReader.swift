/// What Test-ProxyLogon's output files hold, as sources of their own.
extension SourceKind {
    /// `SERVER-Cve-2021-26858-DownloadPaths.log`: the paths the OAB generator was made to write.
    public static let oabDownloadPath = SourceKind("oab-download-path")
    /// `SERVER-Cve-2021-26858.log`, `-27065.log`: the log files the script flagged (their lines are not exported).
    public static let flaggedLogFile = SourceKind("flagged-log-file")
    /// `SERVER-Cve-2021-27065-ResetVDir.csv`: HttpProxy rows that the script also lists in `-Cve-2021-26855.csv`.
    public static let flaggedRequest = SourceKind("flagged-request")

    /// A SIEM's export of web log lines whose every row is a line of logs loaded too (`RepeatedCopies`).
    public static let repeatedRows = SourceKind("repeated-rows")

    /// True for a kind whose events repeat rows another file holds (`flagged-request`, `repeated-rows`): no rule
    /// lists such a kind, and searches that count events (`grep-ioc`) leave them out by this, so that a request
    /// is counted once everywhere. `show`, `timeline` and `sources` still list them.
    public var repeatsOtherRows: Bool { self == .flaggedRequest || self == .repeatedRows }
}

/// Reads the files Test-ProxyLogon (and exhunt's `export proxylogon`) write, so a responder who only has a
/// run's output folder can still hunt and grep for indicators in it:
///
/// - `SERVER-Cve-2021-26855.csv` and an `-other.csv` of the same columns: HttpProxy rows (`DateTime, RequestId,
///   ClientIpAddress, UrlHost, UrlStem, RoutingHint, UserAgent, AnchorMailbox, HttpStatus`) become HttpProxy
///   events with those fields, as in the original log.
/// - `SERVER-Cve-2021-27065-ResetVDir.csv`: the same columns, but every row of it is also a row of
///   `-Cve-2021-26855.csv` (the script's conditions include each other), so its rows are `flagged-request`
///   events with the same fields: searchable, and not counted twice as requests by the rules.
/// - `SERVER-Cve-2021-26857.csv` (`TimeCreated, MachineName, Message`): Application-log events of
///   `MSExchange Unified Messaging` at level Error, which is what the script selected them by. `TimeCreated`
///   is local time: made UTC with `load --local-time ZONE`, else read as UTC with a problem saying so.
/// - `SERVER-Cve-2021-26858-DownloadPaths.log`: one quoted path a line.
/// - `SERVER-Cve-2021-26858.log`, `-Cve-2021-27065.log`: the flagged log files' paths.
/// - exhunt's `SERVER-other.csv` (`ComputerName, Type, Path, Name, LastWrite`): listed files.
///
/// The server is the file name's prefix (the script names files after the computer).
public struct TestProxyLogonReader: EvidenceReader {
    public init() {}
    public var name: String { "test-proxylogon" }
    public var readsText: Bool { true }

    enum Output { case httpProxy, resetRequests, unifiedMessaging, downloadPaths, flaggedFiles, otherFiles }

    static let suffixes: [(String, Output)] = [
        ("-cve-2021-26855.csv", .httpProxy), ("-cve-2021-27065-resetvdir.csv", .resetRequests),
        ("-cve-2021-26857.csv", .unifiedMessaging), ("-cve-2021-26858-downloadpaths.log", .downloadPaths),
        ("-cve-2021-26858.log", .flaggedFiles), ("-cve-2021-27065.log", .flaggedFiles), ("-other.csv", .otherFiles),
    ]

    /// The output a file holds (by its name, then its header for the CSVs) and the server its name gives.
    static func classify(path: String, head: UnsafeRawBufferPointer) -> (Output, server: String)? {
        let file = String(path.pathFileName)
        // Every file a load reads is scored here: its name is matched on bytes, not as characters.
        let lower = file.lowercasedASCIIFast().utf8
        guard let (suffix, kind) = suffixes.first(where: { lower.count > $0.0.utf8.count && lower.suffix($0.0.utf8.count).elementsEqual($0.0.utf8) })
        else { return nil }
        let server = String(file.dropLast(suffix.count))
        switch kind {
        case .httpProxy, .resetRequests, .otherFiles, .unifiedMessaging:
            guard let csv = PowerShellCSV(head) else { return nil }
            if csv.schema.column("AnchorMailbox") != nil && csv.schema.column("UrlStem") != nil {
                return (kind == .resetRequests ? .resetRequests : .httpProxy, server)
            }
            if kind == .unifiedMessaging && csv.schema.column("Message") != nil { return (.unifiedMessaging, server) }
            if kind == .otherFiles && csv.schema.column("Path") != nil && csv.schema.column("Type") != nil { return (.otherFiles, server) }
            return nil
        default:
            return (kind, server)
        }
    }

    public func score(path: String, head: UnsafeRawBufferPointer) -> Int {
        Self.classify(path: path, head: head) != nil ? 96 : 0
    }

    static let httpProxyFields: [(InternedField, String)] = [
        (.clientIP, "ClientIpAddress"), (.urlStem, "UrlStem"), (.userAgent, "UserAgent"), (.anchorMailbox, "AnchorMailbox"),
        (.status, "HttpStatus"), (.method, "Method"), (.user, "AuthenticatedUser"),
    ]

    public func read(_ input: ReaderInput, into out: inout ReaderOutput) {
        let p = input.bytes
        guard let (output, server) = Self.classify(path: input.path, head: UnsafeRawBufferPointer(rebasing: p.prefix(65536))) else {
            out.problems.add(LoadProblem("not a Test-ProxyLogon output file"))
            return
        }
        if !server.isEmpty { out.facts["server.file-name"] = server }
        out.facts[EvidenceFile.selectedByFact] = "Test-ProxyLogon"
        out.channel = "Test-ProxyLogon"
        switch output {
        case .httpProxy: readHttpProxy(p, kind: .httpProxy, &out)
        case .resetRequests: readHttpProxy(p, kind: .flaggedRequest, &out)
        case .unifiedMessaging: readUnifiedMessaging(p, conventions: input.conventions, &out)
        case .otherFiles: readOtherFiles(p, &out)
        case .downloadPaths: readPaths(p, kind: .oabDownloadPath, &out)
        case .flaggedFiles: readPaths(p, kind: .flaggedLogFile, &out)
        }
    }

    private func readHttpProxy(_ p: UnsafeRawBufferPointer, kind: SourceKind, _ out: inout ReaderOutput) {
        out.kind = kind
        guard let csv = PowerShellCSV(p) else { return }
        csv.consumeHeader(&out)
        let schema = out.batch.addSchema(csv.schema)
        let time = csv.schema.column("DateTime")
        let columns = Self.httpProxyFields.compactMap { f, n in csv.schema.column(n).map { (f, $0) } }
        var problems = out.problems
        csv.rows(p, problems: &problems) { line, off, len, values, problems in
            var t = Timestamp.unknown
            if let time, time < values.count {
                if let parsed = PowerShellTime.parse(values[time], order: .monthFirst) { t = parsed }
                else { problems.add(LoadProblem(line: line, "line \(line): no readable DateTime"), kind: "no readable timestamp") }
            }
            out.batch.append(offset: off, length: len, line: line, time: t, schema: schema)
            for (field, c) in columns where c < values.count && !values[c].isEmpty { out.batch.set(field, values[c]) }
        }
        out.problems = problems
    }

    /// The script keeps `TimeCreated, MachineName, Message` of events it selected by provider
    /// `MSExchange Unified Messaging` and level 2: those facts are restored so the event reads as the original.
    /// `TimeCreated` is the collecting machine's local time in its culture's form (`LocalTimes`).
    private func readUnifiedMessaging(_ p: UnsafeRawBufferPointer, conventions: LocalConventions, _ out: inout ReaderOutput) {
        let zone = conventions.timeZone
        out.kind = .eventLog
        guard let csv = PowerShellCSV(p) else { return }
        csv.consumeHeader(&out)
        let schema = out.batch.addSchema(WindowsEvent.schema)
        var rendered: [UInt8] = []
        let timeColumn = csv.schema.column("TimeCreated"), machine = csv.schema.column("MachineName")
        let message = csv.schema.column("Message")
        var problems = out.problems
        let order = csv.dateOrder(p, columns: timeColumn.map { [$0] } ?? [], given: conventions.dateOrder, problems: &problems)
        var computers: [String: Int] = [:]
        var local = LocalTimes(zone: zone)
        csv.rows(p, problems: &problems) { line, off, len, values, problems in
            // The event points into `rendered`: the row it was made from is marked read.
            out.consumed(offset: off, length: len, line: line)
            func value(_ c: Int?) -> String { c.map { $0 < values.count ? values[$0] : "" } ?? "" }
            var ev = WindowsEvent()
            ev.provider = "MSExchange Unified Messaging"
            ev.channel = "Application"
            ev.level = "2"
            ev.computer = value(machine)
            ev.message = value(message)
            ev.hasSystem = true
            var t = PowerShellTime.parse(value(timeColumn), order: order) ?? Timestamp.unknown
            if !PowerShellTime.isUTC(value(timeColumn)) { t = local.utc(t, column: "TimeCreated") }
            if t == Timestamp.unknown { problems.add(LoadProblem(line: line, "line \(line): no readable TimeCreated"), kind: "no time") }
            ev.append(to: &out, rendered: &rendered, schema: schema, line: line, time: t, recovered: false)
            computers[ev.computer, default: 0] += 1
        }
        out.problems = problems
        local.record(into: &out)
        out.rendered = rendered
        out.channel = "Application"
        if let host = EvtxReader.mostCommon(computers), !host.isEmpty { out.facts["server"] = String(host.prefix { $0 != "." }) }
    }

    /// exhunt's `other.csv`: the LSASS dumps and archives it listed, as file-listing events.
    private func readOtherFiles(_ p: UnsafeRawBufferPointer, _ out: inout ReaderOutput) {
        out.kind = .fileListing
        guard let csv = PowerShellCSV(p), let path = csv.schema.column("Path") else { return }
        csv.consumeHeader(&out)
        let schema = out.batch.addSchema(csv.schema)
        let lastWrite = csv.schema.column("LastWrite")
        var problems = out.problems
        csv.rows(p, problems: &problems) { line, off, len, values, _ in
            let t = lastWrite.flatMap { $0 < values.count ? PowerShellTime.parse(values[$0], order: .monthFirst) : nil }
            out.batch.append(offset: off, length: len, line: line, time: t ?? Timestamp.unknown, schema: schema)
            if path < values.count, !values[path].isEmpty { out.batch.set(.urlStem, values[path]) }
        }
        out.problems = problems
    }

    /// One path a line (quotes removed), interned as `url_stem` so path indicators and rules reach it.
    private func readPaths(_ p: UnsafeRawBufferPointer, kind: SourceKind, _ out: inout ReaderOutput) {
        out.kind = kind
        let schema = out.batch.addSchema(FieldSchema(format: .plain, names: ["line"]))
        var scanner = LineScanner(p)
        while let (off, len) = scanner.next() {
            let line = UnsafeRawBufferPointer(rebasing: p[off..<(off + len)])
            var s = Substring(String(decoding: line, as: UTF8.self).trimmingSpaces())
            if s.isEmpty { continue }
            LineChecks.check(line, number: scanner.lineNumber, problems: &out.problems)
            while let f = s.first, f == "'" || f == "\"" { s = s.dropFirst() }
            while let l = s.last, l == "'" || l == "\"" { s = s.dropLast() }
            out.batch.append(offset: off, length: len, line: scanner.lineNumber, time: Timestamp.unknown, schema: schema)
            if !s.isEmpty { out.batch.set(.urlStem, String(s)) }
        }
    }
}

import Foundation
