/// A fallback for EVTX records libevtx 20181227 cannot parse: records whose binary XML carries every
/// name and value inline, with no template — what Windows Event Forwarding writes into `ForwardedEvents`
/// (the collector stores the rendered event, values as text). libevtx fails them as a whole
/// (`invalid binary XML token - unsupported type: 0x05`), which would leave a forwarded log empty.
///
/// Only that inline form is handled: elements, attributes, string values, character and entity references,
/// CDATA. Anything else (a template instance, substitutions, non-string values) returns nil, so templated
/// records are never misread here. The result is XML text for `EventXMLScanner`, so the event renders
/// exactly like one libevtx read.
enum InlineBinXML {
    /// The record's binary XML as XML text, or nil when it is not a complete inline document.
    /// `chunk` is the 64 KiB chunk (names are referenced by chunk offset); the XML spans `start..<end`.
    static func xml(chunk c: UnsafeRawBufferPointer, start: Int, end: Int) -> [UInt8]? {
        var p = start
        var out: [UInt8] = []
        out.reserveCapacity((end - start) / 2)
        var stack: [[UInt8]] = []
        guard end <= c.count, p + 4 <= end, c[p] == 0x0F else { return nil }
        p += 4
        while p < end {
            let token = c[p]
            switch token & 0xBF {
            case 0x00:
                return stack.isEmpty && !out.isEmpty ? out : nil
            case 0x0F:
                p += 4
            case 0x01:
                guard p + 9 <= end else { return nil }
                let nameOffset = Int(c.loadUnaligned(fromByteOffset: p + 5, as: UInt32.self))
                p += 9
                guard let name = self.name(c, at: nameOffset, cursor: &p) else { return nil }
                if token & 0x40 != 0 { p += 4 }
                out.append(UInt8(ascii: "<"))
                out.append(contentsOf: name)
                stack.append(name)
            case 0x06:
                guard p + 5 <= end else { return nil }
                let nameOffset = Int(c.loadUnaligned(fromByteOffset: p + 1, as: UInt32.self))
                p += 5
                guard let name = self.name(c, at: nameOffset, cursor: &p), p < end, c[p] & 0xBF == 0x05,
                      let value = self.value(c, &p, end)
                else { return nil }
                out.append(0x20)
                out.append(contentsOf: name)
                out.append(contentsOf: Array("=\"".utf8))
                escape(value, into: &out)
                out.append(UInt8(ascii: "\""))
            case 0x02:
                out.append(UInt8(ascii: ">"))
                p += 1
            case 0x03:
                guard !stack.isEmpty else { return nil }
                stack.removeLast()
                out.append(contentsOf: Array("/>".utf8))
                p += 1
            case 0x04:
                guard let name = stack.popLast() else { return nil }
                out.append(contentsOf: Array("</".utf8))
                out.append(contentsOf: name)
                out.append(UInt8(ascii: ">"))
                p += 1
            case 0x05:
                guard let value = self.value(c, &p, end) else { return nil }
                escape(value, into: &out)
            case 0x07:
                guard p + 3 <= end else { return nil }
                let n = Int(c.loadUnaligned(fromByteOffset: p + 1, as: UInt16.self))
                p += 3
                guard let text = utf16(c, p, n, end) else { return nil }
                p += n * 2
                escape(text, into: &out)
            case 0x08:
                guard p + 3 <= end else { return nil }
                let v = c.loadUnaligned(fromByteOffset: p + 1, as: UInt16.self)
                out.append(contentsOf: Array("&#\(v);".utf8))
                p += 3
            case 0x09:
                guard p + 5 <= end else { return nil }
                let nameOffset = Int(c.loadUnaligned(fromByteOffset: p + 1, as: UInt32.self))
                p += 5
                guard let name = self.name(c, at: nameOffset, cursor: &p) else { return nil }
                out.append(UInt8(ascii: "&"))
                out.append(contentsOf: name)
                out.append(UInt8(ascii: ";"))
            default:
                return nil
            }
        }
        return nil
    }

