/// Case-insensitive (ASCII) matching on raw bytes, so rules never build Strings for values that do not match.
///
/// PowerShell's `-like` and `Select-String`, which Test-ProxyLogon uses, are case-insensitive; these helpers
/// keep that behaviour. Readers use them too (`OABGeneratorLine`); inlinable, so rules' calls across the module
/// boundary stay as fast as they were inside it.
public enum ByteMatch {
    @inlinable @inline(__always)
    public static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c | 0x20 : c }

    /// Offset of the first case-insensitive occurrence of `needle` (given in lower case) at or after `from`.
    ///
    /// Candidates are found with `memchr`, which runs at memory speed: on a byte without case (`~`, `(`, `.`,
    /// `-`) when the needle has one, otherwise on its first letter in both cases.
    @inlinable
    public static func find(_ needle: [UInt8], in hay: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        let n = needle.count, h = hay.count
        guard n > 0, h - from >= n, let base = hay.baseAddress else { return n == 0 ? from : nil }
        @inline(__always) func matches(at i: Int) -> Bool {
            var j = 0
            while j < n && lower(hay[i + j]) == needle[j] { j += 1 }
            return j == n
        }
        if let anchor = needle.firstIndex(where: { !(97...122).contains($0) }) {
            let byte = Int32(needle[anchor])
            var p = from + anchor
            while p < h, let hit = memchr(base + p, byte, h - p) {
                let at = base.distance(to: UnsafeRawPointer(hit))
                let start = at - anchor
                if start + n > h { return nil }
                if matches(at: start) { return start }
                p = at + 1
            }
            return nil
        }
        // All letters: walk the occurrences of the first letter in either case, each found with memchr.
        let lowerFirst = Int32(needle[0]), upperFirst = Int32(needle[0] & 0xDF)
        let last = h - n
        func next(_ byte: Int32, after p: Int) -> Int {
            guard p <= last, let hit = memchr(base + p, byte, h - p) else { return Int.max }
            return base.distance(to: UnsafeRawPointer(hit))
        }
        var nl = next(lowerFirst, after: from), nu = next(upperFirst, after: from)
        while true {
            let i = min(nl, nu)
            if i > last { return nil }
            if matches(at: i) { return i }
            if i == nl { nl = next(lowerFirst, after: i + 1) } else { nu = next(upperFirst, after: i + 1) }
        }
    }

    /// True when `hay` starts with `prefix` (given in lower case), ignoring ASCII case.
    @inlinable
    public static func hasPrefix(_ prefix: [UInt8], _ hay: UnsafeRawBufferPointer) -> Bool {
        guard hay.count >= prefix.count else { return false }
        for i in 0..<prefix.count where lower(hay[i]) != prefix[i] { return false }
        return true
    }

    /// True when `hay` ends with `suffix` (given in lower case), ignoring ASCII case.
    @inlinable
    public static func hasSuffix(_ suffix: [UInt8], _ hay: UnsafeRawBufferPointer) -> Bool {
        guard hay.count >= suffix.count else { return false }
        let base = hay.count - suffix.count
        for i in 0..<suffix.count where lower(hay[base + i]) != suffix[i] { return false }
        return true
    }

    /// PowerShell `-like` on bytes: `*` matches any run, `?` one byte, everything else literally and
    /// case-insensitively. The pattern is given in lower case. (Test-ProxyLogon's patterns use no `[...]`.)
    @inlinable
    public static func like(_ pattern: [UInt8], _ hay: UnsafeRawBufferPointer) -> Bool {
        var p = 0, s = 0
        var star = -1, mark = 0
        let star8 = UInt8(ascii: "*"), q8 = UInt8(ascii: "?")
        while s < hay.count {
            if p < pattern.count && (pattern[p] == q8 || (pattern[p] != star8 && pattern[p] == lower(hay[s]))) {
                p += 1; s += 1
            } else if p < pattern.count && pattern[p] == star8 {
                star = p; mark = s; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; s = mark
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == star8 { p += 1 }
        return p == pattern.count
    }

    /// `like` on a String's UTF-8 bytes.
    public static func like(_ pattern: [UInt8], _ s: String) -> Bool {
        var s = s
        return s.withUTF8 { like(pattern, UnsafeRawBufferPointer($0)) }
    }
}

extension String {
    /// The lower-cased UTF-8 bytes, the form `ByteMatch` takes its needles and patterns in.
    public var lowerBytes: [UInt8] { Array(lowercased().utf8) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
