/// Appends `KeyValueLine` text straight into a byte buffer: the readers that render records (EVTX, XML
/// exports, web files) write thousands of lines, and building an intermediate String per line cost ~10 %
/// of the EVTX reader's time. The output is byte-for-byte what `KeyValueLine.join` produces.
enum KeyValueWriter {
    static func append(_ pairs: [(String, String)], to out: inout [UInt8]) {
        for (i, (name, value)) in pairs.enumerated() {
            if i > 0 { out.append(0x09) }
            out.append(contentsOf: name.utf8)
            out.append(UInt8(ascii: "="))
            appendEscaped(value, to: &out)
        }
    }

    private static func appendEscaped(_ value: String, to out: inout [UInt8]) {
        let utf8 = value.utf8
        if !utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            out.append(contentsOf: utf8)
            return
        }
        for c in utf8 {
            switch c {
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            default: out.append(c)
            }
        }
    }
}
