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
}

/// How a reader reports times it read without a zone, where the format is known to be local time: with
/// the zone given at load they are made UTC and the zone is recorded; without it they stay read as UTC,
/// and the file says so, as a fact (`time.zone`) and a problem, so `sources` and provenance show it.
public struct LocalTimes {
    public let zone: TimeZone?
    /// The column or value the local times came from, once one was read.
    private var column: String?

    public init(zone: TimeZone?) { self.zone = zone }

    /// A zone-less time of `column`, as UTC when the zone is known.
    public mutating func utc(_ local: Int64, column: String) -> Int64 {
        guard local != Timestamp.unknown else { return local }
        if self.column == nil { self.column = column }
        return zone.map { LocalTime.utc(local, in: $0) } ?? local
    }

    /// Writes the fact and, when no zone was given, the problem; nothing when no local time was read.
    public func record(into out: inout ReaderOutput) {
        guard let column else { return }
        out.facts["time.local-column"] = column
        if let zone {
            out.facts["time.zone"] = zone.identifier
        } else {
            out.facts["time.zone"] = "unknown: local time read as UTC"
            out.problems.add(LoadProblem("\(column) is the collecting machine's local time, with no zone: read as UTC; "
                                         + "give the zone with 'load PATH --local-time ZONE' (e.g. Europe/Oslo)"),
                             kind: "local time read as UTC")
        }
    }
}
