import ExchangeEvidence
import Foundation

/// Event counts per hour or day over the filtered events, with the events cited by findings counted
/// apart, drawn as text bars so bursts and silent gaps show at a glance.
public struct Histogram {
    public enum Bucket: String, CaseIterable { case hour, day }

    public struct Bin {
        /// Start of the bin in ms UTC.
        public var start: Int64
        public var events: Int
        public var cited: Int
    }

    public let bucket: Bucket
    public private(set) var bins: [Bin] = []
    /// Events without a time (not in any bin).
    public private(set) var untimed = 0

    /// Counts the events of `query` in one pass (they arrive oldest first, so hours can be appended);
    /// times are binned in `zone`'s wall clock, with the zone's offset at the first event.
    public init(_ query: TimelineQuery, bucket: Bucket?, zone: TimeZone, cited: Set<EventID>, check: () throws -> Void) rethrows {
        let times = query.index.store.time
        var hours: [(events: Int, cited: Int)] = []
        var baseHour: Int64 = 0
        var offset: Int64 = 0
        var untimed = 0, n = 0
        try query.forEach { e in
            let t = times[e]
            if t == Timestamp.unknown { untimed += 1; return true }
            if hours.isEmpty {
                offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t) / 1000))) * 1000
                baseHour = Self.floorDiv(t + offset, 3_600_000)
            }
            let i = Int(Self.floorDiv(t + offset, 3_600_000) - baseHour)
            while hours.count <= i { hours.append((0, 0)) }
            hours[i].events += 1
            if !cited.isEmpty && cited.contains(e) { hours[i].cited += 1 }
            n += 1
            if n & 0xFFFF == 0 { try check() }
            return true
        }
        self.untimed = untimed
        let chosen = bucket ?? (hours.count <= 72 ? .hour : .day)
        self.bucket = chosen
        if chosen == .hour {
            bins = hours.enumerated().map { Bin(start: (baseHour + Int64($0.offset)) * 3_600_000 - offset, events: $0.element.events, cited: $0.element.cited) }
        } else if !hours.isEmpty {
            let firstDay = Self.floorDiv(baseHour, 24)
            let lastDay = Self.floorDiv(baseHour + Int64(hours.count - 1), 24)
            bins = (firstDay...lastDay).map { Bin(start: $0 * 86_400_000 - offset, events: 0, cited: 0) }
            for (i, h) in hours.enumerated() {
                let d = Int(Self.floorDiv(baseHour + Int64(i), 24) - firstDay)
                bins[d].events += h.events
                bins[d].cited += h.cited
            }
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Text bars: one line per bin, runs of more than three empty bins folded into one line.
    public func render(displayTime: (Int64) -> String, width: Int = 50) -> [String] {
        let peak = max(1, bins.map(\.events).max() ?? 1)
        var out: [String] = []
        var i = 0
        let hourly = bucket == .hour
        func label(_ t: Int64) -> String {
            let s = displayTime(t)
            return hourly ? String(s.prefix(16)) : String(s.prefix(10))
        }
        let countWidth = String(peak).count
        while i < bins.count {
            let b = bins[i]
            if b.events == 0 {
                var j = i
                while j < bins.count && bins[j].events == 0 { j += 1 }
                if j - i > 3 {
                    out.append("\(label(b.start))  … \(j - i) empty \(bucket.rawValue)s")
                    i = j
                    continue
                }
            }
            let bar = b.events == 0 ? 0 : max(1, b.events * width / peak)
            let citedBar = b.cited == 0 ? 0 : max(1, min(bar, b.cited * width / peak))
            let count = String(b.events)
            let pad = String(repeating: " ", count: max(0, countWidth - count.count))
            out.append("\(label(b.start))  \(pad)\(count)  " + String(repeating: "!", count: citedBar)
                       + String(repeating: "#", count: bar - citedBar) + (b.cited > 0 ? "  (\(b.cited) cited by findings)" : ""))
            i += 1
        }
        return out
    }
}
