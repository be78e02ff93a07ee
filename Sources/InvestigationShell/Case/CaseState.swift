import ExchangeDetection
import ExchangeEvidence
import Foundation

/// The session's case: the open case file (if any), the marks resolved to this session's event ids, and the
/// audit entries of commands run before a case was opened (written to the case when one opens).
public final class CaseState {
    public private(set) var file: CaseFile?
    /// The file a session uses when it marks something with no case open.
    public static let defaultPath = "exhunt.case"

    private var pendingAudit: [AuditEntry] = []
    /// Analyst indicators added (`ioc add`) while no case was open, written to the next case opened.
    private var pendingIOCs: [AnalystIOC] = []
    /// Rule files loaded (`rules load`) while no case was open, recorded in the next case opened.
    private var pendingRuleFiles: [RuleLibrary.RuleFile] = []
    private var recordedGeneration = -1
    private var localRevision = 0
    private var markCache: (version: Int, revision: Int, marks: [CaseMark])?
    private var resolvedCache: (generation: Int, version: Int, revision: Int, marks: [EventID: CaseMark], own: Set<EventID>)?
    private var keyCache: (generation: Int, filesBySHA: [String: [Int]], starts: [Int])?

    public static func of(_ session: Session) -> CaseState { session.attachment(CaseState.self) { CaseState() } }

