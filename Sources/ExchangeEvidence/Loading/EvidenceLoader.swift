import Foundation

/// What one `load` did: the files added, what could not be read, and whether it was cancelled.
public struct LoadReport: Sendable {
    public var evidenceSet: String
    public var root: String
    public var filesAdded = 0
    public var eventsAdded = 0
    public var bytesRead = 0
    public var duplicatesSkipped = 0
    public var problems = 0
    public var discoveryProblems: [DiscoveryProblem] = []
    public var servers: [String] = []
    public var cancelled = false
    public var seconds = 0.0
    /// Files read as what they are (an Exchange, IIS, event-log, JSON-event, listing or build source).
    public var recognisedFiles = 0
    /// Files no reader recognised, by what they were kept as (`text`, `binary`).
    public var unrecognised: [String: Int] = [:]
    /// A few of the unrecognised files' paths, for the warning that names what was seen.
    public var unrecognisedExamples: [String] = []
    /// The zips read (the set itself, or zips inside its folders): their members are hashed as files, and
    /// the archives too, as received.
    public var zips: [Archive] = []
    /// exhunt's own files found in the set (provenance of an export loaded back, a case file, a recording): left
    /// out, not evidence (`ExhuntFiles`).
    public var ownFiles: [OwnFile] = []
    /// Logs that name no server, filed under the server most logs of their folder name beside other servers' logs
    /// (a guess the analyst must hear of): path and server.
    public var guessedServers: [(path: String, server: String)] = []
    /// Logs that continue a copy loaded before (the same live log collected again, longer): path, the earlier copy
    /// as `SET/path`, and its events not counted again here.
    public var continued: [(path: String, earlier: String, events: Int, new: Int)] = []
    /// Logs filed under the server their path names although their lines name another computer: path, that
    /// computer, and the server.
    public var otherComputers: [(path: String, computer: String, server: String)] = []
    /// The server folders above the root its files were named in (`EX01/inetpub/logs/LogFiles/W3SVC1` for a log
    /// loaded alone from that folder), or nil: said at the load, since the name comes from outside the set.
    public var context: String?
    /// With `--server NAME`: the servers the layout or the logs named, when more than one (all filed under NAME).
    public var overriddenServers: [String] = []

    /// One of exhunt's own files: its path in the set and what it is.
    public struct OwnFile: Sendable, Equatable {
        public var path: String
        public var what: String
    }

    public struct Archive: Sendable {
        /// The path in the set (the zip's own name when the set is a zip).
        public var path: String
        public var size: Int
        public var sha256: String
    }
}

/// Progress of a running load, reported to the shell's progress bar.
public struct LoadProgress: Sendable {
    public var filesDone: Int
    public var filesTotal: Int
    public var bytesDone: Int
    public var bytesTotal: Int
    public var events: Int
    /// True for the last report of a load (complete or interrupted).
    public var finished = false
}

/// Loads evidence sets into an `EventStore`: walks the set, then reads, hashes and parses files on all
/// cores (largest first), then merges them in path order so event numbers do not depend on timing.
public struct EvidenceLoader {

    /// A server name a log gives, when it can be a host's: a redacted excerpt's `[REDACTED]` or `<host>` names none
    /// (reviewer: it became a server).
    static func hostName(_ name: String?) -> String? {
        guard let name, !name.isEmpty, name.utf8.allSatisfy({ c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x2E || c == 0x5F || c >= 0x80
        }) else { return nil }
        return name
    }

    /// A host name as servers are compared: the short name, case aside (`ex01.contoso.local` is `EX01`).
    static func hostKey(_ name: String) -> String { name.prefix { $0 != "." }.uppercased() }

    /// A server's name as one spelling stands for: the short host name, case aside; an address (`10.0.0.5`, a
    /// folder named after the server's IP) as it is.
    static func serverKey(_ name: String) -> String { shortName(name).uppercased() }

    /// The short name of a DNS name (`EX08.contoso.local` is `EX08`); an IPv4 address stays whole.
    static func shortName(_ name: String) -> String {
        if name.allSatisfy({ $0.isNumber || $0 == "." }) { return name }
        let short = name.prefix { $0 != "." }
        return short.isEmpty ? name : String(short)
    }

    public var readers: [any EvidenceReader]
    public var workers: Int
    /// Polled between files: returning true stops the load, keeping the files already parsed.
    public var isCancelled: @Sendable () -> Bool = { false }
    public var progress: (@Sendable (LoadProgress) -> Void)?
    /// Read files into memory instead of mapping them (`load --copy`: for evidence on mounts that may change
    /// or fail while the session runs; costs memory equal to the evidence).
    public var copy = false
    /// Total bytes zips may inflate in this load (`load --max-inflate`); nil for the default (see `InflateBudget`).
    public var maxInflate: Int?
    /// The zone of evidence written in the collecting machine's local time (`load --local-time`): readers
    /// of such formats convert with it; nil leaves them read as UTC, with a problem saying so.
    public var localTimeZone: TimeZone?
    /// The date order of culture-formatted times in files that cannot tell it themselves (`load --date-order`);
    /// nil decides per file, month first when nothing settles it, with a problem saying so.
    public var dateOrder: DateOrder?

    public init(readers: [any EvidenceReader] = ReaderRegistry.standard,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.readers = readers
        self.workers = max(1, workers)
    }

    /// Loads `root` as evidence set `name` (default: the root's file name). `server` forces the server name.
    /// The name an evidence set takes when none is given: its folder's name, or its zip's without `.zip`.
    public static func setName(of root: String) -> String {
        let rootName = URL(fileURLWithPath: root).lastPathComponent
        return rootName.lowercased().hasSuffix(".zip") ? String(rootName.dropLast(4)) : rootName
    }

