@testable import ExchangeEvidence
import Testing

/// The fallback parser on hand-built template-less records (the form WEC writes), with the tokens the
/// WEC fixture does not use: entity and character references, CDATA, a self-closing element.
@Suite struct InlineBinXMLTests {
    /// Writes one EVTX file holding one chunk with one record of inline binary XML.
    struct Builder {
        var chunk = [UInt8](repeating: 0, count: 65536)
        var pos = 512 + 24
        var names: [String: Int] = [:]

        mutating func u8(_ v: UInt8) { chunk[pos] = v; pos += 1 }
        mutating func u16(_ v: Int) { u8(UInt8(v & 0xFF)); u8(UInt8(v >> 8 & 0xFF)) }
        mutating func u32(_ v: Int) { u16(v & 0xFFFF); u16(v >> 16 & 0xFFFF) }
        mutating func chars(_ s: String) { for c in s.utf16 { u16(Int(c)) } }
        /// A name reference: inline the first time, a back-reference afterwards.
        mutating func name(_ s: String) {
            if let off = names[s] { u32(off); return }
            names[s] = pos + 4
            u32(pos + 4); u32(0); u16(0); u16(s.utf16.count); chars(s); u16(0)
        }
        mutating func open(_ n: String, attrs: [(String, String)] = []) {
            u8(attrs.isEmpty ? 0x01 : 0x41); u32(0); name(n)
            if !attrs.isEmpty { u32(0) }
            for (k, (a, v)) in attrs.enumerated() { u8(k < attrs.count - 1 ? 0x46 : 0x06); name(a); value(v) }
        }
        mutating func value(_ s: String) { u8(0x05); u8(0x01); u16(s.utf16.count); chars(s) }
        mutating func element(_ n: String, _ text: String) { open(n); u8(0x02); value(text); u8(0x04) }

        func file() -> [UInt8] {
            var c = chunk
            let size = pos + 4 - 512
            c.replaceSubrange(0..<8, with: Array("ElfChnk\0".utf8))
            func put(_ v: Int, _ at: Int, _ n: Int) { for k in 0..<n { c[at + k] = UInt8(v >> (8 * k) & 0xFF) } }
            put(0x2A2A, 512, 4); put(size, 516, 4); put(7, 520, 8); put(0, 528, 8); put(size, pos, 4)
            var header = [UInt8](repeating: 0, count: 4096)
            header.replaceSubrange(0..<8, with: Array("ElfFile\0".utf8))
            return header + c
        }
    }

    static func forwardedRecord(templated: Bool = false, cut: Bool = false) -> [UInt8] {
        var b = Builder()
        b.u8(0x0F); b.u8(1); b.u8(1); b.u8(0)
        if templated { b.u8(0x0C) }
        b.open("Event", attrs: [("xmlns", "http://schemas.microsoft.com/win/2004/08/events/event")]); b.u8(0x02)
        b.open("System"); b.u8(0x02)
        b.open("Provider", attrs: [("Name", "MSExchange CmdletLogs")]); b.u8(0x03)
        b.element("EventID", "1")
        b.element("Level", "4")
        b.open("TimeCreated", attrs: [("SystemTime", "2021-03-03T06:49:53.9000000Z")]); b.u8(0x03)
        b.element("EventRecordID", "5120")
        b.element("Channel", "ForwardedEvents")
        b.element("Computer", "EX01.contoso.local")
        b.u8(0x04)
        b.open("EventData"); b.u8(0x02)
        b.element("Data", "Set-OabVirtualDirectory")
        b.open("Data"); b.u8(0x02); b.value("a"); b.u8(0x09); b.name("amp"); b.value("b"); b.u8(0x04)
        b.open("Data"); b.u8(0x02); b.value("x "); b.u8(0x08); b.u16(60); b.value(" y"); b.u8(0x04)
        b.open("Data"); b.u8(0x02); b.u8(0x07); b.u16(8); b.chars("<script>"); b.u8(0x04)
        if !cut { b.u8(0x04); b.u8(0x04) }
        b.u8(0x00)
        return b.file()
    }

    @Test func readsAnInlineRecord() throws {
        let file = Self.forwardedRecord()
        try file.withUnsafeBytes { b in
            let records = EvtxRecordWalker.records(b)
            #expect(records.count == 1)
            #expect(records.first?.identifier == 7)
            let (ev, time) = try #require(EvtxRecordWalker.inlineEvent(b, records[0]))
            #expect(Timestamp.iso(time) == "2021-03-03T06:49:53.900Z")
            #expect(ev.provider == "MSExchange CmdletLogs")
            #expect(ev.eventID == "1")
            #expect(ev.recordID == "5120")
            #expect(ev.channel == "ForwardedEvents")
            #expect(ev.computer == "EX01.contoso.local")
            #expect(ev.data.map(\.value) == ["Set-OabVirtualDirectory", "a&b", "x < y", "<script>"])
            #expect(ev.data.allSatisfy { $0.name == nil })
        }
    }

    @Test func templatedOrDamagedRecordsAreNotRead() {
        let templated = Self.forwardedRecord(templated: true)
        templated.withUnsafeBytes { b in
            #expect(EvtxRecordWalker.inlineEvent(b, EvtxRecordWalker.records(b)[0]) == nil)
        }
        // Cut short: the document ends with elements still open.
        Self.forwardedRecord(cut: true).withUnsafeBytes { b in
            #expect(EvtxRecordWalker.inlineEvent(b, EvtxRecordWalker.records(b)[0]) == nil)
        }
    }
}
