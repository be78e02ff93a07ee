import ExchangeEvidence
import Foundation

/// Reads Microsoft Threat Intelligence Center feeds: the CSV (`DateAdded,FirstSeen,Indicator,IndicatorType,TLP`)
/// and the JSON array / JSON-lines form with the same keys plus `AdditionalMetadata` (`FileMd5`, `FileSha1`).
///
/// Columns are found by name, not position, because MSTIC's other feeds reorder and rename them.
enum MSTICFeedLoader {
    static let expectedHeader = "DateAdded,FirstSeen,Indicator,IndicatorType,TLP"

    static func loadCSV(_ bytes: [UInt8], into c: inout IndicatorCollector) {
        var columns: [String: Int] = [:]
        var headerCount = 0
        var lineNo = 0
        for rawLine in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNo += 1
            var line = rawLine
            if line.last == 0x0D { line = line.dropLast() }
            if lineNo == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
            if line.isEmpty { continue }
            let fields = Array(line).withUnsafeBytes { CSVLine.split($0) }
            if headerCount == 0 {
                for (i, name) in fields.enumerated() { columns[name.trimmingASCIIWhitespace().lowercased()] = i }
                headerCount = fields.count
                let missing = ["Indicator", "IndicatorType"].filter { columns[$0.lowercased()] == nil }
                if !missing.isEmpty {
                    c.problem(lineNo, "missing column(s) \(missing.joined(separator: ", ")) in header; expected \(expectedHeader)")
                    return
                }
                let optional = ["DateAdded", "FirstSeen"].filter { columns[$0.lowercased()] == nil }
                if !optional.isEmpty { c.problem(lineNo, "no \(optional.joined(separator: ", ")) column; loading without it") }
                continue
            }
            func field(_ name: String) -> String? {
                guard let i = columns[name.lowercased()], i < fields.count else { return nil }
                return fields[i].trimmingASCIIWhitespace()
            }
            guard let value = field("Indicator"), let typeName = field("IndicatorType") else {
                c.problem(lineNo, "row has \(fields.count) fields, header has \(headerCount)")
                continue
            }
            if fields.count != headerCount {
                c.problem(lineNo, "row has \(fields.count) fields, header has \(headerCount); read by column name")
            }
            add(value: value, typeName: typeName, dateAdded: field("DateAdded") ?? "", firstSeen: field("FirstSeen") ?? "",
                tlp: field("TLP") ?? "", line: lineNo, into: &c)
        }
        if headerCount == 0 { c.problem(nil, "empty file; expected the header \(expectedHeader)") }
    }

    static func loadJSON(_ bytes: [UInt8], into c: inout IndicatorCollector) {
        let locator = LineLocator(bytes)
        var elements: [Range<Int>]
        if let first = bytes.firstIndex(where: { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "{") }),
           bytes[first] == UInt8(ascii: "[") {
            elements = JSONElements.elements(of: bytes, arrayAt: first)
        } else {
            // JSON lines: one object a line.
            elements = []
            var start = 0
            for (i, b) in bytes.enumerated() where b == 0x0A {
                if i > start { elements.append(start..<i) }
                start = i + 1
            }
            if start < bytes.count { elements.append(start..<bytes.count) }
            elements = elements.filter { r in bytes[r].contains { ![0x20, 0x09, 0x0D].contains($0) } }
        }
        for r in elements {
            let line = locator.line(at: r.lowerBound)
            switch JSONElements.parse(bytes[r], baseOffset: r.lowerBound, locator: locator) {
            case .failure(let p):
                c.problem(p.line, p.message)
            case .success(let obj):
                guard let o = obj as? [String: Any] else {
                    c.problem(line, "feed row is not a JSON object")
                    continue
                }
                guard let value = o["Indicator"] as? String, let typeName = o["IndicatorType"] as? String else {
                    c.problem(line, "feed row without Indicator or IndicatorType")
                    continue
                }
                let dateAdded = o["DateAdded"] as? String ?? ""
                add(value: value, typeName: typeName, dateAdded: dateAdded, firstSeen: o["FirstSeen"] as? String ?? "",
                    tlp: o["TLP"] as? String ?? "", line: line, into: &c)
                if let meta = o["AdditionalMetadata"] as? [String: Any] {
                    for key in ["FileMd5", "FileSha1"] {
                        if let h = meta[key] as? String, !h.isEmpty {
                            c.add(.hash, h, line: line, date: dateAdded, note: "\(key) of \(value)")
                        }
                    }
                }
            }
        }
    }

    private static func add(value: String, typeName: String, dateAdded: String, firstSeen: String, tlp: String, line: Int,
                            into c: inout IndicatorCollector) {
        guard let type = IndicatorType(name: typeName) else {
            c.problem(line, "unknown IndicatorType '\(typeName)'")
            return
        }
        var note = firstSeen.isEmpty ? "" : "first seen \(firstSeen)"
        if !tlp.isEmpty { note += (note.isEmpty ? "" : ", ") + "TLP:\(tlp.uppercased())" }
        c.add(type, value, line: line, date: dateAdded, note: note)
    }
}
