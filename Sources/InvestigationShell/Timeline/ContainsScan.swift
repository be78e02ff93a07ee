import Dispatch
import ExchangeEvidence
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--contains` over millions of events: instead of visiting each event's line, search each file's bytes
/// once with `memchr` on the needle's most telling byte (both cases for a letter), then map the hits to
/// events by their byte offsets. Files are searched in parallel; the result is one flag per event.
enum ContainsScan {
    /// A needle whose file scan runs only if line-by-line checking did not fill the page soon.
    final class Deferred {
        let needle: [UInt8]
        var flags: [Bool]?
        init(needle: [UInt8]) { self.needle = needle }
    }

    /// Flags the events whose line contains `needle` (lower-case ASCII; compared case-insensitively),
    /// looking only at files for which `include` is true.
    static func events(containing needle: [UInt8], in store: EventStore, include: (Int) -> Bool) -> [Bool] {
        var flags = [Bool](repeating: false, count: store.count)
        guard !needle.isEmpty else { return flags.map { _ in true } }
        var starts = [0]
        for f in store.files { starts.append(starts.last! + f.eventCount) }
        let files = store.files.indices.filter { include($0) && store.files[$0].eventCount > 0 }
        flags.withUnsafeMutableBufferPointer { out in
            let shared = out       // each file writes only its own event range
            DispatchQueue.concurrentPerform(iterations: files.count) { k in
                let f = files[k]
                let lo = starts[f], hi = starts[f + 1]
                store.withEventText(file: f) { text in
                    for m in matches(needle, in: text.bytes) {
                        // The event whose line holds the match: the last one starting at or before it.
                        var a = lo, b = hi
                        while a < b {
                            let mid = (a + b) / 2
                            if text.offset(mid) <= m { a = mid + 1 } else { b = mid }
                        }
                        let e = a - 1
                        if e >= lo && m + needle.count <= text.offset(e) + text.length(e) { shared[e] = true }
                    }
                }
            }
        }
        return flags
    }

    /// How often a (lower-case) byte shows up in Exchange and IIS logs, roughly per thousand bytes, counting both
    /// cases of a letter: the scan anchors on the needle's rarest byte so `memchr` stops as seldom as possible.
    static func rarity(_ c: UInt8) -> Int {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return 60
        case UInt8(ascii: " "): return 50
        case UInt8(ascii: ","), UInt8(ascii: "."): return 40
        case UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "e"): return 30
        case UInt8(ascii: "t"), UInt8(ascii: "a"), UInt8(ascii: "o"), UInt8(ascii: "i"), UInt8(ascii: "n"), UInt8(ascii: "s"),
             UInt8(ascii: "r"): return 25
        case UInt8(ascii: "c"), UInt8(ascii: "l"): return 20
        case UInt8(ascii: "="), UInt8(ascii: "d"): return 15
        case UInt8(ascii: "h"), UInt8(ascii: "u"), UInt8(ascii: "m"), UInt8(ascii: "p"): return 12
        case UInt8(ascii: "&"), UInt8(ascii: ";"), UInt8(ascii: "\""), UInt8(ascii: "f"), UInt8(ascii: "g"): return 10
        case UInt8(ascii: "_"), UInt8(ascii: "w"): return 8
        case UInt8(ascii: "y"), UInt8(ascii: "b"): return 6
        case UInt8(ascii: "v"), UInt8(ascii: "k"): return 4
        case UInt8(ascii: "x"): return 3
        default: return 2
        }
    }

    /// Byte offsets where `needle` occurs, ASCII case-insensitively.
    static func matches(_ needle: [UInt8], in hay: UnsafeRawBufferPointer) -> [Int] {
        guard let base = hay.baseAddress, needle.count <= hay.count else { return [] }
        func isLetter(_ c: UInt8) -> Bool { c >= 97 && c <= 122 }
        let anchor = needle.indices.min { rarity(needle[$0]) < rarity(needle[$1]) }!
        let probes: [UInt8] = isLetter(needle[anchor]) ? [needle[anchor], needle[anchor] - 32] : [needle[anchor]]
        var found: [Int] = []
        for probe in probes {
            var pos = anchor
            while pos < hay.count, let p = memchr(base + pos, Int32(probe), hay.count - pos) {
                let at = base.distance(to: UnsafeRawPointer(p))
                let start = at - anchor
                if start >= 0 && start + needle.count <= hay.count {
                    var j = 0
                    while j < needle.count && TimelineQuery.lowerASCII(hay[start + j]) == needle[j] { j += 1 }
                    if j == needle.count { found.append(start) }
                }
                pos = at + 1
            }
        }
        if probes.count > 1 { found.sort() }
        return found
    }
}
