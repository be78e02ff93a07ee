/// An integer a rule wrote as a plain value (`ProcessId: 2456`, `GrantedAccess: '0x1fffff'`), matched by an event
/// value that reads as the same integer in the other notation: Security 4688 logs `NewProcessId=0x998` where
/// Sysmon logs `ProcessId=2456`, and SigmaHQ writes either (reviewer: `ProcessId: 2456` found nothing in 4688
/// while `gte`/`lte` did).
///
/// It is a test beside the value's text pattern, not instead of it: the text comparison still decides every
/// spelling it can, and this one only adds the spellings of the other notation. Two decimal spellings stay text
/// (`0123` is not `123`: a zero-padded decimal is a code as often as a number); two hex spellings read as
/// integers (`0x001FFFFF` is `0x1fffff`: Windows pads hex masks and ids). The rule's value is read once, when
/// the rule is compiled; an event value is read only when its first bytes already fit the notation, so the
/// equality path costs one byte comparison for values that are not numbers.
struct SigmaInteger: Sendable, Hashable {
    /// How an event value this test reads is written.
    enum Notation: Sendable, Hashable { case decimal, hex }

    let value: UInt64
    let notation: Notation

    /// The tests a plain (unanchored, unencoded) rule value adds beside its text pattern: a decimal value is
    /// also looked for in hex, a `0x` value in decimal and in hex of other padding; none for other text.
    static func tests(for text: String) -> [SigmaInteger] {
        let bytes = Array(text.utf8)
        if let n = read(bytes[...], .decimal) { return [SigmaInteger(value: n, notation: .hex)] }
        if isHexPrefix(bytes[...]), let n = read(bytes.dropFirst(2), .hex) {
            return [SigmaInteger(value: n, notation: .decimal), SigmaInteger(value: n, notation: .hex)]
        }
        return []
    }

    /// True when `v`, read in this test's notation, is the value.
    func matches(_ v: UnsafeRawBufferPointer) -> Bool {
        switch notation {
        case .decimal:
            guard let first = v.first, Self.digit(first, .decimal) != nil else { return false }
            return Self.read(v[...], .decimal) == value
        case .hex:
            guard Self.isHexPrefix(v[...]) else { return false }
            return Self.read(v.dropFirst(2), .hex) == value
        }
    }

    /// The digits every spelling of the value in this notation contains (hex in lower case, no padding), which
    /// the streamed columns look for before checking a value.
    var literal: [UInt8] {
        Array(String(value, radix: notation == .hex ? 16 : 10).utf8)
    }

    /// `0x` or `0X` followed by at least one more byte.
    private static func isHexPrefix<C: Collection>(_ b: C) -> Bool where C.Element == UInt8 {
        var i = b.makeIterator()
        guard i.next() == UInt8(ascii: "0"), let x = i.next(), x | 0x20 == UInt8(ascii: "x") else { return false }
        return i.next() != nil
    }

    /// The digits of `b` as one integer, nil when a byte is not a digit of the notation, `b` is empty or the
    /// integer does not fit 64 bits.
    private static func read<C: Collection>(_ b: C, _ notation: Notation) -> UInt64? where C.Element == UInt8 {
        guard !b.isEmpty else { return nil }
        let radix: UInt64 = notation == .hex ? 16 : 10
        var n: UInt64 = 0
        for c in b {
            guard let d = digit(c, notation) else { return nil }
            let (shifted, o1) = n.multipliedReportingOverflow(by: radix)
            let (sum, o2) = shifted.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            n = sum
        }
        return n
    }

    @inline(__always) private static func digit(_ c: UInt8, _ notation: Notation) -> UInt64? {
        if c >= 0x30 && c <= 0x39 { return UInt64(c - 0x30) }
        guard notation == .hex else { return nil }
        let l = c | 0x20
        return l >= UInt8(ascii: "a") && l <= UInt8(ascii: "f") ? UInt64(l - UInt8(ascii: "a") + 10) : nil
    }
}
