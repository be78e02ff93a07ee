import ExchangeEvidence
import Foundation

/// The indicator file formats exhunt reads.
public enum IndicatorFileFormat: String, Sendable, CaseIterable {
    case stix = "STIX 2.1"
    case msticCSV = "MSTIC feed CSV"
    case msticJSON = "MSTIC feed JSON"
    case misp = "MISP event"
    case table = "exhunt table"
    case plain = "plain list"
}

/// Loads an indicator file of any supported format into a named set, choosing the reader by content.
public enum IndicatorFileLoader {
    /// Reads `path` from disk. A file that cannot be read gives an empty set and one problem.
    public static func load(path: String, setName: String? = nil) -> IOCLoadResult {
        let display = (path as NSString).lastPathComponent
        let name = setName ?? (display as NSString).deletingPathExtension
        guard let data = FileManager.default.contents(atPath: path) else {
            let set = IndicatorSet(name: name, provenance: path)
            return IOCLoadResult(set: set, format: .plain,
                                 problems: [IOCLoadProblem(file: path, line: nil, message: "cannot read file")], problemCount: 1)
        }
        return load(bytes: [UInt8](data), file: display, setName: name, provenance: "loaded from \(path)")
    }

    /// Loads indicator text already in memory. `file` names it in problems; `source` defaults to the file name.
    /// UTF-16 files (PowerShell's `Out-File`) and byte-order marks are decoded first; binary files are refused.
    public static func load(bytes raw: [UInt8], file: String, setName: String, provenance: String,
                            source: String? = nil, builtIn: Bool = false) -> IOCLoadResult {
        var c = IndicatorCollector(file: file, setName: setName, provenance: provenance, source: source ?? file)
        c.set.builtIn = builtIn
        let decoded = raw.isEmpty ? nil : TextDecoding.decode(raw)
        if decoded?.isBinary == true {
            c.problem(nil, "binary data, not an indicator file")
            return c.result(.plain)
        }
        let bytes = decoded?.bytes ?? raw
        let format = detect(bytes)
        switch format {
        case .stix: STIXBundleLoader.load(bytes, into: &c)
        case .msticCSV: MSTICFeedLoader.loadCSV(bytes, into: &c)
        case .msticJSON: MSTICFeedLoader.loadJSON(bytes, into: &c)
        case .misp: MISPEventLoader.load(bytes, into: &c)
        case .table: PlainListLoader.loadTable(bytes, into: &c)
        case .plain: PlainListLoader.loadPlain(bytes, into: &c)
        }
        return c.result(format)
    }

    /// Tells the formats apart by their first bytes: JSON by its keys, CSV by the MSTIC header, tables by theirs.
    public static func detect(_ bytes: [UInt8]) -> IndicatorFileFormat {
        var i = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        let head = String(decoding: bytes[i..<min(bytes.count, i + 65536)], as: UTF8.self)
        if i < bytes.count, bytes[i] == UInt8(ascii: "{") || bytes[i] == UInt8(ascii: "[") {
            let compact = head.replacingOccurrences(of: " ", with: "")
            if compact.contains("\"Event\":") || compact.contains("\"response\":") { return .misp }
            if compact.contains("\"IndicatorType\":") { return .msticJSON }
            return .stix
        }
        let firstLine = head.prefix { $0 != "\n" && $0 != "\r\n" }.lowercased()
        if firstLine.contains(","), firstLine.contains("indicatortype") || firstLine.hasPrefix("dateadded,") { return .msticCSV }
        if PlainListLoader.isTable(Array(bytes.prefix(65536))) { return .table }
        return .plain
    }
}