    public func load(_ root: String, name: String? = nil, server: String? = nil, into store: EventStore) throws -> LoadReport {
        let started = Date()
        let setName = name ?? Self.setName(of: root)
        var walker = EvidenceWalker()
        walker.copy = copy
        walker.budget = InflateBudget(limit: maxInflate)
        try walker.walk(root: root)
        var report = LoadReport(evidenceSet: setName, root: root)
        report.discoveryProblems = walker.problems

        var pending = walker.files
        for (i, what) in ExhuntFiles.exports(among: pending) { pending[i].exhuntExport = what }
        let results = UnsafeMutableBufferPointer<ParsedFile?>.allocate(capacity: pending.count)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        let state = SharedProgress(total: pending.count, bytes: pending.reduce(0) { $0 + $1.size })
        let readers = self.readers
        let isCancelled = self.isCancelled
        let progress = self.progress
        let conventions = LocalConventions(timeZone: localTimeZone, dateOrder: dateOrder)
        let budget = walker.budget
        // Files are parsed in path order on every core and merged into the store in that order as soon as
        // the next one is ready, so event numbers never depend on timing and per-file tables are freed early.
        // Lines of these logs are 200–500 bytes: reserving one event per 256 bytes of evidence usually avoids
        // regrowing the columns; a wrong guess only costs a regrowth or unused address space.
        store.reserve(events: min(state.bytesTotal / 256, 1 << 25))
        let merger = OrderedMerger(store: store, count: pending.count, server: server, setName: setName)
        DispatchQueue.concurrentPerform(iterations: min(workers, max(1, pending.count))) { _ in
            var naming = ServerNaming.Memo()
            while let i = state.next(limit: pending.count) {
                if isCancelled() { state.cancel(); return }
                let parsed = Self.parse(pending[i], readers: readers, naming: &naming, conventions: conventions, budget: budget)
                let events = parsed.batch.count
                merger.finished(i, parsed, results: results)
                if let snapshot = state.finished(bytes: pending[i].size, events: events) { progress?(snapshot) }
            }
        }
        merger.drain(results: results)
        report.cancelled = state.wasCancelled
        progress?(state.final())
        let added = merger.added

        // Name servers: from the path, else from what the logs say, else the set's name. When the root is
        // itself a server (a Windows path starts at the top, or files lie at the top beside at most one folder),
        // its other top folders (`build/`, `listings/`) are parts of that server, not servers of their own; files
        // at the top of a folder of servers are named by their logs or `unknown`, not after the set. Files skipped
        // as already loaded count as the layout they are part of, so a set loaded again beside its zip is named
        // as the first time.
        let layout = added.map(\.layout) + merger.skippedLayout
        // Server folders the layout shows by a Windows path below them (`ev1/EX01/C/…` makes `ev1/EX01` EX01's): a
        // file beside that path in the same folder (`ev1/EX01/build/exsetup.txt`) is EX01's too, not a server
        // named after the wrapping folder (a set zipped with its top folder made a server `ev1`; reviewer).
        var serverFolders: [String: String] = [:]
        for l in layout where !l.pathServerIsGuess && !l.group.isEmpty { if let s = l.pathServer { serverFolders[l.group] = s } }
        let folderNames = Set(serverFolders.values.map { $0.uppercased() })
        // Top folders named as servers, by a Windows path below them or by holding logs: beside two or more of them,
        // files at the top are no server's (reviewer: a fleet's build table beside EX21/ and EX22/ made a server
        // named after the case folder).
        let folderServers = Set(layout.compactMap { l in l.pathServerIsGuess ? l.pathServer?.uppercased() : nil }).union(folderNames)
        let rootIsServer = layout.contains { $0.group.isEmpty && !$0.isSingleFile && ($0.path.contains("/") || folderServers.count < 2) }
        let onlyServerFolder = folderNames.count == 1 ? serverFolders.values.first : nil
        func place(_ l: OrderedMerger.Layout) -> (group: String, pathServer: String?) {
            guard l.pathServerIsGuess else { return (l.group, l.pathServer) }
            var folder = Substring(l.path)
            while let slash = folder.lastIndex(of: "/") {
                folder = folder[..<slash]
                if let s = serverFolders[String(folder)] { return (String(folder), s) }
            }
            return rootIsServer ? ("", nil) : (l.group, l.pathServer)
        }
        let naming = layout.prefix(added.count).map(place)
        // What most of a folder's logs name, case aside, spelled as the first of them; and per server address
        // (IIS's s-ip) of a folder, the servers whose logs answered on it.
        var groupNames: [String: [String: Int]] = [:], logSpelling: [String: String] = [:]
        var groupAddresses: [String: [String: Set<String>]] = [:]
        for l in layout {
            let (group, pathServer) = place(l)
            guard pathServer == nil, let s = l.server else { continue }
            groupNames[group, default: [:]][s.uppercased(), default: 0] += 1
            logSpelling[s.uppercased()] = logSpelling[s.uppercased()] ?? s
            if let address = l.address { groupAddresses[group, default: [:]][address, default: []].insert(s.uppercased()) }
        }
        // Per directory, the server addresses and time spans of the logs that name no server: two such logs in one
        // directory that answered on different addresses at overlapping times are two machines' (logs gathered and
        // renamed), not one site's log folder (a server re-addressed writes its logs one after the other).
        var unnamedSpans: [Substring: [(address: String, first: Int64, last: Int64)]] = [:]
        func directory(_ path: String) -> Substring { path[..<(path.lastIndex(of: "/") ?? path.startIndex)] }
        for (a, n) in zip(added, naming) where n.pathServer == nil && a.layout.server == nil && a.file.firstTime != Timestamp.unknown {
            // Loopback and link-local addresses name no machine (every server's health probes answer on ::1): they
            // split nothing (reviewer: a server's back-end log on ::1 became a server of its own).
            if let address = a.layout.address, !InternalAddress.namesNoMachine(address) {
                unnamedSpans[directory(a.file.path), default: []].append((address, a.file.firstTime, a.file.lastTime))
            }
        }
        // A directory whose logs all answered on one address (one site's folder, thousands of days) needs no comparing.
        let severalAddresses = unnamedSpans.filter { Set($0.value.map(\.address)).count > 1 }
        func besideOtherAddresses(_ f: EvidenceFile, _ address: String) -> [String]? {
            guard let spans = severalAddresses[directory(f.path)] else { return nil }
            let others = spans.filter { $0.address != address && $0.first <= f.lastTime && f.firstTime <= $0.last }
            return others.isEmpty ? nil : Array(Set(others.map(\.address))).sorted()
        }
        let named = zip(added, naming).map { a, n -> (name: String, byLayout: Bool) in
            // One server's rows of a file holding several: the rows say whose they are.
            if let rows = a.file.facts["server.rows"] { return (server ?? rows, server != nil) }
            // A folder above the loaded path names the server only when the file's lines name none: that folder may
            // be a case's (`cases/acme/ecp/x.LOG`), not the server's.
            if server == nil, a.layout.namedFromAbove, let own = Self.hostName(a.file.facts["server"]) { return (own, false) }
            // A file whose name states its server (Test-ProxyLogon's `SERVER-Cve-…`) needs no guessing.
            if let given = server ?? a.file.facts["server.file-name"] ?? n.pathServer {
                // A log whose own lines name another computer than its folder (a case folder holding logs copied
                // from other machines) is filed by the folder, and the analyst hears of it (reviewer: the same
                // files gave one server or six depending on the folder loaded).
                if server == nil, a.file.facts["server.file-name"] == nil, !a.isPart, let own = Self.hostName(a.file.facts["server"]),
                   Self.hostKey(own) != Self.hostKey(given) {
                    a.file.problems.add(LoadProblem("its lines name the computer \(own), not \(given), the server its path names: filed under "
                                                    + "\(given); load it alone with --server \(own) if it is that machine's"))
                    a.file.facts[EvidenceFile.otherComputerFact] = own
                }
                return (given, true)
            }
            // A log naming its own computer (an event log's Computer) is that computer's, even in a folder of
            // several machines' logs; files that name none take the name most of their folder's logs give.
            if let own = Self.hostName(a.file.facts["server"]) { return (own, false) }
            // The logs of the folder that answered on the same server address, when they name one server: that
            // server wrote it (IIS logs of one machine share its s-ip).
            if let address = a.layout.address, let owners = groupAddresses[n.group]?[address], owners.count == 1,
               let owner = owners.first.flatMap({ logSpelling[$0] }) {
                if !a.isPart {
                    a.file.problems.add(LoadProblem("the file names no server: taken as \(owner), whose logs in its folder answered on the same "
                                                    + "server address (\(address))"))
                }
                return (owner, false)
            }
            // The server most of the folder's logs name. Beside logs of several servers that is a guess, and the
            // analyst must hear of it; when as many name each of several, no guess is better than another.
            let counts = groupNames[n.group] ?? [:]
            let top = counts.values.max() ?? 0
            let leaders = counts.filter { $0.value == top }.keys.sorted().compactMap { logSpelling[$0] }
            let advice = "put each server's files in a folder named after it, or load the file alone with --server NAME"
            if leaders.count > 1 {
                if !a.isPart {
                    a.file.problems.add(LoadProblem("the file names no server, and as many logs in its folder name each of "
                                                    + leaders.joined(separator: ", ") + ": filed under 'unknown'; " + advice))
                }
                return ("unknown", false)
            }
            if let most = leaders.first {
                if counts.count > 1 && !a.isPart {
                    let others = counts.keys.filter { $0 != most.uppercased() }.sorted().compactMap { logSpelling[$0] }
                    a.file.problems.add(LoadProblem("the file names no server: taken as \(most), which most logs in its folder name "
                                                    + "(\(others.joined(separator: ", ")) also); " + advice))
                    a.file.facts[EvidenceFile.serverGuessedFact] = most
                }
                return (most, false)
            }
            // Logs of one directory that name no server but answered on different server addresses at the same time are
            // different machines': each is filed under its address, not merged into one server named after the folder
            // (reviewer: two servers' logs gave one server and one verdict).
            if server == nil, let address = a.layout.address, !InternalAddress.namesNoMachine(address), let others = besideOtherAddresses(a.file, address) {
                if !a.isPart {
                    a.file.problems.add(LoadProblem("the file names no server, and logs beside it of the same time answered on another server address "
                                                    + "(\(others.prefix(3).joined(separator: ", "))): filed under its own, \(address); " + advice))
                    a.file.facts[EvidenceFile.serverGuessedFact] = address
                }
                return (address, false)
            }
            // A zip per host (CyLR, KAPE, Velociraptor) names its files when nothing inside does.
            let fromArchive = ServerNaming.fromArchive(n.group) ?? (n.group.isEmpty ? ServerNaming.fromArchive(setName) : nil)
            if let fromArchive { return (fromArchive, true) }
            // A case folder holding one server's folder and loose files beside it (a listing, a README): they are
            // that server's, not a server named after the case folder (reviewer: a web shell filed under 'case17').
            if rootIsServer && !a.layout.isSingleFile, let only = onlyServerFolder { return (only, true) }
            return (a.layout.isSingleFile || !rootIsServer ? "unknown" : setName, true)
        }
        let (spelling, serverKey) = Self.serverSpelling(named, existing: store.files.map(\.server))
        var servers = Set<String>()
        for (a, n) in zip(added, named) {
            a.file.server = spelling[serverKey(n.name)] ?? n.name
            a.file.evidenceSet = setName
            servers.insert(a.file.server)
            if a.file.facts[EvidenceFile.serverGuessedFact] != nil { report.guessedServers.append((a.file.path, a.file.server)) }
            if let own = a.file.facts[EvidenceFile.otherComputerFact] { report.otherComputers.append((a.file.path, own, a.file.server)) }
            if let earlier = a.file.facts[EvidenceFile.continuesFact] { report.continued.append((a.file.path, earlier, a.sharedEvents, a.file.eventCount)) }
            report.eventsAdded += a.file.eventCount
            if a.layout.namedFromAbove && n.byLayout && server == nil { report.context = walker.context }
            guard !a.isPart else { continue }
            if Self.isRecognised(a.file) {
                report.recognisedFiles += 1
            } else {
                report.unrecognised[a.file.kind.rawValue, default: 0] += 1
                if report.unrecognisedExamples.count < 3 { report.unrecognisedExamples.append(a.file.path) }
            }
            report.filesAdded += 1
            report.bytesRead += a.file.size
            report.problems += a.file.problems.total
        }
        if server != nil {
            // A folder beside the server's own files (`EX02/build/`) is a part of it, not a server it overrides.
            let named = Set(added.compactMap { a in (a.layout.pathServerIsGuess && rootIsServer ? nil : a.layout.pathServer) ?? a.layout.server }
                .map { $0.uppercased() })
            if named.count > 1 { report.overriddenServers = named.sorted() }
        }
        report.duplicatesSkipped = merger.duplicates
        report.ownFiles = merger.ownFiles
        report.zips = walker.zips.map { LoadReport.Archive(path: $0.path, size: $0.zip.size, sha256: $0.zip.sha256) }
        report.servers = servers.sorted()
        // Test-ProxyLogon's selections and SIEM exports that logs loaded now or before repeat: counted once, in the logs.
        RepeatedCopies.file(in: store)
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// Text a build command writes (`Get-Command ExSetup`, `Get-ExchangeServer`, the update list): such a
    /// file is a build source even though it is read as text.
    static let buildMarkers: [[UInt8]] = ["ExSetup", "AdminDisplayVersion", "Security Update for Exchange", "FileVersion"]
        .map { Array($0.utf8) }

    /// One spelling per server, case aside: the folder `SRV2` and its logs' `srv2` are one server, not two (two
    /// would split one intrusion's chain between them). The spelling already loaded wins, then the layout's (the
    /// folder, zip, set or `--server` the analyst named), then the first log's.
    /// A host's DNS name is its short name too: a folder `EX08.contoso.local` beside a folder `EX08`, or a zip
    /// `ex13.contoso.local.zip`, is that one server (reviewer: they were two, each with half the intrusion's chain).
    static func serverSpelling(_ named: [(name: String, byLayout: Bool)], existing: [String])
        -> (spelling: [String: String], key: (String) -> String) {
        // Two hosts of different domains with one short name (`EX08.contoso.local`, `EX08.fabrikam.local`, a multi-forest
        // estate) are two servers, named in full (reviewer: merged into one `EX08`, unsaid).
        var domains: [String: Set<String>] = [:]
        for name in existing + named.map(\.name) where name.contains(".") && shortName(name) != name {
            domains[serverKey(name), default: []].insert(name.uppercased())
        }
        let clashing = Set(domains.filter { $0.value.count > 1 }.keys)
        let key: (String) -> String = { name in clashing.contains(serverKey(name)) && name.contains(".") ? name.uppercased() : serverKey(name) }
        var spelling: [String: String] = [:]
        func add(_ name: String) { spelling[key(name)] = spelling[key(name)] ?? (clashing.contains(serverKey(name)) ? name : shortName(name)) }
        existing.filter { !$0.isEmpty }.forEach(add)
        named.filter(\.byLayout).map(\.name).forEach(add)
        named.map(\.name).forEach(add)
        return (spelling, key)
    }

    /// True when a reader knew the file's format (or it states a build): the loads where no file is get a warning.
    public static func isRecognised(_ file: EvidenceFile) -> Bool {
        switch file.kind {
        case .text:
            return file.bytes.withUnsafeBytes { bytes in
                let hay = UnsafeRawBufferPointer(rebasing: bytes.prefix(1 << 20))
                return buildMarkers.contains { m in
                    var i = 0
                    while i + m.count <= hay.count, let at = hay[i...].firstIndex(of: m[0]) {
                        if at + m.count <= hay.count && hay[at..<(at + m.count)].elementsEqual(m) { return true }
                        i = at + 1
                    }
                    return false
                }
            }
        case SourceKind("binary"): return false
        default: return true
        }
    }

    struct ParsedFile {
        var path: String
        var location: String
        var size: Int
        var modified: Int64
        var sha256: String
        var kind: SourceKind
        var channel: String
        var bytes: EvidenceBytes
        var identity: FileIdentity?
        var batch: EventBatch
        var problems: ProblemLog
        var facts: [String: String]
        var group: String
        var pathServer: String?
        /// `ServerNaming.isGuess` of the path: the server named only from a top folder with no Windows path below.
        var pathServerIsGuess: Bool
        var isSingleFile: Bool
        /// `PendingFile.namedFromAbove`.
        var namedFromAbove = false
        var accounting: ByteAccounting? = ByteAccounting()
        var renderer: (any EventRenderer)?
        var rowGroups: RowGroups?
        /// What exhunt file this is (`ExhuntFiles`): not evidence, not added.
        var ownFile: String?
    }

    static func parse(_ f: PendingFile, readers: [any EvidenceReader]) -> ParsedFile {
        var naming = ServerNaming.Memo()
        return parse(f, readers: readers, naming: &naming)
    }

    static func parse(_ f: PendingFile, readers: [any EvidenceReader], naming: inout ServerNaming.Memo,
                      conventions: LocalConventions = LocalConventions(), budget: InflateBudget? = nil) -> ParsedFile {
        var problems = ProblemLog()
        var loaded: LoadedBytes
        do {
            loaded = try f.read()
        } catch let partial as PartialRead {
            loaded = partial.loaded
            problems.add(LoadProblem(partial.message))
        } catch {
            loaded = LoadedBytes(bytes: EvidenceBytes([]))
            problems.add(LoadProblem("\(error)"))
        }
        var raw = loaded.bytes
        let (group, pathServer, isGuess) = naming.fromPath(f.path)
        var parsed = ParsedFile(path: f.path, location: f.location, size: raw.count, modified: f.modified,
                                sha256: raw.withUnsafeBytes { SHA256.hex($0) }, kind: .text, channel: "", bytes: raw,
                                identity: loaded.identity, batch: EventBatch(),
                                problems: problems, facts: [:], group: group, pathServer: pathServer, pathServerIsGuess: isGuess,
                                isSingleFile: f.isRoot, namedFromAbove: f.namedFromAbove)
        if raw.count == 0 {
            if parsed.problems.total == 0 { parsed.problems.add(LoadProblem("empty file")) }
            return parsed
        }
        parsed.ownFile = f.exhuntExport
            ?? raw.withUnsafeBytes { ExhuntFiles.what(path: f.path, location: f.location, head: UnsafeRawBufferPointer(rebasing: $0.prefix(128))) }
        if parsed.ownFile != nil { return parsed }
        // gzip is undone in memory; the hash and size above stay those of the file as stored.
        if raw.withUnsafeBytes(Gzip.isGzip) {
            let (inflated, problem) = raw.withUnsafeBytes { Gzip.inflate($0, budget: budget) }
            if let problem { parsed.problems.add(LoadProblem(problem)) }
            parsed.facts["gzip.inflated"] = "\(inflated.count)"
            raw = EvidenceBytes(inflated)
            if raw.count == 0 { return parsed }
        }
        // Binary formats first, on the raw bytes.
        let rawHead = raw.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0.prefix(65536)) }
        if let reader = best(readers.filter { !$0.readsText }, path: f.path, head: rawHead) {
            return run(reader, on: raw, into: parsed, conventions: conventions)
        }
        let plan = raw.withUnsafeBytes { TextDecoding.plan($0) }
        if let note = plan.note { parsed.problems.add(LoadProblem(note)) }
        if plan.isBinary, let reader = raw.withUnsafeBytes({ textReader(before: $0, path: f.path, readers: readers) }) {
            // A log whose header a reader knows, then a run of NULs (a copy cut short, a preallocated tail):
            // the text is evidence; the reader reports the non-text lines by number.
            parsed.problems.add(LoadProblem("mostly NUL or control bytes, but it starts with text the \(reader.name) reader knows: read as text, the non-text lines reported"))
            return run(reader, on: raw, into: parsed, conventions: conventions)
        }
        if plan.isBinary {
            parsed.problems.add(LoadProblem("binary data of no known format: hashed, not parsed"))
            parsed.kind = SourceKind("binary")
            parsed.accounting?.bytesNotRead = raw.count
            return parsed
        }
        var text: EvidenceBytes
        switch plan.form {
        case .asIs: text = raw
        case .skip(let n): text = raw.dropFirst(n)
        case .transcoded(let bytes): text = EvidenceBytes(bytes)
        }
        // Lines ended by CR alone (classic Mac, some converters): read as one line they gave no event and no byte
        // was counted as not read (reviewer). Each CR becomes a line end in a copy of the same length, so every
        // offset, line number and `show` stays that of the file.
        if let crOnly = text.withUnsafeBytes({ Self.crLineEnds($0) }) {
            text = EvidenceBytes(crOnly)
            parsed.problems.add(LoadProblem("lines end with CR alone, not CR LF or LF: read with CR as the line end"))
        }
        let head = text.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0.prefix(65536)) }
        guard let reader = best(readers.filter { $0.readsText }, path: f.path, head: head) else {
            parsed.problems.add(LoadProblem("no reader for this text: hashed, not parsed"))
            parsed.accounting?.bytesNotRead = text.count
            return parsed
        }
        return run(reader, on: text, into: parsed, conventions: conventions)
    }

    /// The bytes with each CR as LF, when the first 64 KiB hold CRs but no LF; nil otherwise (the usual case costs
    /// one `memchr` for LF).
    static func crLineEnds(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        let head = UnsafeRawBufferPointer(rebasing: bytes.prefix(65536))
        guard !head.isEmpty, memchr(head.baseAddress!, 0x0A, head.count) == nil,
              memchr(head.baseAddress!, 0x0D, head.count) != nil else { return nil }
        return bytes.map { $0 == 0x0D ? 0x0A : $0 }
    }

    /// The text reader that recognises, by content alone (a score of 60 or more: a header or a known column set,
    /// not a path hint), the text before a file's first NUL byte; nil when nothing text-like comes first.
    static func textReader(before raw: UnsafeRawBufferPointer, path: String, readers: [any EvidenceReader]) -> (any EvidenceReader)? {
        let head = UnsafeRawBufferPointer(rebasing: raw.prefix(65536))
        let end = head.firstIndex(of: 0) ?? head.count
        guard end > 0 else { return nil }
        let text = UnsafeRawBufferPointer(rebasing: head.prefix(end))
        guard let reader = best(readers.filter { $0.readsText }, path: path, head: text),
              reader.score(path: path, head: text) >= 60 else { return nil }
        return reader
    }

    static func best(_ readers: [any EvidenceReader], path: String, head: UnsafeRawBufferPointer) -> (any EvidenceReader)? {
        var winner: (any EvidenceReader)?
        var top = 0
        for r in readers {
            let s = r.score(path: path, head: head)
            if s > top { top = s; winner = r }
        }
        return winner
    }

    static func run(_ reader: any EvidenceReader, on bytes: EvidenceBytes, into parsed: ParsedFile,
                    conventions: LocalConventions = LocalConventions()) -> ParsedFile {
        var p = parsed
        var out = ReaderOutput(kind: .text)
        out.problems = p.problems
        out.batch.reserve(events: bytes.count / 256 + 16)
        bytes.withUnsafeBytes {
            reader.read(ReaderInput(path: p.path, bytes: $0, location: p.location, conventions: conventions), into: &out)
            p.accounting = ByteAccounting.measure($0, &out, reader: reader.name)
        }
        p.kind = out.kind
        p.channel = out.channel
        p.batch = out.batch
        p.problems = out.problems
        p.facts.merge(out.facts) { $1 }
        p.bytes = out.rendered.map { EvidenceBytes($0) } ?? bytes
        p.renderer = out.renderer
        p.rowGroups = out.rowGroups
        return p
    }
}

