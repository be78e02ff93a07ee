import ExchangeEvidence

/// The fields of one event as a case-insensitive dictionary, split once, for rules that read several.
struct EventFields {
    let pairs: [(name: String, value: String)]
    private let index: [String: Int]

    init(_ store: EventStore, _ id: EventID) {
        pairs = store.fields(of: id)
        var idx: [String: Int] = [:]
        for (i, p) in pairs.enumerated() where idx[p.name.lowercased()] == nil { idx[p.name.lowercased()] = i }
        index = idx
    }

    subscript(_ name: String) -> String? { index[name.lowercased()].map { pairs[$0].value } }

    var values: [String] { pairs.map(\.value) }

    /// Level 2, however the reader spelled it (`2`, `Error`).
    var isError: Bool {
        guard let l = self["Level"]?.lowercased() else { return false }
        return l == "2" || l == "error"
    }
}

extension String {
    /// Collapses line breaks and shortens, for a one-line summary (escaping stays the renderer's job).
    func oneLine(_ limit: Int) -> String {
        // Plain ASCII without line breaks or tabs (most values): one character per byte, nothing to collapse.
        if utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return utf8.count > limit ? String(decoding: utf8.prefix(limit), as: UTF8.self) + "…" : self
        }
        let flat = self.split(whereSeparator: { $0.isNewline || $0 == "\t" }).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }

    /// The text in quotes for a summary: `'…'`, which reports show as code, or `"…"` when the text holds a `'` of
    /// its own (a .NET message naming its types: `type 'System.Windows.Data.ObjectDataProvider'`), whose quotes
    /// would pair with the summary's and cut the code in the wrong places (reviewer).
    var quotedForSummary: String { contains("'") && !contains("\"") ? "\"" + self + "\"" : "'" + self + "'" }
}
