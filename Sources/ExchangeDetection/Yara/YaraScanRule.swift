import Dispatch
import ExchangeEvidence
import Foundation

/// The YARA rules loaded with `rules load`, run as one detection over the loaded evidence.
///
/// Scope: collected files (web folders, OAB exports: every `web-file`), scanned as collected (re-read and
/// checked against their load-time SHA-256); with `raw`, every loaded file as well, logs included (their
/// stored bytes: an EVTX file's own bytes, a UTF-16 log's decoded text, the `Name=Value` lines rendered from a
/// JSON or event XML export's records, whose own bytes are not kept). Each rule that matches a file is one finding
/// `yara:<rule>` naming the file and the matching strings with their offsets. Hash-only rules are answered
/// from the SHA-256s computed at load and from file-hash listings, without scanning.
public struct YaraScanRule: DetectionRule {
    public let ruleSet: YaraRuleSet
    public let raw: Bool
    /// Each rule's file name (`webshells.yar`), for its findings' summaries. Rule names are one id space across
    /// files (`rules load` refuses a name already loaded), so a name gives the one file it came from.
    public let fileOfRule: [String: String]

    public init(ruleSet: YaraRuleSet, raw: Bool, fileOfRule: [String: String]) {
        self.ruleSet = ruleSet
        self.raw = raw
        self.fileOfRule = fileOfRule
    }

    public let id = "yara"
    public let title = "YARA rule matched"
    public let cves: [String] = []
    /// The highest a finding of it can have; each finding takes its rule's own (`YaraRuleSet.severity(of:)`).
    public let severity = Severity.critical
    public var sources: [SourceKind] { raw ? [] : [.webFile, .fileHash] }
    /// Collected files are what it scans (with `raw`, whatever was loaded).
    public var needs: EvidenceNeed {
        raw ? EvidenceNeed("any loaded evidence", kinds: [.webFile, .fileHash, .fileListing, .iis, .httpProxy, .eventLog, .ecpServer, .oabGenerator, .text], spansTime: false)
            : .webFiles
    }
    /// Each loaded YARA rule with what it scans.
    public var coverageNeeds: [(id: String, need: EvidenceNeed)] { fileOfRule.keys.sorted().map { (Self.prefix + $0, needs) } }
    public let help = "YARA rules loaded with 'rules load': each rule matching a collected file (or, with --raw, any loaded file) is a finding yara:<rule>."

    /// Prefix of the findings' rule ids.
    public static let prefix = "yara:"

    public func run(on store: EventStore) -> [Finding] {
        let ranges = store.eventRanges()
        var rangeOf: [Int: Range<EventID>] = [:]
        for r in ranges { rangeOf[r.file] = r.range }
        // Collected files one by one; with `raw` every loaded file, a file split per server scanned once (its parts
        // share one text) with each match filed on each part whose events hold it.
        let targets: [[Int]] = raw ? Self.byteGroups(store) : store.files.indices.filter { store.files[$0].kind == .webFile }.map { [$0] }
        let results = Slots(count: targets.count)
        let reader = OriginalBytes()
        let readLock = NSLock()
        // A collected file's event has no time: the listing row for its path (or a credible copy time) gives one.
        let timing = targets.contains { store.files[$0[0]].kind == .webFile } ? WebFileTiming(store) : nil
        DispatchQueue.concurrentPerform(iterations: targets.count) { i in
            let parts = targets[i]
            let fi = parts[0]
            let file = store.files[fi]
            let externals = ["sha256": file.sha256, "filename": FilePathName.name(file.path), "filepath": file.path,
                             "extension": FilePathName.ext(file.path), "server": file.server, "kind": file.kind.rawValue]
            var out: [Finding] = []
            do {
                var matches: [(YaraMatch, file: Int, events: [EventID])] = []
                if file.kind == .webFile {
                    readLock.lock()
                    let original = Result { try reader.read(file) }
                    readLock.unlock()
                    let bytes = try original.get()
                    matches = try bytes.withUnsafeBytes { try ruleSet.scan($0, externals: externals) }
                        .map { ($0, fi, rangeOf[fi].map { [$0.lowerBound] } ?? []) }
                } else {
                    // The stored bytes: for EVTX the file's own (its binary records, at file offsets), not the lines
                    // rendered from them. A match wholly in the start of a log collected again is the earlier copy's,
                    // which reports it.
                    matches = try store.withStoredBytes(file: fi) { text in
                        try ruleSet.scan(text.bytes, externals: externals).filter { m in
                            m.offsets.isEmpty || m.offsets[m.offsets.count - 1] >= file.continuesFrom
                        }.flatMap { m in byPart(m, parts: parts, rangeOf: rangeOf, text: text) }
                    }
                }
                for (m, owner, events) in matches {
                    let ownerFile = store.files[owner]
                    var f = finding(m.rule, store: store, file: ownerFile, events: events, summary: describe(m, file: store.citation(of: ownerFile)))
                    if file.kind == .webFile, let timing, let id = events.first { f = dated(f, timing.time(of: id), store: store) }
                    out.append(f)
                }
            } catch {
                out.append(Finding(rule: Self.prefix + "error", title: "YARA scan failed", cves: [], severity: .info, server: file.server,
                                   time: Timestamp.unknown, events: rangeOf[fi].map { [$0.lowerBound] } ?? [], file: store.citation(of: file),
                                   line: 0, summary: "\(store.citation(of: file)): \(error)"))
            }
            results.set(i, out)
        }
        return (0..<targets.count).flatMap { results.get($0) } + hashMatches(store, rangeOf: rangeOf)
    }

