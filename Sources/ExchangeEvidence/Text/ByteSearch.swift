#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Literal searches on bytes (memchr + memcmp), for sniffing file heads: Foundation's String search was
/// 30% of a load when every reader scored every file.
public enum ByteSearch {
    public static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard let h = haystack.baseAddress, haystack.count >= n, n > 0 else { return false }
        let first = Int32(needle.utf8Start.pointee)
        var i = 0
        let last = haystack.count - n
        while i <= last {
            guard let hit = memchr(h + i, first, last - i + 1) else { return false }
            let at = h.distance(to: UnsafeRawPointer(hit))
            if memcmp(h + at, needle.utf8Start, n) == 0 { return true }
            i = at + 1
        }
        return false
    }

    public static func hasPrefix(_ haystack: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        guard let h = haystack.baseAddress, haystack.count >= needle.utf8CodeUnitCount else { return false }
        return memcmp(h, needle.utf8Start, needle.utf8CodeUnitCount) == 0
    }
}
