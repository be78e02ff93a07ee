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

    /// Counts the events of `query`; times are binned in `zone`'s wall clock (whole-hour offsets).
    public init(_ query: TimelineQuery, bucket: Bucket?, zone: TimeZone, cited: Set<EventID>, check: () throws -> Void) rethrows {
        let store = query.index.store
        let times = store.time
        var first = Int64.max, last = Int64.min, count = 0
        var counts: [Int64: (Int, Int)] = [:]
        // First pass: the span decides the bucket when none was asked for.
        let events = query.events()
        for e in events {
            let t = times[e]
            if t == Timestamp.unknown { untimed += 1; continue }
            first = min(first, t); last = max(last, t); count += 1
        }
        let chosen = bucket ?? (last - first <= 3 * 86_400_000 ? .hour : .day)
        self.bucket = chosen
        guard count > 0 else { return }
        let size: Int64 = chosen == .hour ? 3_600_000 : 86_400_000
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(first) / 1000))) * 1000
        var n = 0
        for e in events {
            let t = times[e]
            if t == Timestamp.unknown { continue }
            let local = t + offset
            let key = (local - ((local % size) + size) % size) - offset
            let c = counts[key] ?? (0, 0)
            counts[key] = (c.0 + 1, c.1 + (cited.contains(e) ? 1 : 0))
            n += 1
            if n & 0xFFFF == 0 { try check() }
        }
        let lo = counts.keys.min()!, hi = counts.keys.max()!
        var k = lo
        while k <= hi {
            let c = counts[k] ?? (0, 0)
            bins.append(Bin(start: k, events: c.0, cited: c.1))
            k += size
        }
    }

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
