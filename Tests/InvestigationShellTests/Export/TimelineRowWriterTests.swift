import ExchangeEvidence
import Foundation
@testable import InvestigationShell
import Testing

/// The byte-level export writer against the String-based renderers it replaced: every event of the
/// training set must give the same CSV cells and JSON objects as `TimelineRow` with `JSONValue`/`CSVLine`.
@Suite struct TimelineRowWriterTests {
    /// The row as the String-based renderers give it, in the documented column order.
    static func expected(_ row: TimelineRow, query: String) -> [(String, JSONValue)] {
        let tags = row.mark.map { m in [m.label] + m.tags.filter { $0 != m.label } } ?? []
        return [("message", .string(row.message)), ("datetime", .string(String(Timestamp.iso(row.time).dropLast()) + "+00:00")),
                ("timestamp_desc", .string(TimelineExport.timestampDescription(row.source))), ("timestamp", .int(Int(row.time) * 1000)),
                ("server", .string(row.server)), ("source", .string(row.source)), ("channel", .string(row.channel)),
                ("event", .int(row.event)), ("file", .string(row.file)), ("line", .int(row.line)), ("sha256", .string(row.sha256)),
                ("findings", .string(row.findings.joined(separator: ","))), ("tag", .strings(tags)),
                ("mark_note", .string(row.mark?.note ?? "")), ("url_query", .string(query))]
    }

