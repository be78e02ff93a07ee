/// The field rules that turn an automaton candidate into a hit. They are what keeps false friends out:
/// `1.2.3.4` inside `11.2.3.45`, `shell.aspx` inside `myshell.aspx`, `Bingbot` for the real crawler's `bingbot`.
enum IOCConfirm {
    static func confirm(_ role: PatternRole, _ v: UnsafeRawBufferPointer, _ s: Int, _ e: Int, group: FieldGroup,
                        exact: [UInt8]) -> Bool {
        let n = v.count
        let before: UInt8? = s > 0 ? v[s - 1] : nil
        let after: UInt8? = e < n ? v[e] : nil
        switch role {
        case .ip:
            return !isIPByte(before) && !isIPByte(after)
        case .hash:
            return !isHex(before) && !isHex(after)
        case .domain:
            // Subdomains match (`.` before); a longer name does not (`xkrebsonsecurity.top`, `…top.evil`).
            return (before == nil || before == 0x2E || !isDomainByte(before)) && !isDomainByte(after)
                && after != 0x2E
        case .url:
            return isEnd(after)
        case .name:
            // A URL stem ends with the name; free text (raw bytes, command lines) delimits it like a word.
            let startOK = before == nil || before == 0x2F || before == 0x5C || (group == .raw && isDelimiter(before))
            return startOK && (group == .stem ? (after == nil || after == 0x3F || after == 0x23) : isEnd(after))
        case .diskPath, .webPath:
            return group == .stem ? (after == nil || after == 0x3F || after == 0x23) : isEnd(after)
        case .ua:
            // Whole field in field mode; in raw text, delimited like a field.
            if group == .raw {
                guard before == nil || isDelimiter(before), after == nil || isDelimiter(after) else { return false }
            } else if s != 0 || e != n {
                return false
            }
            // Case-sensitive: the published crawler strings differ from the real crawlers' only by case.
            for k in 0..<exact.count where IndicatorNormalizer.uaFold(v[s + k]) != exact[k] { return false }
            return true
        }
    }

    @inline(__always) static func isIPByte(_ b: UInt8?) -> Bool {
        guard let b else { return false }
        return (b >= 0x30 && b <= 0x39) || b == 0x2E
    }

    @inline(__always) static func isHex(_ b: UInt8?) -> Bool {
        guard let b else { return false }
        return IndicatorNormalizer.isHex(b)
    }

    @inline(__always) static func isDomainByte(_ b: UInt8?) -> Bool {
        guard let b else { return false }
        return IndicatorNormalizer.isDomainByte(b) && b != 0x2E
    }

    /// Bytes that end a path, name or URL in free text: end, space, quotes, `?`, `#`, `&`, `;`, `,`, `)`, `>`, `|`, tab.
    @inline(__always) static func isEnd(_ b: UInt8?) -> Bool {
        guard let b else { return true }
        switch b {
        case 0x20, 0x09, 0x0D, 0x0A, 0x22, 0x27, 0x3F, 0x23, 0x26, 0x3B, 0x2C, 0x29, 0x3E, 0x7C, 0x3C, 0x5D: return true
        default: return false
        }
    }

    /// Field delimiters of the log formats (space for W3C, comma and quote for CSV, tab and `=` for key=value).
    @inline(__always) static func isDelimiter(_ b: UInt8?) -> Bool {
        guard let b else { return true }
        switch b {
        case 0x20, 0x09, 0x2C, 0x22, 0x3D, 0x27, 0x0D, 0x0A: return true
        default: return false
        }
    }
}