    /// The store's files grouped by the bytes they were loaded from, each group scanned once: a file split per
    /// server or channel (a JSON export, a forwarded-events EVTX) is one group, its hits filed on the part whose
    /// event holds them. Unlike `EventStore.scanGroups`, EVTX parts share a group: their stored bytes are one file's.
    static func byteGroups(_ store: EventStore) -> [[Int]] {
        var groups: [[Int]] = []
        var groupOf: [String: Int] = [:]
        for (i, f) in store.files.enumerated() {
            let key = f.location + "\u{0}" + f.sha256
            if let g = groupOf[key] { groups[g].append(i) } else { groupOf[key] = groups.count; groups.append([i]) }
        }
        return groups
    }

    /// Hash-only rules against every loaded file's SHA-256 and every digest a file-hash listing carries.
    private func hashMatches(_ store: EventStore, rangeOf: [Int: Range<EventID>]) -> [Finding] {
        guard !ruleSet.hashOnly.isEmpty else { return [] }
        var byHash: [String: [String]] = [:]
        for (rule, hashes) in ruleSet.hashOnly.sorted(by: { $0.key < $1.key }) { for h in hashes { byHash[h, default: []].append(rule) } }
        var out: [Finding] = []
        for group in store.scanGroups {
            let fi = group[0], file = store.files[fi]
            for rule in byHash[file.sha256] ?? [] {
                out.append(finding(rule, store: store, file: file, events: rangeOf[fi].map { [$0.lowerBound] } ?? [],
                                   summary: "\(store.citation(of: file)): SHA-256 \(file.sha256) (hash-only rule, digest computed at load)" + source(of: rule)))
            }
        }
        for (_, range) in store.eventRanges(kinds: [.fileHash]) {
            for id in range {
                let f = EventFields(store, id)
                guard let hash = f["Hash"]?.lowercased(), hash.count == 64, let rules = byHash[hash] else { continue }
                if let algorithm = f["Algorithm"], algorithm.uppercased() != "SHA256" { continue }
                let path = f["Path"] ?? store.value(.urlStem, id)
                for rule in rules {
                    out.append(Finding(rule: Self.prefix + rule, title: "YARA rule \(rule) matched", cves: [], severity: ruleSet.severity(of: rule),
                                       server: store.server(of: id), time: store.time[id], events: [id], file: store.citation(of: store.file(of: id)),
                                       line: store.line(of: id), summary: "\(path): SHA-256 \(hash) listed in a file-hash listing (hash-only rule)" + source(of: rule)))
                }
            }
        }
        return out
    }

    /// The finding placed in time by the file's listing row (its events join) or the copy's credible modification time.
    private func dated(_ f: Finding, _ time: WebFileTiming.Time, store: EventStore) -> Finding {
        switch time {
        case .listing(let rows):
            return Finding(rule: f.rule, title: f.title, cves: f.cves, severity: f.severity, server: f.server, time: store.time[rows[0]],
                           events: f.events.array + rows, file: f.file, line: f.line, summary: f.summary + "; time from the file listing")
        case .modified(let t):
            return Finding(rule: f.rule, title: f.title, cves: f.cves, severity: f.severity, server: f.server, time: t,
                           events: f.events.array, file: f.file, line: f.line, summary: f.summary + "; time: the collected copy's modification time")
        case .unknown:
            return f
        }
    }

