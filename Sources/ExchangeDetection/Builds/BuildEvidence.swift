import ExchangeEvidence

/// A build a server ran, seen in its logs between the first and last event that carried it.
public struct BuildObservation: Sendable, Hashable {
    public let server: String
    public let build: ExchangeBuild
    /// Time of the first and last event seen on this build (ms since the epoch).
    public var first: Int64
    public var last: Int64
    /// Log lines that carried the build (a file's lines count through its header only when they name none).
    public var events: Int
    /// Per-request columns, `#Version` headers, or both.
    public var sources: Set<BuildSource>

    public init(server: String, build: ExchangeBuild, first: Int64, last: Int64, events: Int, sources: Set<BuildSource>) {
        self.server = server
        self.build = build
        self.first = first
        self.last = last
        self.events = events
        self.sources = sources
    }
}

/// A build stated by saved command output among the evidence (ExSetup, Get-ExchangeServer): undated.
public struct ReportedBuild: Sendable, Hashable {
    public let server: String
    public let reading: BuildReading
    /// Evidence path of the file that states it.
    public let path: String
}

/// Every build the loaded evidence tells about, per server.
public struct BuildEvidence: Sendable {
    /// Ordered by server, then by first event.
    public let observations: [BuildObservation]
    public let reported: [ReportedBuild]
    /// Each server's last event of any kind (IIS and event logs name no build): the server is known to run
    /// its last observed build at least until then, so support and open windows are judged there.
    public let lastEvents: [String: Int64]

    public init(observations: [BuildObservation], reported: [ReportedBuild] = [], lastEvents: [String: Int64] = [:]) {
        self.observations = observations.sorted { ($0.server, $0.first, $0.build) < ($1.server, $1.first, $1.build) }
        self.reported = reported
        self.lastEvents = lastEvents
    }

    /// The last event of `server`, of any kind, or of its builds when the store said nothing more.
    public func lastEvent(of server: String) -> Int64? {
        let observed = observations.filter { $0.server == server }.map(\.last).filter { $0 != Timestamp.unknown }.max()
        switch (lastEvents[server], observed) {
        case let (a?, b?): return max(a, b)
        case let (a, b): return a ?? b
        }
    }

    /// The servers named by any observation or report.
    public var servers: [String] {
        Array(Set(observations.map(\.server) + reported.map(\.server))).sorted()
    }

    /// The build in an OWA or ECP resource path (`/owa/auth/15.1.2106.2/themes/…`, `/owa/15.1.2106.2/scripts/…`,
    /// `/ecp/15.1.2106.2/…`), or nil.
    static func resourceBuild(_ stem: String) -> ExchangeBuild? {
        let parts = stem.lowercased().split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 3, parts[0] == "owa" || parts[0] == "ecp" else { return nil }
        let folder = parts[1] == "auth" ? parts[2] : parts[1]
        guard folder.first == "1", let build = ExchangeBuild(dotted: folder), !build.isPlaceholder, build.major >= 14 else { return nil }
        return build
    }