    @Test func everyTrainingRowMatchesTheStringRenderers() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        try t.run("hunt")
        try t.run("mark 398 as malicious --tag 'quote\\\"d' --note 'tab\there, comma'")
        let session = t.session, store = session.store
        let marks = CaseState.of(session).resolvedMarks(for: store)
        let findings = session.findingCitations
        let csv = TimelineRowWriter(store, marks: marks, findings: findings, csv: true)
        let json = TimelineRowWriter(store, marks: marks, findings: findings, csv: false)
        var compared = 0
        for e in 0..<store.count {
            var a = ExportBytes(), b = ExportBytes()
            let wrote = csv.append(e, to: &a)
            _ = json.append(e, to: &b)
            #expect(wrote == (store.time[e] != Timestamp.unknown))
            guard wrote else { continue }
            let fields = Self.expected(TimelineRow(e, store: store, marks: marks, findings: findings), query: store.urlQuery(of: e))
            #expect(String(decoding: b.bytes, as: UTF8.self) == JSONValue.object(fields).serialized() + "\n", "event \(e)")
            let cells = fields.map { _, v -> String in
                switch v {
                case .string(let s): CSVCell.field(s)
                case .int(let n): String(n)
                default: CSVCell.field(v.serialized())
                }
            }
            #expect(String(decoding: a.bytes, as: UTF8.self) == cells.joined(separator: ",") + "\n", "event \(e)")
            compared += 1
        }
        #expect(compared > 4000)
        // The query rides along whole.
        let long = try #require((0..<store.count).filter { store.time[$0] != Timestamp.unknown }.max { store.urlQuery(of: $0).count < store.urlQuery(of: $1).count })
        #expect(store.urlQuery(of: long).count > 40)
        var row = ExportBytes()
        _ = json.append(long, to: &row)
        let object = try JSONSerialization.jsonObject(with: Data(row.bytes)) as! [String: Any]
        #expect(object["url_query"] as? String == store.urlQuery(of: long))
    }

    @Test func messagesAsBytesEqualTheStringMessages() throws {
        let (t, _) = try TimelineCommandTests.loaded()
        let store = t.session.store
        for e in 0..<store.count {
            var bytes: [UInt8] = []
            EventMessage.append(store, e, kind: store.kind(of: e), requests: RequestColumns(store), into: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == EventMessage.build(store, e))
        }
    }

    @Test func isoTimesMatchTimestampISO() {
        var samples: [Int64] = [0, 1, 999, 1000, -1, -999, -1000, -86_400_001, 1_614_754_182_162, 253_402_300_799_999]
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            samples.append(Int64(x % 8_000_000_000_000) - 2_000_000_000_000)
        }
        for ms in samples {
            var b = ExportBytes()
            b.appendISO(ms, zulu: true)
            #expect(String(decoding: b.bytes, as: UTF8.self) == Timestamp.iso(ms), "\(ms)")
        }
    }

    /// Values 0–33 bytes long (filling words, and the tail after them) with one `odd` byte at every position;
    /// `é` and a C1 CSI are written whole where they fit.
    static func wordProbes(_ odd: [UInt8]) -> [[UInt8]] {
        var probes: [[UInt8]] = []
        for length in 0..<34 {
            for position in 0..<max(length, 1) {
                for b in odd {
                    var raw = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
                    if length > 0 { raw[position] = b }
                    if b == 0xC3 && position + 1 < length { raw[position + 1] = 0xA9 }       // é
                    if b == 0xC2 && position + 1 < length { raw[position + 1] = 0x9B }       // C1 CSI
                    probes.append(raw)
                }
            }
        }
        return probes
    }

    /// The word-at-a-time CSV cell writer against `CSVCell.field` on cells long enough to fill words, with a
    /// comma, quote, DEL, control or non-ASCII byte at every position.
    @Test func csvCellsOfEveryLengthAndOddByteMatchTheRenderer() {
        for raw in Self.wordProbes([0x2C, 0x22, 0x7F, 0x1B, 0x09, 0x00, 0xC3, 0x3D]) {
            var c = ExportBytes()
            raw.withUnsafeBytes { c.appendCSV($0) }
            #expect(String(decoding: c.bytes, as: UTF8.self) == CSVCell.field(String(decoding: raw, as: UTF8.self)), "\(raw)")
        }
    }

    /// The word-at-a-time JSON string writer against `JSONValue.quote` on values long enough to fill words, with a
    /// quote, backslash, DEL, control, C1 or non-ASCII byte (and the printable bytes beside them) at every position.
    @Test func jsonStringsOfEveryLengthAndOddByteMatchTheRenderer() {
        for raw in Self.wordProbes([0x22, 0x5C, 0x7F, 0x1B, 0x1F, 0x20, 0x7E, 0x00, 0x0A, 0xC3, 0xC2, 0xFF, 0x80]) {
            var j = ExportBytes()
            raw.withUnsafeBytes { j.appendJSON($0) }
            var expected = ""
            JSONValue.quote(String(decoding: raw, as: UTF8.self), into: &expected)
            #expect(String(decoding: j.bytes, as: UTF8.self) == expected, "\(raw)")
        }
    }

    @Test func hostileTextIsEscapedLikeTheRenderers() {
        for value in ["plain", "a,b", "say \"hi\"", "=cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "+1,\"x\"", "", "-", "esc\u{1B}[31m", "bidi\u{202E}x", "tag\u{E0041}zw\u{200B}", "c1\u{9B}", "line\nbreak", "back\\slash", "ünï"] {
            var j = ExportBytes(), c = ExportBytes()
            j.appendJSON(value)
            c.appendCSV(value)
            var expected = ""
            JSONValue.quote(value, into: &expected)
            #expect(String(decoding: j.bytes, as: UTF8.self) == expected)
            #expect(String(decoding: c.bytes, as: UTF8.self) == CSVCell.field(value))
        }
        // Invalid UTF-8 is repaired as String(decoding:) repairs it, in both formats.
        for raw: [UInt8] in [[0x61, 0xFF, 0x62], [0xE2, 0x80], [0xC2, 0x9B, 0x41], [0xED, 0xA0, 0x80], [0x22, 0xF4, 0x90, 0x80, 0x80]] {
            var j = ExportBytes(), c = ExportBytes()
            raw.withUnsafeBytes { j.appendJSON($0); c.appendCSV($0) }
            var expected = ""
            JSONValue.quote(String(decoding: raw, as: UTF8.self), into: &expected)
            #expect(String(decoding: j.bytes, as: UTF8.self) == expected, "\(raw)")
            #expect(String(decoding: c.bytes, as: UTF8.self) == CSVCell.field(String(decoding: raw, as: UTF8.self)), "\(raw)")
        }
        let document: JSONValue = .object([("a", .array([.int(-3), .null, .bool(true), .string("x\u{7F}\u{2066}")])), ("b", .object([]))])
        var d = ExportBytes()
        d.appendJSON(document)
        #expect(String(decoding: d.bytes, as: UTF8.self) == document.serialized())
        for n in [0, 7, 10, 99, -5, Int.max, Int.min + 1] {
            var b = ExportBytes()
            b.append(int: n)
            #expect(String(decoding: b.bytes, as: UTF8.self) == String(n))
        }
    }
}
