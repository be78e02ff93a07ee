import Foundation

/// Wall-clock times in a named zone, turned into UTC. Some evidence is written in the collecting machine's
/// local time with no zone in it (PowerShell `Export-Csv` of `TimeCreated`, `LastWriteTime`): exhunt cannot
/// know that zone, so the responder gives it (`load PATH --local-time ZONE`) and times typed in a filter are
/// read the same way.
public enum LocalTime {
    /// The zone's offset (ms) for a wall-clock time, resolving a DST change the way most tools do.
    public static func offset(ofLocal local: Int64, in zone: TimeZone) -> Int64 {
        if zone.identifier == "UTC" || zone.identifier == "GMT" { return 0 }
        let first = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local) / 1000))) * 1000
        let second = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - first) / 1000))) * 1000
        return second
    }

    /// `local` (ms, read as if it were UTC) as UTC in `zone`; unknown stays unknown.
    public static func utc(_ local: Int64, in zone: TimeZone) -> Int64 {
        local == Timestamp.unknown ? local : local - offset(ofLocal: local, in: zone)
    }

    /// A wall-clock time a daylight-saving change makes uncertain: one the clocks skipped (read an hour on, as
    /// `offset(ofLocal:in:)` resolves it) or one they showed twice (read as the later).
    public enum Ambiguity: Sendable { case skipped, repeated }

    /// Whether `local` is skipped or repeated in `zone`: another offset the zone has within a day of it would
    /// also, or alone, map a UTC moment to this wall-clock time. `offset`: `offset(ofLocal:in:)`, when known.
    public static func ambiguity(ofLocal local: Int64, in zone: TimeZone, offset known: Int64? = nil) -> Ambiguity? {
        let off = known ?? offset(ofLocal: local, in: zone)
        func gmt(_ utc: Int64) -> Int64 { Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc) / 1000))) * 1000 }
        if gmt(local - off) != off { return .skipped }
        let day: Int64 = 86_400_000
        for other in [gmt(local - off - day), gmt(local - off + day)] where other != off {
            if gmt(local - other) == other { return .repeated }
        }
        return nil
    }
}

/// How a reader reports times it read without a zone, where the format is known to be local time: with
/// the zone given at load they are made UTC and the zone is recorded; without it they stay read as UTC,
/// and the file says so, as a fact (`time.zone`) and a problem, so `sources` and provenance show it.
public struct LocalTimes {
    public let zone: TimeZone?
    /// The column or value the local times came from, once one was read.
    private var column: String?
    /// Wall-clock times a daylight-saving change made uncertain: how many, and the first of each kind.
    private var uncertain = 0
    private var first: [LocalTime.Ambiguity: Int64] = [:]
    /// Local times from `local` up to a day before the zone's next change, where the offset is `offset`: times
    /// there need no zone lookup (a file's times come mostly in order, so this is nearly every one).
    private var steady: (local: Range<Int64>, offset: Int64)?

    public init(zone: TimeZone?) { self.zone = zone }

    /// A zone-less time of `column`, as UTC when the zone is known.
    public mutating func utc(_ local: Int64, column: String) -> Int64 {
        guard local != Timestamp.unknown else { return local }
        if self.column == nil { self.column = column }
        guard let zone else { return local }
        if let steady, steady.local.contains(local) { return local - steady.offset }
        let offset = LocalTime.offset(ofLocal: local, in: zone)
        if let kind = LocalTime.ambiguity(ofLocal: local, in: zone, offset: offset) {
            uncertain += 1
            if first[kind] == nil { first[kind] = local }
            return local - offset
        }
        // No change of offset between a day before this moment and a day before the next change: no wall-clock
        // time in between is skipped or repeated, and each has this offset (offsets are under a day).
        let day: Int64 = 86_400_000
        let next = zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: Double(local - day) / 1000))
            .map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } ?? Int64.max
        steady = next > local + day ? (local..<(next == Int64.max ? next : next - day), offset) : nil
        return local - offset
    }

    /// Writes the fact and, when no zone was given, the problem; nothing when no local time was read.
    public func record(into out: inout ReaderOutput) {
        guard let column else { return }
        out.facts["time.local-column"] = column
        if let zone {
            out.facts["time.zone"] = zone.identifier
            guard uncertain > 0 else { return }
            let examples = [(LocalTime.Ambiguity.skipped, "did not exist there (the clocks skipped it; read an hour on)"),
                            (.repeated, "was shown twice (read as the later)")]
                .compactMap { kind, what in first[kind].map { "\(Timestamp.short($0)) \(what)" } }
            out.problems.add(LoadProblem("\(uncertain) time\(uncertain == 1 ? "" : "s") of \(column) fall in a daylight-saving change of "
                                         + "\(zone.identifier) and may be an hour off: " + examples.joined(separator: "; ")),
                             kind: "local time in a daylight-saving change")
        } else {
            out.facts["time.zone"] = "unknown: local time read as UTC"
            out.problems.add(LoadProblem("\(column) is the collecting machine's local time, with no zone: read as UTC; "
                                         + "give the zone with 'load PATH --local-time ZONE' (e.g. Europe/Oslo)"),
                             kind: ProblemLog.localTimeAsUTCKind)
        }
    }
}