    /// A name structure at a chunk offset (next-offset u32, hash u16, length u16, UTF-16, NUL). When it sits
    /// at the cursor it is inline and the cursor moves past it; otherwise it is a reference to an earlier one.
    private static func name(_ c: UnsafeRawBufferPointer, at offset: Int, cursor: inout Int) -> [UInt8]? {
        guard offset >= 0, offset + 8 <= c.count else { return nil }
        let n = Int(c.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self))
        guard n > 0, let s = utf16(c, offset + 8, n, c.count) else { return nil }
        if offset == cursor { cursor = offset + 8 + n * 2 + 2 }
        let bytes = Array(s.utf8)
        // A name must be usable as an XML name: no markup characters.
        guard !bytes.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
            || $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") })
        else { return nil }
        return bytes
    }

    /// A value token holding a string (type 0x01): token, type, length u16, UTF-16.
    private static func value(_ c: UnsafeRawBufferPointer, _ p: inout Int, _ end: Int) -> String? {
        guard p + 4 <= end, c[p + 1] == 0x01 else { return nil }
        let n = Int(c.loadUnaligned(fromByteOffset: p + 2, as: UInt16.self))
        guard let s = utf16(c, p + 4, n, end) else { return nil }
        p += 4 + n * 2
        return s
    }

    private static func utf16(_ c: UnsafeRawBufferPointer, _ at: Int, _ n: Int, _ end: Int) -> String? {
        guard at + n * 2 <= end else { return nil }
        var units = [UInt16]()
        units.reserveCapacity(n)
        for k in 0..<n { units.append(c.loadUnaligned(fromByteOffset: at + 2 * k, as: UInt16.self)) }
        return String(decoding: units, as: UTF16.self)
    }

    private static func escape(_ s: String, into out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "&"): out.append(contentsOf: Array("&amp;".utf8))
            case UInt8(ascii: "<"): out.append(contentsOf: Array("&lt;".utf8))
            case UInt8(ascii: ">"): out.append(contentsOf: Array("&gt;".utf8))
            case UInt8(ascii: "\""): out.append(contentsOf: Array("&quot;".utf8))
            default: out.append(b)
            }
        }
    }
}

/// The records of an EVTX file in physical order (chunk by chunk), found by their headers — the order in
/// which libevtx numbers them — so a record libevtx failed can be located for `InlineBinXML`.
enum EvtxRecordWalker {
    struct Record {
        var chunk: Int      // byte offset of the chunk in the file
        var offset: Int     // byte offset of the record in the chunk
        var size: Int
        var identifier: UInt64
        var writtenTime: UInt64
    }

    static let chunkSize = 65536

    static func records(_ file: UnsafeRawBufferPointer) -> [Record] {
        var out: [Record] = []
        var chunk = 4096
        while chunk + chunkSize <= file.count {
            defer { chunk += chunkSize }
            guard EventXMLScanner.has(file, chunk, "ElfChnk\0") else { continue }
            var off = 512
            while off + 28 <= chunkSize {
                let at = chunk + off
                guard file.loadUnaligned(fromByteOffset: at, as: UInt32.self) == 0x2A2A else { break }
                let size = Int(file.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self))
                guard size >= 28, off + size <= chunkSize,
                      Int(file.loadUnaligned(fromByteOffset: at + size - 4, as: UInt32.self)) == size
                else { break }
                out.append(Record(chunk: chunk, offset: off, size: size,
                                  identifier: file.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self),
                                  writtenTime: file.loadUnaligned(fromByteOffset: at + 16, as: UInt64.self)))
                off += size
            }
        }
        return out
    }

    /// The record's event read by `InlineBinXML`, or nil when it is not in the inline form.
    static func inlineEvent(_ file: UnsafeRawBufferPointer, _ r: Record) -> (WindowsEvent, Int64)? {
        let chunk = UnsafeRawBufferPointer(rebasing: file[r.chunk..<(r.chunk + chunkSize)])
        guard let xml = InlineBinXML.xml(chunk: chunk, start: r.offset + 24, end: r.offset + r.size - 4) else { return nil }
        var ev = xml.withUnsafeBytes { EventXMLScanner.scan($0) }
        guard ev.hasSystem else { return nil }
        if ev.recordID.isEmpty { ev.recordID = String(r.identifier) }
        var time = ev.time
        if time == Timestamp.unknown, r.writtenTime != 0 {
            time = Int64(r.writtenTime / 10_000) - 11_644_473_600_000
        }
        return (ev, time)
    }
}