    private func finding(_ rule: String, store: EventStore, file: EvidenceFile, events: [EventID], summary: String) -> Finding {
        let ordered = store.sortedByTime(events)
        let known = ordered.first { store.time[$0] != Timestamp.unknown }
        return Finding(rule: Self.prefix + rule, title: "YARA rule \(rule) matched", cves: [], severity: ruleSet.severity(of: rule), server: file.server,
                       time: known.map { store.time[$0] } ?? Timestamp.unknown, events: ordered, file: store.citation(of: file),
                       line: ordered.first.map { store.line(of: $0) } ?? 0, summary: summary)
    }

    /// The match filed on the parts of a split file whose events hold its matches, each part citing every event
    /// holding one (not only those of the matches the summary shows) and showing its own; a match in no event
    /// (a file header) is the first part's, citing its first event.
    private func byPart(_ m: YaraMatch, parts: [Int], rangeOf: [Int: Range<EventID>], text: EventText) -> [(YaraMatch, file: Int, events: [EventID])] {
        var held: [Int: (events: Set<EventID>, offsets: [Int])] = [:]
        for offset in m.offsets {
            for part in parts {
                guard let range = rangeOf[part], let id = event(at: offset, range: range, text: text) else { continue }
                held[part, default: ([], [])].events.insert(id)
                held[part, default: ([], [])].offsets.append(offset)
                break
            }
        }
        guard !held.isEmpty else { return [(m, parts[0], rangeOf[parts[0]].map { [$0.lowerBound] } ?? [])] }
        if held.count == 1, let (part, h) = held.first { return [(m, part, h.events.sorted())] }
        return parts.compactMap { part in
            guard let h = held[part] else { return nil }
            let mine = Set(h.offsets)
            let hits = m.hits.filter { mine.contains($0.offset) }
            return (YaraMatch(rule: m.rule, hits: hits, moreHits: h.offsets.count - hits.count, offsets: h.offsets), part, h.events.sorted())
        }
    }

    /// The event of `range` whose stored line holds byte `offset`, if any.
    private func event(at offset: Int, range: Range<EventID>, text: EventText) -> EventID? {
        var a = range.lowerBound, b = range.upperBound
        while a < b {
            let mid = (a + b) / 2
            if text.offset(mid) + text.length(mid) <= offset { a = mid + 1 } else { b = mid }
        }
        return a < range.upperBound && text.offset(a) <= offset ? a : nil
    }

    /// `path: $name 'text' at 0x1f2, … (+n more); rule from a.yar`: binary bytes shown as \xNN.
    func describe(_ m: YaraMatch, file: String) -> String {
        var parts = m.hits.prefix(4).map { "\($0.string) '\(Self.printable($0.data))\($0.length > $0.data.count ? "…" : "")' at 0x\(String($0.offset, radix: 16))" }
        let more = m.hits.count - parts.count + m.moreHits
        if more > 0 { parts.append("+\(more) more match\(more == 1 ? "" : "es")") }
        if parts.isEmpty { parts.append("condition met without string matches") }
        return "\(file): " + parts.joined(separator: ", ") + source(of: m.rule)
    }

    /// `; rule from a.yar`, naming the file `rule` was loaded from (nothing when it is not known).
    private func source(of rule: String) -> String {
        fileOfRule[rule].map { "; rule from \($0)" } ?? ""
    }

    static func printable(_ bytes: [UInt8]) -> String {
        var s = ""
        for b in bytes {
            if b >= 0x20 && b < 0x7F && b != 0x5C { s.unicodeScalars.append(Unicode.Scalar(b)) } else { s += String(format: "\\x%02x", b) }
        }
        return s
    }
}

/// File name and extension of an evidence path, for YARA's external variables.
enum FilePathName {
    static func name(_ path: String) -> String { String(path.pathFileName) }
    static func ext(_ path: String) -> String {
        let n = name(path)
        guard let dot = n.lastIndex(of: "."), dot != n.startIndex else { return "" }
        return String(n[n.index(after: dot)...]).lowercased()
    }
}

/// Per-file result slots written from concurrent workers.
private final class Slots: @unchecked Sendable {
    private var slots: [[Finding]]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ i: Int, _ v: [Finding]) { lock.lock(); slots[i] = v; lock.unlock() }
    func get(_ i: Int) -> [Finding] { lock.lock(); defer { lock.unlock() }; return slots[i] }
}