/// Appends parsed files to the store in path order, from whichever worker completes the next one.
final class OrderedMerger: @unchecked Sendable {
    struct Added {
        let file: EvidenceFile
        let layout: Layout
        /// One more server's or channel's share of a file already counted (`RowGroups`): not a file, bytes or problems again.
        var isPart = false
        /// Events of an earlier copy this file continues, left to that copy (`continuation`).
        var sharedEvents = 0
    }

    /// Where a file of this load sits and the computer it names: what naming its servers reads.
    struct Layout {
        let path: String
        let group: String
        let pathServer: String?
        let pathServerIsGuess: Bool
        let isSingleFile: Bool
        let namedFromAbove: Bool
        let server: String?
        let address: String?

        init(_ p: EvidenceLoader.ParsedFile) {
            path = p.path
            group = p.group
            pathServer = p.pathServer
            pathServerIsGuess = p.pathServerIsGuess
            isSingleFile = p.isSingleFile
            namedFromAbove = p.namedFromAbove
            server = EvidenceLoader.hostName(p.facts["server"])
            address = p.facts[EvidenceFile.serverAddressFact]
        }
    }

    /// A file's SHA-256 with its path, location or name: what a file already loaded is looked up by. A pair, not
    /// the two joined into one String, which cost an allocation and a hash of ~200 bytes per lookup.
    struct Key: Hashable {
        let sha256: String
        let name: Substring
        init(_ sha256: String, _ name: Substring) { self.sha256 = sha256; self.name = name }