    /// Collects builds from the store: the interned per-request build (each distinct value parsed once),
    /// `S:BLD=` of ECP log lines, the `#Version` header over the time span of files whose lines name no
    /// build, and text files that hold ExSetup or Get-ExchangeServer output. Placeholder builds
    /// (`15.0.0.0`) are ignored.
    public static func collect(from store: EventStore) -> BuildEvidence {
        var serverIndex: [String: Int] = [:]
        var serverNames: [String] = []
        let fileServer: [Int] = store.files.map { f in
            if let i = serverIndex[f.server] { return i }
            serverIndex[f.server] = serverNames.count
            serverNames.append(f.server)
            return serverNames.count - 1
        }
        var buckets: [Key: BuildObservation] = [:]
        func add(_ server: Int, _ build: ExchangeBuild, _ first: Int64, _ last: Int64, _ events: Int, _ source: BuildSource) {
            let key = Key(server: server, build: build)
            if var o = buckets[key] {
                o.first = minTime(o.first, first)
                o.last = maxTime(o.last, last)
                o.events += events
                o.sources.insert(source)
                buckets[key] = o
            } else {
                buckets[key] = BuildObservation(server: serverNames[server], build: build, first: first, last: last,
                                                events: events, sources: [source])
            }
        }

        // Per-request builds: one pass over the interned column, runs of equal (file, value) folded.
        var parsed: [UInt32: ExchangeBuild?] = [:]
        var spans: [UInt64: (first: Int64, last: Int64, events: Int)] = [:]
        let column = store.values[InternedField.serverBuild.rawValue]
        let times = store.time, files = store.fileIndex
        var runKey = UInt64.max, runFirst = Timestamp.unknown, runLast = Timestamp.unknown, runEvents = 0
        func closeRun() {
            guard runKey != UInt64.max else { return }
            let s = spans[runKey]
            spans[runKey] = (minTime(s?.first ?? Timestamp.unknown, runFirst), maxTime(s?.last ?? Timestamp.unknown, runLast),
                             (s?.events ?? 0) + runEvents)
        }
        var fileHasBuilds = [Bool](repeating: false, count: store.files.count)
        for e in 0..<column.count {
            let v = column[e]
            if v == 0 { continue }
            fileHasBuilds[Int(files[e])] = true
            let key = UInt64(fileServer[Int(files[e])]) << 32 | UInt64(v)
            if key != runKey {
                closeRun()
                runKey = key
                runFirst = Timestamp.unknown
                runLast = Timestamp.unknown
                runEvents = 0
            }
            let t = times[e]
            runFirst = minTime(runFirst, t)
            runLast = maxTime(runLast, t)
            runEvents += 1
        }
        closeRun()
        for (key, span) in spans {
            let v = UInt32(truncatingIfNeeded: key)
            let build: ExchangeBuild?
            if let cached = parsed[v] { build = cached } else {
                build = ExchangeBuild(dotted: store.pool.string(v))
                parsed[v] = build
            }
            guard let build, !build.isPlaceholder else { continue }
            add(Int(key >> 32), build, span.first, span.last, span.events, .logRequests)
        }

        // ECP server and activity logs: `S:BLD=15.1.2176.2` in EventData (small logs; read per line).
        let isECP = store.files.map { $0.kind == .ecpServer || $0.kind == .ecpActivity }
        var ecpBuilds: [String: ExchangeBuild?] = [:]
        for e in 0..<store.count where isECP[Int(files[e])] {
            guard let text = store.withRawLine(e, { Self.ecpBuildText($0) }) else { continue }
            if ecpBuilds[text] == nil { ecpBuilds[text] = ExchangeBuild(dotted: text) }
            guard let build = ecpBuilds[text]!, !build.isPlaceholder else { continue }
            fileHasBuilds[Int(files[e])] = true
            add(fileServer[Int(files[e])], build, times[e], times[e], 1, .ecpLog)
        }

        // OWA/ECP resource folders (`/owa/auth/15.1.2106.2/…`, `/ecp/15.1.2106.2/…`) in web logs whose lines name no
        // build (IIS): each distinct URL stem parsed once. Only answered requests (200, 304) count: a URL is the
        // client's to write, and a scanner asking for a version folder proves nothing; the server serving it does.
        let stems = store.values[InternedField.urlStem.rawValue], statuses = store.values[InternedField.status.rawValue]
        let answered = Set(["200", "304"].compactMap { store.pool.lookup($0) })
        let isWeb = store.files.enumerated().map { i, f in (f.kind == .iis || f.kind == .httpProxy) && !fileHasBuilds[i] }
        var stemBuilds: [UInt32: ExchangeBuild?] = [:]
        for e in 0..<min(stems.count, statuses.count) where isWeb[Int(files[e])] && answered.contains(statuses[e]) {
            let v = stems[e]
            if v == 0 { continue }
            let build: ExchangeBuild?
            if let cached = stemBuilds[v] { build = cached } else {
                build = Self.resourceBuild(store.pool.string(v))
                stemBuilds[v] = build
            }
            guard let build else { continue }
            add(fileServer[Int(files[e])], build, times[e], times[e], 1, .resourcePath)
        }

        // `#Version` headers, over the span of the file's events, for files whose lines name no build:
        // a header is written when the file is opened and can be stale after an update mid-file.
        for (i, f) in store.files.enumerated() where !fileHasBuilds[i] {
            guard let text = f.facts["exchange.version"], let build = ExchangeBuild(dotted: text.trimmingWhitespace()),
                  !build.isPlaceholder, f.firstTime != Timestamp.unknown else { continue }
            add(fileServer[i], build, f.firstTime, f.lastTime, f.eventCount, .logHeader)
        }

        var lastEvents: [String: Int64] = [:]
        // A log whose lines name another computer (filed here by its folder) says nothing of how long this server
        // ran its build (reviewer: another machine's event log held a window "still open" a year and a half on).
        for f in store.files where f.lastTime != Timestamp.unknown && f.facts[EvidenceFile.otherComputerFact] == nil {
            lastEvents[f.server] = max(lastEvents[f.server] ?? f.lastTime, f.lastTime)
        }
        return BuildEvidence(observations: Array(buckets.values), reported: reportedBuilds(in: store), lastEvents: lastEvents)
    }