    /// The user recorded with marks, notes and audit entries.
    public static var user: String {
        let env = ProcessInfo.processInfo.environment
        if let name = env["USER"] ?? env["LOGNAME"] { return name }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "unknown"
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Makes `file` the session's case: records the loaded evidence and the commands run so far.
    public func use(_ file: CaseFile, session: Session) throws {
        self.file?.close()
        self.file = file
        markCache = nil
        resolvedCache = nil
        recordedGeneration = -1
        try file.audit(pendingAudit)
        pendingAudit = []
        try file.recordProvenance(Provenance.of(session), user: Self.user, time: Self.now)
        try recordEvidence(session)
        try loadIndicators(session)
        try loadRuleFiles(session)
    }

    // MARK: - Rule files

    /// Records rule files `rules load` loaded; returns the case's path, or nil when no case is open (then they
    /// are recorded in the next case opened in this session).
    func keepRuleFiles(_ files: [RuleLibrary.RuleFile]) throws -> String? {
        guard let file else { pendingRuleFiles += files; return nil }
        try file.recordRuleFiles(files.map(Self.row), user: Self.user, time: Self.now)
        return file.path
    }

    private static func row(_ f: RuleLibrary.RuleFile) -> CaseRuleFile {
        CaseRuleFile(path: f.path, sha256: f.sha256, kind: f.kind, options: f.options.joined(separator: ","))
    }

    /// Writes the rule files loaded before the case opened, then loads the case's rule files that this session
    /// does not hold yet, with the options they were loaded with. A missing file, one whose SHA-256 changed since
    /// the case recorded it, or one of a kind this exhunt cannot load is reported; the others load.
    private func loadRuleFiles(_ session: Session) throws {
        guard let file else { return }
        try file.recordRuleFiles(pendingRuleFiles.map(Self.row), user: Self.user, time: Self.now)
        pendingRuleFiles = []
        let library = session.ruleLibrary
        func warn(_ text: String) { session.output.diagnostic(TerminalText.escape("case \(file.path): \(text)") + "\n") }
        var reloaded: [String: Int] = [:]
        for row in try file.ruleFiles() {
            if library.files.contains(where: { $0.path == row.path && $0.sha256 == row.sha256 }) { continue }
            guard library.loaders.contains(where: { $0.kind == row.kind }) else {
                warn("rule file \(row.path) is a \(row.kind) rule file; this exhunt cannot load \(row.kind) rules"); continue
            }
            guard FileManager.default.fileExists(atPath: row.path) else { warn("rule file \(row.path) is missing; its rules are not loaded"); continue }
            do {
                let options = Set(row.options.split(separator: ",").map(String.init))
                let loaded = try library.loadFile(row.path, options: options)
                ProvenanceLedger.of(session).recordRuleFile(.init(kind: loaded.file.kind, path: loaded.file.path, sha256: loaded.file.sha256))
                if loaded.file.sha256 != row.sha256 {
                    warn("rule file \(row.path) changed since the case recorded it (SHA-256 was \(row.sha256), now \(loaded.file.sha256)); loaded as it is now")
                    try file.recordRuleFiles([Self.row(loaded.file)], user: Self.user, time: Self.now)
                }
                for w in loaded.warnings { warn(w) }
                for p in loaded.problems { warn("not loaded: \(p.source):\(p.line.map(String.init) ?? "-"): \(p.reason)") }
                reloaded[loaded.file.kind, default: 0] += 1
            } catch {
                warn("rule file \(row.path) could not be loaded: \(error)")
            }
        }
        for (kind, n) in reloaded.sorted(by: { $0.key < $1.key }) {
            session.output.diagnostic(TerminalText.escape("case \(file.path): reloaded \(n) \(kind) rule file\(n == 1 ? "" : "s")") + "\n")
        }
    }

    // MARK: - Analyst indicators

    /// Keeps an indicator `ioc add` added in the case; returns the case's path, or nil when no case is open
    /// (then it goes into the next case opened in this session).
    func keepIndicator(_ ioc: AnalystIOC) throws -> String? {
        guard let file else { pendingIOCs.append(ioc); return nil }
        try file.addIOC(ioc)
        return file.path
    }

    /// Writes the indicators added before the case opened, then loads the case's indicators into the session's
    /// `analyst` set so `grep-ioc` searches them. A row this exhunt cannot read is reported and skipped.
    private func loadIndicators(_ session: Session) throws {
        guard let file else { return }
        for ioc in pendingIOCs { try file.addIOC(ioc) }
        pendingIOCs = []
        let library = session.indicatorLibrary
        for ioc in try file.iocs() {
            let problem: String
            if let type = IndicatorType(name: ioc.type) {
                let date = String(Timestamp.iso(ioc.time).prefix(10))
                do { try library.addAnalystIndicator(type, ioc.value, note: ioc.note, date: date); continue } catch { problem = "\(error)" }
            } else {
                problem = "unknown type '\(ioc.type)'"
            }
            session.output.diagnostic(TerminalText.escape("case \(file.path): indicator \(ioc.id) (\(ioc.type) \(ioc.value)) not loaded: \(problem)") + "\n")
        }
        indicatorsVersion = file.dataVersion()
    }

    /// The case's `PRAGMA data_version` when its indicators were last read.
    private var indicatorsVersion: Int?

    /// Reads the indicators another shell added to this case since they were read: a case is shared live (its
    /// marks are re-read the same way), so `ioc add` in one shell reaches `grep-ioc` and `ioc` in the other.
    /// The analyst set keeps each indicator once; rows that did not load the first time were reported then.
    func syncIndicators(_ session: Session) {
        guard let file else { return }
        let version = file.dataVersion()
        guard version != indicatorsVersion else { return }
        indicatorsVersion = version
        for ioc in (try? file.iocs()) ?? [] {
            guard let type = IndicatorType(name: ioc.type) else { continue }
            _ = try? session.indicatorLibrary.addAnalystIndicator(type, ioc.value, note: ioc.note, date: String(Timestamp.iso(ioc.time).prefix(10)))
        }
    }

    // MARK: - Lessons

    /// The user's case, put aside while a lesson runs in a case of its own.
    private var setAside: (file: CaseFile?, lesson: CaseFile)?

    /// True while a lesson's own case stands in for the user's.
    var inLesson: Bool { setAside != nil }
    /// The user's case a running lesson put aside, if one was open: leaving gives it back.
    var caseSetAside: CaseFile? { setAside?.file }

    /// Puts the user's case aside and opens a fresh one in memory, so what a lesson marks, notes and audits
    /// never touches the user's case file (and the user's marks do not answer the lesson's checks).
    func beginLesson(_ session: Session) throws {
        if setAside != nil { endLesson() }
        let lesson = try CaseFile.inMemory(name: "lesson's case (in memory)")
        let user = file
        file = nil                      // put aside, not closed: `use` would close it
        setAside = (user, lesson)
        try use(lesson, session: session)
    }

    /// Closes the lesson's case and gives the user's case back.
    func endLesson() {
        guard let aside = setAside else { return }
        if let current = file, current !== aside.file, current !== aside.lesson { current.close() }
        aside.lesson.close()
        file = aside.file
        setAside = nil
        markCache = nil
        resolvedCache = nil
        changed()
    }

    /// Brings the case file itself up to date with the commands run so far (see `CaseFile.checkpoint`).
    public func checkpoint() { file?.checkpoint() }

    /// Ends the session's use of its cases: a lesson's is dropped, the user's closed, so the file is complete
    /// without its `-wal` whichever way the shell ends (`quit`, Ctrl-D, the end of a script, SIGTERM).
    public func finish() {
        endLesson()
        close()
    }

    /// Closes the case; marks are no longer shown.
    public func close() {
        file?.close()
        file = nil
        markCache = nil
        resolvedCache = nil
    }

    /// `case close`: the command is the closing case's last audit entry, not the first of the next case opened
    /// (reviewer: it was in neither log, the observer finding no case open).
    func close(auditing line: String, session: Session) {
        if let file {
            let entry = AuditEntry(time: Self.now, user: Self.user, command: line, error: nil, depth: session.sourceDepth, replay: nil)
            do { try file.audit([entry]) } catch { session.output.diagnostic("warning: could not write the audit log: \(error)\n") }
            closedByCommand = true
        }
        close()
    }
    /// Set by `close(auditing:)`: the observer leaves that command out of the next case's pending entries.
    private var closedByCommand = false

    /// Opens `./exhunt.case` when no case is open and it exists (never creating it), for a command that reads the
    /// analyst's marks: `mark` puts them there when no case is open, and a later run's `report`, `marks`, `timeline`
    /// and `--fail-on` showed none of them (reviewer). Says so, as `mark` does; a file that cannot be opened is said
    /// and left alone.
    public func openDefaultIfPresent(_ session: Session) {
        guard file == nil, FileManager.default.fileExists(atPath: Self.defaultPath) else { return }
        do { _ = try requireFile(session) } catch {
            session.output.diagnostic("note: ./\(Self.defaultPath) not read: \((error as? ShellError)?.message ?? "\(error)")\n")
        }
    }

    /// The open case, or the default `./exhunt.case` opened (or created) for a command that must record something.
    public func requireFile(_ session: Session) throws -> CaseFile {
        if let file { return file }
        let path = Self.defaultPath
        // The working folder inside loaded evidence (`load .`): the default case would be added to it.
        if let load = session.evidenceSet(holding: path) {
            throw ShellError("no case is open, and ./\(path) would be inside the evidence set '\(TerminalText.escape(load.evidenceSet))': "
                             + "open one outside the evidence first ('case new PATH')")
        }
        let opened: CaseFile
        let existed = FileManager.default.fileExists(atPath: path)
        if existed {
            opened = try CaseFile.open(at: path)
        } else {
            opened = try CaseFile.create(at: path)
            session.output.diagnostic("created case file ./\(path) (no case was open; 'case new PATH' to choose one)\n")
        }
        try use(opened, session: session)
        guard existed else { return opened }
        // A case left in the working folder by an earlier investigation: its marks are not this evidence's.
        let elsewhere = marks().filter { event(of: $0, in: session.store) == nil }
        let servers = Set(elsewhere.map(\.server)).sorted()
        session.output.diagnostic("using case file ./\(path) (no case was open)" + (elsewhere.isEmpty ? "" :
            "; it holds \(elsewhere.count) mark\(elsewhere.count == 1 ? "" : "s") on evidence not loaded now (\(TerminalText.escape(servers.joined(separator: ", ")))), "
            + "perhaps another investigation's: 'case new PATH' starts one of your own") + "\n")
        return opened
    }

    /// Call after writing to the case so cached marks are re-read.
    func changed() { localRevision += 1 }

    func recordEvidence(_ session: Session) throws {
        guard let file, recordedGeneration != session.store.generation else { return }
        try file.recordEvidence(session.store.files, time: Self.now)
        recordedGeneration = session.store.generation
    }

    // MARK: - Audit

    /// The `Session.commandObservers` entry that writes every command line to the case's audit log.
    public static func auditObserver(_ session: Session, _ line: String, _ error: Error?) {
        let state = of(session)
        let entry = AuditEntry(time: now, user: user, command: line, error: error.map { "\($0)" }, depth: session.sourceDepth,
                               replay: error == nil ? session.replayForm : nil)
        guard let file = state.file else {
            if state.closedByCommand { state.closedByCommand = false; return }
            if state.pendingAudit.count < 10_000 { state.pendingAudit.append(entry) }
            return
        }
        do {
            try file.audit([entry])
            try state.recordEvidence(session)
        } catch {
            session.output.diagnostic("warning: could not write the audit log: \(error)\n")
        }
    }

    // MARK: - Marks

    /// All marks of the case (re-read when this or another shell changed them).
    public func marks() -> [CaseMark] {
        guard let file else { return [] }
        let version = file.dataVersion()
        if let c = markCache, c.version == version, c.revision == localRevision { return c.marks }
        let marks = (try? file.marks()) ?? []
        markCache = (version, localRevision, marks)
        return marks
    }

    /// The marks of loaded events, by event id. A mark made on the event's own file counts over one followed to
    /// it from another copy (`event(of:in:)`), which is then set aside (reviewer: both labels, and the exports
    /// showed whichever came last).
    public func resolvedMarks(for store: EventStore) -> [EventID: CaseMark] { resolved(store).marks }

    private func resolved(_ store: EventStore) -> (marks: [EventID: CaseMark], own: Set<EventID>) {
        guard let file else { return ([:], []) }
        let version = file.dataVersion()
        if let c = resolvedCache, c.generation == store.generation, c.version == version, c.revision == localRevision {
            return (c.marks, c.own)
        }
        var out: [EventID: CaseMark] = [:]
        var followed: [(EventID, CaseMark)] = []
        for m in marks() {
            let own = events(of: m.key, in: store)
            if own.isEmpty, let moved = recollectedEvent(of: m, in: store) { followed.append((moved, m)) }
            for e in own { out[e] = m }
        }
        let own = Set(out.keys)
        for (e, m) in followed where !own.contains(e) { out[e] = m }
        resolvedCache = (store.generation, version, localRevision, out, own)
        return (out, own)
    }

    /// The stable key of an event.
    public func key(of e: EventID, in store: EventStore) -> CaseMark.Key {
        CaseMark.Key(sha256: store.file(of: e).sha256, line: store.line(of: e), server: store.server(of: e))
    }

    /// The loaded events with this key: one, unless the same server's file was loaded under two paths.
    /// A byte-identical file of another server is another server's evidence and does not carry the mark.
    public func events(of key: CaseMark.Key, in store: EventStore) -> [EventID] {
        let (bySHA, starts) = fileTable(store)
        return (bySHA[key.sha256] ?? []).filter { Self.sameServer(store.files[$0].server, key.server) }
            .flatMap { events(line: key.line, file: $0, starts: starts, in: store) }
    }

    /// Where a mark is among the loaded events: on its own file, or else on a re-collected copy of it (the
    /// same server and path, other content: a live log that has grown since) whose event at the mark's line
    /// still reads as it did when marked, so an appended log keeps its marks and an edited one does not.
    /// `setAside`: followed to an event that has a mark made on its own file, which counts.
    public func event(of mark: CaseMark, in store: EventStore) -> (event: EventID, recollected: Bool, setAside: Bool)? {
        if let e = events(of: mark.key, in: store).first { return (e, false, false) }
        return recollectedEvent(of: mark, in: store).map { ($0, true, resolved(store).own.contains($0)) }
    }

    /// The event of a re-collected copy that carries `mark`, for a mark whose own file is not loaded.
    /// The event that is the marked one: same time and same text (a line's text leaves out its time, so many
    /// requests share one). At the marked line, else the one such event of the file, where lines were added or
    /// removed before it (reviewer: a mark followed to the line's new occupant, another request); none when
    /// several fit.
    private func recollectedEvent(of mark: CaseMark, in store: EventStore) -> EventID? {
        let (_, starts) = fileTable(store)
        func same(_ e: EventID) -> Bool { store.time[e] == mark.eventTime && EventMessage.build(store, e) == mark.message }
        for (f, file) in store.files.enumerated() where Self.sameLog(file.path, mark.path) && Self.sameServer(file.server, mark.server) {
            if let e = events(line: mark.line, file: f, starts: starts, in: store).first(where: same) { return e }
            let moved = (starts[f]..<starts[f + 1]).filter(same)
            if moved.count == 1 { return moved[0] }
        }
        return nil
    }

    /// What `load` says of marks made on another copy (earlier or later) of a file now loaded (same server and path, other
    /// content): how many follow to the new copy and how many do not, since their lines changed. Nil when none.
    func recollectedNote(_ store: EventStore) -> String? {
        let loaded = Set(store.files.map { "\($0.server.lowercased())\u{0}\(Self.logPath($0.path))" })
        var follow = 0, stranded = 0, setAside = 0
        let own = resolved(store).own
        for m in marks() where events(of: m.key, in: store).isEmpty && loaded.contains("\(m.server.lowercased())\u{0}\(Self.logPath(m.path))") {
            if let e = recollectedEvent(of: m, in: store) {
                follow += 1
                if own.contains(e) { setAside += 1 }
            } else {
                stranded += 1
            }
        }
        guard follow + stranded > 0 else { return nil }
        let all = follow + stranded
        return "case: \(all) mark\(all == 1 ? " was" : "s were") made on another copy of files loaded now (same server and path, "
            + "other content): \(follow) follow\(follow == 1 ? "s" : "") to this copy (the same time and text)"
            + (setAside == 0 ? "" : ", of which \(setAside) meet\(setAside == 1 ? "s" : "") a mark made on this copy, which counts ('marks' lists both)")
            + (stranded == 0 ? "" : ", \(stranded) do\(stranded == 1 ? "es" : "") not (the marked line changed; 'marks' lists \(stranded == 1 ? "it" : "them") as not loaded)")
    }

    /// What `load` says of the loaded servers' marks whose file is not loaded at all (under any copy): a log that
    /// aged out of a newer collection, or a set not loaded yet. The malicious ones are named: they decide verdicts
    /// (reviewer: a malicious mark fell out of the report's count unsaid). Nil when there are none.
    func unloadedNote(_ store: EventStore) -> String? {
        let servers = Set(store.files.map { $0.server.lowercased() })
        let loaded = Set(store.files.map { "\($0.server.lowercased())\u{0}\(Self.logPath($0.path))" })
        let missing = marks().filter { m in
            servers.contains(m.server.lowercased()) && !loaded.contains("\(m.server.lowercased())\u{0}\(Self.logPath(m.path))")
                && events(of: m.key, in: store).isEmpty
        }
        guard !missing.isEmpty else { return nil }
        func distinct(_ list: [String]) -> [String] { list.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } } }
        let files = distinct(missing.map(\.path))
        let on = distinct(missing.map(\.server)).joined(separator: ", ")
        let malicious = missing.filter { $0.label == "malicious" }.map { "\($0.path):\($0.line)" }
        return "case: \(LoadCommand.count(missing.count, "mark")) on \(on) \(missing.count == 1 ? "is" : "are") on "
            + (files.count == 1 ? "a file" : "files") + " not loaded ("
            + files.prefix(3).joined(separator: ", ") + (files.count > 3 ? ", …" : "") + ")"
            + (malicious.isEmpty ? "" : "; malicious: " + malicious.prefix(3).joined(separator: ", ") + (malicious.count > 3 ? ", …" : ""))
            + "; 'marks' lists \(missing.count == 1 ? "it" : "them") as not loaded, and the report counts only marks of loaded events"
    }

    /// A log's path without the `.gz` a rotation added: `u_ex210304.log.gz` is the log `u_ex210304.log`, compressed.
    static func logPath(_ path: String) -> String {
        path.lowercased().hasSuffix(".gz") ? String(path.dropLast(3)) : path
    }

    /// True when two paths name one log, one of them perhaps compressed since (`logPath`).
    static func sameLog(_ a: String, _ b: String) -> Bool { a == b || logPath(a) == logPath(b) }

    /// Server names as the evidence spells them, compared as Windows does: without regard to case.
    static func sameServer(_ a: String, _ b: String) -> Bool { a.caseInsensitiveCompare(b) == .orderedSame }

    private func events(line: Int, file f: Int, starts: [Int], in store: EventStore) -> [EventID] {
        let lo = starts[f], hi = starts[f + 1]
        let lines = store.lineNumber
        var a = lo, b = hi
        while a < b {                       // lines ascend within a file: binary search, then check
            let mid = (a + b) / 2
            if Int(lines[mid]) < line { a = mid + 1 } else { b = mid }
        }
        var out: [EventID] = []
        var i = a
        while i < hi && Int(lines[i]) == line { out.append(i); i += 1 }
        if i == a { out += (lo..<hi).filter { Int(lines[$0]) == line } }
        return out
    }

    private func fileTable(_ store: EventStore) -> ([String: [Int]], [Int]) {
        if let c = keyCache, c.generation == store.generation { return (c.filesBySHA, c.starts) }
        var bySHA: [String: [Int]] = [:]
        var starts = [0]
        for (i, f) in store.files.enumerated() {
            bySHA[f.sha256, default: []].append(i)
            starts.append(starts[i] + f.eventCount)
        }
        keyCache = (store.generation, bySHA, starts)
        return (bySHA, starts)
    }
}