        /// The digest's first 16 hex digits (random already) and a fast hash of an ASCII name, combined once: SipHash
        /// over both strings was most of what remembering a file cost. A name beyond ASCII is hashed as a String,
        /// as `==` compares Strings by canonical equivalence: `Prüfung` composed and decomposed (as macOS writes
        /// it) are one path, and a set zipped on a Mac is the same set (reviewer: its files loaded twice).
        func hash(into h: inout Hasher) {
            let digest = withASCIIBytes(sha256) { u -> UInt64 in
                guard u.count >= 16 else { return ValuePool.hash(UnsafeRawBufferPointer(u)) }
                let raw = UnsafeRawBufferPointer(u)
                return raw.loadUnaligned(as: UInt64.self) ^ raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).byteSwapped
            }
            let ascii = withASCIIBytes(name) { u in u.allSatisfy { $0 < 0x80 } ? ValuePool.hash(UnsafeRawBufferPointer(u)) : nil }
            h.combine(digest ^ (ascii ?? 0))
            if ascii == nil { h.combine(name) }
        }
    }

    private let lock = NSLock()
    private let mergeLock = NSLock()
    private let store: EventStore
    private let count: Int
    private var cursor = 0
    /// What is known of the files already in the store, and of this load's as they are added (`remember`), so that
    /// a folder holding two collections of one server loads each log once (reviewer).
    /// Files already in the store by SHA-256 and path: where they were read and which server they belong to.
    private var known: [Key: [(location: String, server: String)]] = [:]
    /// Files already in the store by SHA-256 and where they were read: the same file reached through another
    /// path (a folder loaded, then one file in it) is relative to another root, so its path differs.
    private var knownLocations: Set<Key> = []
    /// Logs already in the store by SHA-256 and file name: the same log of the same server collected twice in
    /// two layouts (a KAPE folder and a sysadmin's zip of it) would double every count and finding.
    private var knownLogs: [Key: [String]] = [:]
    /// Paths of the files already in the store, by SHA-256 and file name: a set loaded again inside a wrapping folder
    /// (a zip made with its top folder) holds the same files under paths that end in the earlier ones, so under
    /// the same names (keyed by content alone, each of thousands of empty files was compared with all the others).
    private var knownPaths: [Key: [(path: String, server: String)]] = [:]
    /// Logs that only grow while written, by folder and file name (`growingKey`): a log collected again (`continuation`).
    private var growingLogs: [String: [EvidenceFile]] = [:]
    /// Event logs by computer and channel (`recordKey`): a ring collected again shares records (`overlapping`).
    private var eventLogs: [String: [EvidenceFile]] = [:]
    /// The time of each record of an event log in `eventLogs`, by number: made when a later copy first needs it.
    private var recordTimes: [ObjectIdentifier: [UInt64: (time: Int64, event: EventID)]] = [:]
    /// Kinds written by appending lines: a later copy starts with an earlier one's bytes. (Event logs are rings
    /// that overwrite their oldest records.)
    static let growingKinds = logKinds.subtracting([.eventLog])
    /// Kinds whose identical copies under one name are one log: not collected files, where the same content in
    /// two folders is two findings (one web shell dropped in two places).
    static let logKinds: Set<SourceKind> = [.httpProxy, .ecpServer, .ecpActivity, .oabGenerator, .exchangeLog, .iis, .eventLog]
    /// The server this load forces (`--server`), and the set's name (what a file is named after when neither
    /// its path nor its logs name a server).
    private let server: String?, setName: String
    private(set) var added: [Added] = []
    private(set) var duplicates = 0
    /// The files skipped as already loaded, for naming the servers of the rest.
    private(set) var skippedLayout: [Layout] = []
    /// exhunt's own files met, in path order: left out.
    private(set) var ownFiles: [LoadReport.OwnFile] = []

    init(store: EventStore, count: Int, server: String? = nil, setName: String = "") {
        self.store = store
        self.count = count
        self.server = server
        self.setName = setName
        let expected = count + store.files.count
        known.reserveCapacity(expected)
        knownLocations.reserveCapacity(expected)
        knownLogs.reserveCapacity(expected)
        knownPaths.reserveCapacity(expected)
        growingLogs.reserveCapacity(expected)
        for f in store.files {
            remember(f, server: f.server)
            rememberRecords(f)
        }
    }

    static func fileName(_ path: String) -> Substring { path.pathFileName }

    /// A growing log's folder name (case aside) and file name: HttpProxy writes a log of one name per protocol
    /// folder, each starting with the same directives (one with no request yet is all of another's start), so only
    /// a log of the same folder name can be the same log collected again.
    /// Asked of every file a load merges: found from the path's end, without splitting it.
    static func growingKey(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "/" + path }
        let folder = path.utf8[..<slash].lastIndex(of: UInt8(ascii: "/")).map { path[path.utf8.index(after: $0)..<slash] } ?? path[..<slash]
        return folder.lowercasedASCIIFast() + path[slash...]
    }

    /// A file already loaded: the same file read again, the same content at the same path for the same
    /// server (a set loaded again from its zip), or the same log under the same name for the same server in
    /// another layout. Identical files of two servers — one web shell dropped on
    /// both, loaded a server at a time — are not duplicates: each server keeps its evidence.
    private func isDuplicate(_ p: EvidenceLoader.ParsedFile) -> Bool {
        if knownLocations.contains(Key(p.sha256, Substring(p.location))) { return true }
        if Self.logKinds.contains(p.kind), let servers = knownLogs[Key(p.sha256, Self.fileName(p.path))],
           servers.contains(where: { isServer($0, of: p) }) {
            return true
        }
        // The same file of the same layout, one of the two inside a wrapping folder (`ev1/EX01/build/x.txt` and
        // `EX01/build/x.txt`): the folders they share name its server, whatever the wrapper is called (reviewer).
        if knownPaths[Key(p.sha256, Self.fileName(p.path))]?.contains(where: { Self.isWrapped($0.path, p.path, server: $0.server) || Self.isWrapped(p.path, $0.path, server: $0.server) }) == true {
            return true
        }
        guard let earlier = known[Key(p.sha256, Substring(p.path))] else { return false }
        return earlier.contains { e in e.location == p.location || isServer(e.server, of: p) }
    }

    /// True when `outer` is `inner` inside more folders and `inner` holds the folder of `server`, the earlier copy's:
    /// the same server's file. (`C/inetpub/…` in another host's zip shares the tail of `EX01/C/inetpub/…` but not
    /// its server folder: that host's own evidence.)
    static func isWrapped(_ inner: String, _ outer: String, server: String) -> Bool {
        outer.hasSuffix("/" + inner)
            && inner.split(separator: "/").dropLast().contains { server.sameIgnoringCase($0) }
    }

    /// True when `server` may be the one `p` belongs to. Case aside, as servers are named (`serverSpelling`): the
    /// folder `SRV1` and the zip `srv1.zip` are one server. A guess from a top folder is not final here (a set's own
    /// top folder `siem/` is no server), so the set's name and the computer the file names count too. A folder above
    /// a Windows path is final, as it is when the file is filed (reviewer: a copy under `EX31/C/…` whose lines name
    /// EX01 was "already loaded" when EX01's set came first, and kept when it came second).
    private func isServer(_ server: String, of p: EvidenceLoader.ParsedFile) -> Bool {
        let named = self.server ?? p.facts["server.file-name"] ?? p.pathServer
        func same(_ b: String?) -> Bool { b.map { server.sameIgnoringCase($0) } ?? false }
        if self.server == nil && p.facts["server.file-name"] == nil && p.pathServer != nil && !p.pathServerIsGuess { return same(named) }
        return same(named) || same(setName) || same(p.facts["server"])
    }

    /// How `p` relates to a log of the same name and server loaded before, when it is the same log collected at
    /// another time: its bytes all within the earlier copy's start (`.within`: nothing new), or the earlier copy's
    /// all at its own start (`.continues`: the lines after them are new). Other content under the name is nil.
    private func continuation(_ p: EvidenceLoader.ParsedFile) -> Continuation? {
        guard Self.growingKinds.contains(p.kind), p.renderer == nil, p.rowGroups?.isMixed != true, p.bytes.count > 0,
              let candidates = growingLogs[Self.growingKey(p.path)] else { return nil }
        return p.bytes.withUnsafeBytes { new -> Continuation? in
            var longest: EvidenceFile?
            // A copy that changed on disk since its load is not read (its bytes may be gone); `load` reported it.
            for e in candidates where e.changedSinceLoad == nil && isServer(e.server, of: p) {
                let common = min(e.bytes.count, new.count)
                guard e.bytes.withUnsafeBytes({ memcmp($0.baseAddress!, new.baseAddress!, common) == 0 }) else { continue }
                if common == new.count { return .within }
                if e.bytes.count > longest?.bytes.count ?? 0 { longest = e }
            }
            return longest.map { .continues($0) }
        }
    }

    enum Continuation {
        case within
        case continues(EvidenceFile)
    }

    func finished(_ index: Int, _ parsed: EvidenceLoader.ParsedFile, results: UnsafeMutableBufferPointer<EvidenceLoader.ParsedFile?>) {
        lock.lock()
        results[index] = parsed
        lock.unlock()
        // One thread merges at a time; the other keeps parsing. Whatever is left is merged by `drain`.
        guard mergeLock.try() else { return }
        defer { mergeLock.unlock() }
        mergeReady(results)
    }

    /// Merges every completed file that follows the last merged one (after the workers are done).
    func drain(results: UnsafeMutableBufferPointer<EvidenceLoader.ParsedFile?>) {
        mergeLock.lock()
        defer { mergeLock.unlock() }
        mergeReady(results)
    }

    private func mergeReady(_ results: UnsafeMutableBufferPointer<EvidenceLoader.ParsedFile?>) {
        while true {
            lock.lock()
            guard cursor < count, let next = results[cursor] else { lock.unlock(); return }
            results[cursor] = nil
            cursor += 1
            lock.unlock()
            append(next)
        }
    }

    private func append(_ p: EvidenceLoader.ParsedFile) {
        if let what = p.ownFile { ownFiles.append(LoadReport.OwnFile(path: p.path, what: what)); return }
        let continuation = isDuplicate(p) ? .within : continuation(p)
        if case .within? = continuation {
            duplicates += 1
            skippedLayout.append(Layout(p))
            return
        }
        if case .continues(let earlier)? = continuation {
            let shared = earlier.bytes.count
            // Lines that start in the shared bytes are the earlier copy's events, a line it cut off included (as it
            // read it, its last value unread): counted once (reviewer: the cut line counted twice).
            let kept = p.batch.offsets.indices.filter { p.batch.offsets[$0] >= shared }
            var continuing = p
            continuing.facts[EvidenceFile.continuesFact] = earlier.evidenceSet.isEmpty ? earlier.path : earlier.evidenceSet + "/" + earlier.path
            add(continuing, batch: p.batch.subset(kept), rowServer: nil, channel: p.channel, isPart: false)
            added[added.count - 1].file.continuesFrom = shared
            added[added.count - 1].sharedEvents = p.batch.count - kept.count
            return
        }
        guard let rows = p.rowGroups, rows.isMixed else {
            add(p, batch: p.batch, rowServer: nil, channel: p.channel, isPart: false)
            return
        }
        // A file of several servers', channels' or kinds of log's rows: one store file per server, channel and kind,
        // sharing the bytes; rows naming no server go with the most common, rows naming no channel or kind with the
        // file's, and the first
        // part carries the file's problems and accounting. Servers are named per row only when the rows name
        // several; otherwise the file's server is found as for any file.
        var byGroup = [[Int]](repeating: [], count: rows.groups.count)
        for (e, g) in rows.ofEvent.enumerated() { byGroup[Int(g)].append(e) }
        var perServer: [String: Int] = [:]
        for (g, events) in byGroup.enumerated() where !rows.groups[g].server.isEmpty { perServer[rows.groups[g].server.uppercased(), default: 0] += events.count }
        let common = perServer.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? ""
        var shares: [String: (server: String, channel: String, kind: SourceKind, events: [Int])] = [:]
        for (g, events) in byGroup.enumerated() where !events.isEmpty {
            let group = rows.groups[g]
            let server = group.server.isEmpty ? rows.groups.first { $0.server.uppercased() == common }?.server ?? "" : group.server
            let channel = group.channel.isEmpty ? p.channel : group.channel
            let kind = group.kind ?? p.kind
            let key = server.uppercased() + "\u{0}" + channel.lowercased() + "\u{0}" + kind.rawValue
            if shares[key] == nil { shares[key] = (server, channel, kind, []) }
            shares[key]!.events += events
        }
        let ordered = shares.values.map { ($0.server, $0.channel, $0.kind, $0.events.sorted()) }.sorted { $0.3[0] < $1.3[0] }
        for (n, share) in ordered.enumerated() {
            add(p, batch: p.batch.subset(share.3), rowServer: rows.serverCount > 1 && !share.0.isEmpty ? share.0 : nil,
                channel: share.1, kind: share.2, isPart: n > 0)
        }
    }

    /// Adds `p` (or, with a `rowServer`, that server's rows of it) to the store; a later part carries none of the
    /// file's problems or accounting, which the first part holds.
    private func add(_ p: EvidenceLoader.ParsedFile, batch whole: EventBatch, rowServer: String?, channel: String,
                     kind: SourceKind? = nil, isPart: Bool) {
        var facts = p.facts
        if let rowServer { facts["server.rows"] = rowServer }
        var batch = whole, shared = 0
        var sharedLines: [UInt32: EventID] = [:]
        if let (earlier, kept, held) = overlapping(whole, computer: rowServer ?? p.facts["server"], channel: channel) {
            batch = whole.subset(kept)
            shared = whole.count - kept.count
            sharedLines = held
            facts[EvidenceFile.continuesFact] = earlier.evidenceSet.isEmpty ? earlier.path : earlier.evidenceSet + "/" + earlier.path
        }
        let file = EvidenceFile(path: p.path, evidenceSet: "", location: p.location, server: p.pathServer ?? "",
                                size: p.size, modified: p.modified, sha256: p.sha256, kind: kind ?? p.kind, channel: channel,
                                bytes: p.bytes, problems: isPart ? ProblemLog() : p.problems, facts: facts, identity: p.identity)
        file.bytesNotRead = isPart ? 0 : p.accounting?.bytesNotRead ?? 0
        file.recordsNotRead = isPart ? 0 : p.accounting?.recordsNotRead ?? 0
        file.accounted = p.accounting != nil
        file.renderer = p.renderer
        file.sharedLines = sharedLines
        store.append(file: file, batch: batch)
        added.append(Added(file: file, layout: Layout(p), isPart: isPart, sharedEvents: shared))
        rememberRecords(file)
        // Under the server its path or logs name: the final naming comes after the merge.
        if !isPart { remember(file, server: server ?? p.facts["server.file-name"] ?? p.pathServer ?? p.facts["server"] ?? "") }
    }

    /// An event log's computer (short name, case aside) and channel: the scope its record numbers are unique in.
    static func recordKey(computer: String?, channel: String) -> String? {
        guard let computer, !computer.isEmpty, !channel.isEmpty else { return nil }
        return EvidenceLoader.hostKey(computer) + "\u{0}" + channel.lowercased()
    }

    private func rememberRecords(_ file: EvidenceFile) {
        guard !file.records.isEmpty, let key = Self.recordKey(computer: file.facts["server.rows"] ?? file.facts["server"], channel: file.channel) else { return }
        eventLogs[key, default: []].append(file)
    }

    /// The events of `batch` no event log of the same computer and channel loaded before holds, and the first such
    /// log, when it holds some: the same record number at the same time is one record, in a ring collected twice
    /// (day 1 and day 5) or in two exports of one log. A cleared log numbers its records from 1 again, at other
    /// times: those are kept. With them, the line of each record left out and the earlier event holding it, which
    /// `show FILE:LINE` on this copy names. Nil when nothing is shared.
    private func overlapping(_ batch: EventBatch, computer: String?, channel: String) -> (EvidenceFile, [Int], [UInt32: EventID])? {
        guard !batch.records.isEmpty, let key = Self.recordKey(computer: computer, channel: channel),
              let earlier = eventLogs[key] else { return nil }
        let tables = earlier.map { times(of: $0) }
        var kept: [Int] = [], first: Int?
        var held: [UInt32: EventID] = [:]
        kept.reserveCapacity(batch.count)
        for i in 0..<batch.count {
            let record = batch.record(i)
            if record != 0, let holder = tables.firstIndex(where: { $0[record]?.time == batch.times[i] }) {
                first = min(first ?? holder, holder)
                held[batch.lines[i]] = tables[holder][record]!.event
                continue
            }
            kept.append(i)
        }
        return first.map { (earlier[$0], kept, held) }
    }

    /// The time and event of each of `file`'s records, by number (made once per load).
    private func times(of file: EvidenceFile) -> [UInt64: (time: Int64, event: EventID)] {
        if let t = recordTimes[ObjectIdentifier(file)] { return t }
        var t: [UInt64: (time: Int64, event: EventID)] = [:]
        t.reserveCapacity(file.records.count)
        let start = store.firstEvent[store.files.firstIndex { $0 === file }!]
        for (i, r) in file.records.enumerated() where r != 0 { t[r] = (store.time[start + i], start + i) }
        recordTimes[ObjectIdentifier(file)] = t
        return t
    }

    /// Adds a file, of the store or of this load as it is added, to what later files are compared with.
    private func remember(_ file: EvidenceFile, server: String) {
        known[Key(file.sha256, Substring(file.path)), default: []].append((file.location, server))
        knownLocations.insert(Key(file.sha256, Substring(file.location)))
        if Self.logKinds.contains(file.kind) { knownLogs[Key(file.sha256, Self.fileName(file.path)), default: []].append(server) }
        knownPaths[Key(file.sha256, Self.fileName(file.path)), default: []].append((file.path, server))
        if Self.growingKinds.contains(file.kind) && file.renderer == nil && file.bytes.count > 0 {
            growingLogs[Self.growingKey(file.path), default: []].append(file)
        }
    }
}

/// Work distribution and progress shared by the load's worker threads.
final class SharedProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var done = 0, bytes = 0, events = 0
    private let total: Int
    let bytesTotal: Int
    private var cancelled = false
    private var lastReport = Date.distantPast

    init(total: Int, bytes: Int) {
        self.total = total
        self.bytesTotal = bytes
    }

    func next(limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard !cancelled, nextIndex < limit else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func cancel() { lock.lock(); cancelled = true; lock.unlock() }
    var wasCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }

    func final() -> LoadProgress {
        lock.lock(); defer { lock.unlock() }
        return LoadProgress(filesDone: done, filesTotal: total, bytesDone: bytes, bytesTotal: bytesTotal, events: events, finished: true)
    }

    /// Records a finished file; returns a snapshot at most every 100 ms.
    func finished(bytes b: Int, events e: Int) -> LoadProgress? {
        lock.lock(); defer { lock.unlock() }
        done += 1; bytes += b; events += e
        let now = Date()
        guard now.timeIntervalSince(lastReport) > 0.1 else { return nil }
        lastReport = now
        return LoadProgress(filesDone: done, filesTotal: total, bytesDone: bytes, bytesTotal: bytesTotal, events: events)
    }
}