    /// The digits and dots after `S:BLD=` in a raw ECP log line.
    static func ecpBuildText(_ line: UnsafeRawBufferPointer) -> String? {
        let marker = Array("S:BLD=".utf8)
        guard line.count > marker.count else { return nil }
        var i = 0
        while i + marker.count <= line.count {
            if line[i] == marker[0], (0..<marker.count).allSatisfy({ line[i + $0] == marker[$0] }) {
                var j = i + marker.count
                while j < line.count, line[j] == UInt8(ascii: ".") || (line[j] >= 48 && line[j] <= 57) { j += 1 }
                return j > i + marker.count ? String(decoding: UnsafeRawBufferPointer(rebasing: line[(i + marker.count)..<j]), as: UTF8.self) : nil
            }
            i += 1
        }
        return nil
    }

    /// Builds stated by text files (one event per line) that mention a command output marker.
    static func reportedBuilds(in store: EventStore) -> [ReportedBuild] {
        var linesByFile: [Int: [EventID]] = [:]
        for e in 0..<store.count where store.files[Int(store.fileIndex[e])].kind == .text {
            linesByFile[Int(store.fileIndex[e]), default: []].append(e)
        }
        var out: [ReportedBuild] = []
        let catalog = try? BuildCatalog.bundled()
        for (fileIndex, events) in linesByFile.sorted(by: { $0.key < $1.key }) {
            let file = store.files[fileIndex]
            guard outputMarkers.contains(where: { file.bytes.contains(subsequence: $0) }) else { continue }
            // The text reader keeps no empty lines, and they end a list's blocks (one server's `Name` and
            // `AdminDisplayVersion`): a gap in the line numbers stands for them (reviewer: an org-wide listing gave
            // every server's build to the last one named).
            var lines: [String] = [], previous: UInt32 = 0
            for e in events.sorted(by: { store.lineNumber[$0] < store.lineNumber[$1] }) {
                if store.lineNumber[e] > previous + 1 { lines.append("") }
                previous = store.lineNumber[e]
                lines.append(store.rawLine(e))
            }
            for r in BuildParser.readings(in: lines) where !r.build.isPlaceholder {
                out.append(ReportedBuild(server: r.server ?? file.server, reading: r, path: file.path))
            }
            // An update's name without a build (`Security Update for Exchange Server 2016 Cumulative Update 18
            // (KB5000871)`, as the March and April 2021 updates install): its KB and CU name the build in the catalog.
            for line in lines where line.contains("Exchange Server") && line.uppercased().contains("KB") {
                guard (try? BuildParser.parse(line)) == nil, let r = catalog?.build(forDisplayName: line) else { continue }
                out.append(ReportedBuild(server: file.server, reading: r, path: file.path))
            }
        }
        return out
    }

    static let outputMarkers: [[UInt8]] = ["ExSetup", "AdminDisplayVersion", "Security Update for Exchange", "FileVersion"]
        .map { Array($0.utf8) }

    private struct Key: Hashable {
        let server: Int
        let build: ExchangeBuild
    }
}

@inline(__always) func minTime(_ a: Int64, _ b: Int64) -> Int64 {
    a == Timestamp.unknown ? b : b == Timestamp.unknown ? a : min(a, b)
}

@inline(__always) func maxTime(_ a: Int64, _ b: Int64) -> Int64 {
    a == Timestamp.unknown ? b : b == Timestamp.unknown ? a : max(a, b)
}

extension EvidenceBytes {
    /// True when `needle` occurs in the bytes (`memchr` for the first byte, then `memcmp`; once per text file).
    func contains(subsequence needle: [UInt8]) -> Bool {
        withUnsafeBytes { hay in
            needle.withUnsafeBytes { n in
                guard let h = hay.baseAddress, let nb = n.baseAddress, n.count > 0, n.count <= hay.count else { return false }
                let last = h + (hay.count - n.count)
                var p = h
                while p <= last, let hit = memchr(p, Int32(n[0]), last - p + 1) {
                    if memcmp(hit, nb, n.count) == 0 { return true }
                    p = UnsafeRawPointer(hit) + 1
                }
                return false
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
