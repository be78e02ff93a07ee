import Foundation

/// The indicator sets shipped with exhunt, read from `Resources/iocs` (listed in `sets.tsv`).
///
/// They are data, not code, so that a published update is a file change: each file is read with the same
/// loaders as an analyst's files (the MSTIC feed is shipped verbatim as MSTIC published it).
public enum BuiltinIndicatorSets {
    /// The names of the built-in sets, in manifest order (for completion; reads only the manifest).
    public static var names: [String] {
        guard let manifest = try? DetectionData.data("iocs/sets.tsv") else { return [] }
        var out: [String] = []
        for line in String(decoding: manifest, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("set\t") {
            let name = String(line.prefix { $0 != "\t" })
            if !out.contains(name) { out.append(name) }
        }
        return out
    }

    /// Loads every built-in set. Problems would mean a broken data file; they are returned so tests catch them.
    public static func load() -> (sets: [IndicatorSet], problems: [IOCLoadProblem]) {
        guard let manifest = try? DetectionData.data("iocs/sets.tsv") else {
            return ([], [IOCLoadProblem(file: "Resources/iocs/sets.tsv", line: nil, message: "built-in indicator data missing")])
        }
        var order: [String] = []
        var sets: [String: IndicatorSet] = [:]
        var problems: [IOCLoadProblem] = []
        for line in String(decoding: manifest, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("#") || line.hasPrefix("set\t") { continue }
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count >= 2 else { continue }
            let name = cols[0], file = cols[1], provenance = cols.count > 2 ? cols[2] : ""
            guard let data = try? DetectionData.data("iocs/" + file) else {
                problems.append(IOCLoadProblem(file: file, line: nil, message: "built-in indicator file missing"))
                continue
            }
            let r = IndicatorFileLoader.load(bytes: [UInt8](data), file: file, setName: name, provenance: provenance,
                                             source: "\(name) (\(file))", builtIn: true)
            problems += r.problems
            if var existing = sets[name] {
                for i in r.set.indicators { existing.append(i) }
                sets[name] = existing
            } else {
                order.append(name)
                sets[name] = r.set
            }
        }
        return (order.compactMap { sets[$0] }, problems)
    }
}
