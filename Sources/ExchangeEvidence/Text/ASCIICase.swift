import Foundation

/// Case-insensitive tests on the ASCII letters of paths and names, byte by byte.
///
/// A load asks them of every file it reads (the log's folder, its kind, the server a copy belongs to):
/// `lowercased()` made a String each time and Foundation's `contains` and `caseInsensitiveCompare` went
/// through NSString, several percent of loading 17,000 small logs. Only ASCII letters are folded, so a
/// name with other letters compares exactly (callers that must fold them check `isASCII` first).
extension StringProtocol {
    /// True when every byte is ASCII.
    var isASCII: Bool { withASCIIBytes(self) { $0.allSatisfy { $0 < 0x80 } } }

    /// `lowercased() == other.lowercased()` for ASCII letters.
    func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        withASCIIBytes(self) { a in withASCIIBytes(other) { b in a.count == b.count && ASCIICase.same(a, 0, b) } }
    }

    /// `lowercased().hasPrefix(prefix)` for a lower-case ASCII `prefix`.
    func hasPrefixIgnoringASCIICase(_ prefix: StaticString) -> Bool {
        withASCIIBytes(self) { a in prefix.withUTF8Buffer { p in a.count >= p.count && ASCIICase.same(a, 0, p) } }
    }

    /// `lowercased().hasSuffix(suffix)` for a lower-case ASCII `suffix`.
    func hasSuffixIgnoringASCIICase(_ suffix: StaticString) -> Bool {
        withASCIIBytes(self) { a in suffix.withUTF8Buffer { p in a.count >= p.count && ASCIICase.same(a, a.count - p.count, p) } }
    }

    /// `lowercased().contains(needle)` for a lower-case ASCII `needle`.
    func containsIgnoringASCIICase(_ needle: StaticString) -> Bool {
        withASCIIBytes(self) { a in
            needle.withUTF8Buffer { p in
                guard p.count > 0 else { return true }
                guard a.count >= p.count else { return false }
                for start in 0...(a.count - p.count) where ASCIICase.fold(a[start]) == p[0] && ASCIICase.same(a, start, p) { return true }
                return false
            }
        }
    }
}

enum ASCIICase {
    /// The byte with an ASCII capital made small.
    @inline(__always) static func fold(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }

    /// True when `a[at...]` starts with the bytes of `other`, ASCII letters compared without case.
    @inline(__always)
    static func same(_ a: UnsafeBufferPointer<UInt8>, _ at: Int, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in 0..<other.count where fold(a[at + i]) != fold(other[i]) { return false }
        return true
    }
}

/// The UTF-8 bytes of `s` without copying them when they are contiguous (native strings and their substrings).
@inline(__always)
func withASCIIBytes<S: StringProtocol, R>(_ s: S, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
    return Array(s.utf8).withUnsafeBufferPointer(body)
}

extension String {
    /// `caseInsensitiveCompare(other) == .orderedSame`, byte by byte when both are ASCII (server names nearly
    /// always are); other letters keep Foundation's Unicode folding.
    func sameIgnoringCase(_ other: some StringProtocol) -> Bool {
        if isASCII && other.isASCII { return equalsIgnoringASCIICase(other) }
        return caseInsensitiveCompare(other) == .orderedSame
    }
}

extension StringProtocol {
    /// `lowercased()`, folded byte by byte when the text is ASCII.
    func lowercasedASCIIFast() -> String {
        withASCIIBytes(self) { u in
            guard u.allSatisfy({ $0 < 0x80 }) else { return lowercased() }
            return String(unsafeUninitializedCapacity: u.count) { out in
                for i in 0..<u.count { out[i] = ASCIICase.fold(u[i]) }
                return u.count
            }
        }
    }
}
