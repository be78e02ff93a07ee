/// Normalises the encodings evidence arrives in before text readers see it: a UTF-8 BOM is skipped and
/// UTF-16 (with or without BOM, as PowerShell's `Out-File` writes) is transcoded to UTF-8 once.
public enum TextDecoding {
    public struct Result {
        public var bytes: [UInt8]
        /// Set when the bytes were transformed ("decoded from UTF-16LE"), for the file's problem list.
        public var note: String?
        /// True when the data looks binary: more than `binaryPercent` % control bytes, not UTF-16.
        public var isBinary: Bool
    }

    public static func decode(_ raw: [UInt8]) -> Result {
        let decoding = raw.withUnsafeBytes { Self.plan($0) }
        switch decoding.form {
        case .asIs: return Result(bytes: raw, note: decoding.note, isBinary: decoding.isBinary)
        case .skip(let n): return Result(bytes: Array(raw[n...]), note: decoding.note, isBinary: false)
        case .transcoded(let bytes): return Result(bytes: bytes, note: decoding.note, isBinary: false)
        }
    }

    /// What decoding `raw` takes, without copying it when it is UTF-8 already (the loader keeps mapped
    /// bytes mapped: only UTF-16 is transcoded into memory).
    public struct Plan {
        public enum Form {
            /// The bytes are UTF-8 (or binary) as they are.
            case asIs
            /// UTF-8 after a byte-order mark of this many bytes.
            case skip(Int)
            /// UTF-16, transcoded to these UTF-8 bytes.
            case transcoded([UInt8])
        }
        public var form: Form
        public var note: String?
        public var isBinary: Bool
    }

    public static func plan(_ raw: UnsafeRawBufferPointer) -> Plan {
        if raw.count >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF {
            return Plan(form: .skip(3), note: "UTF-8 byte-order mark skipped", isBinary: false)
        }
        if raw.count >= 2 && raw[0] == 0xFF && raw[1] == 0xFE {
            return Plan(form: .transcoded(utf16(raw, from: 2, littleEndian: true)), note: "decoded from UTF-16LE", isBinary: false)
        }
        if raw.count >= 2 && raw[0] == 0xFE && raw[1] == 0xFF {
            return Plan(form: .transcoded(utf16(raw, from: 2, littleEndian: false)), note: "decoded from UTF-16BE", isBinary: false)
        }
        let head = UnsafeRawBufferPointer(rebasing: raw.prefix(8192))
        let hasNul = head.count > 0 && memchr(head.baseAddress!, 0, head.count) != nil
        guard hasNul else { return Plan(form: .asIs, note: nil, isBinary: false) }
        // UTF-16 without BOM: ASCII text has NUL in every other byte.
        var evenNul = 0, oddNul = 0
        for (i, b) in head.enumerated() where b == 0 { if i % 2 == 0 { evenNul += 1 } else { oddNul += 1 } }
        let half = head.count / 2
        if oddNul > half * 8 / 10 && evenNul < half / 10 {
            return Plan(form: .transcoded(utf16(raw, from: 0, littleEndian: true)), note: "decoded from UTF-16LE (no byte-order mark)", isBinary: false)
        }
        if evenNul > half * 8 / 10 && oddNul < half / 10 {
            return Plan(form: .transcoded(utf16(raw, from: 0, littleEndian: false)), note: "decoded from UTF-16BE (no byte-order mark)", isBinary: false)
        }
        // A stray NUL or control byte (a user agent, TLS sent to the HTTP port) leaves a log text: only data
        // that is mostly non-text is binary. The odd lines are reported by the readers with their numbers.
        let sample = UnsafeRawBufferPointer(rebasing: raw.prefix(65536))
        let control = sample.reduce(0) { n, b in n + (isControl(b) ? 1 : 0) }
        return Plan(form: .asIs, note: nil, isBinary: control * 100 > sample.count * binaryPercent)
    }

    /// Percentage of control bytes (NUL and the C0 controls other than tab, line breaks, form feed and
    /// escape) above which a file counts as binary. Random or compressed data has about 10 %, text close to 0.
    static let binaryPercent = 5

    @inline(__always) static func isControl(_ b: UInt8) -> Bool {
        b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D && b != 0x0C && b != 0x1B
    }

    static func utf16(_ raw: UnsafeRawBufferPointer, from start: Int, littleEndian: Bool) -> [UInt8] {
        let units = (raw.count - start) / 2
        var codeUnits = [UInt16]()
        codeUnits.reserveCapacity(units)
        var i = start
        while i + 1 < raw.count {
            codeUnits.append(littleEndian ? UInt16(raw[i]) | UInt16(raw[i + 1]) << 8 : UInt16(raw[i]) << 8 | UInt16(raw[i + 1]))
            i += 2
        }
        var out = [UInt8]()
        out.reserveCapacity(units)
        _ = transcode(codeUnits.makeIterator(), from: UTF16.self, to: UTF8.self, stoppingOnError: false) { out.append($0) }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
