extension RuleCoverage {
    /// `families` with those of one kind bound to channels (the event-log rules: Application, Sysmon or Security,
    /// the cmdlet log) said as one family of the kind when they share a gap that is the kind's, not a channel's:
    /// all ran on part of the period in the same way ("event logs start … and end …" over the widest period, once
    /// rather than a line per channel), or none could run and no evidence of the kind is loaded on the server
    /// ("event logs not loaded": collect them all). Other families are kept as they are; `all` are the server's.
    static func mergingByKind(_ families: [Family], all: [Family]) -> [Family] {
        func signature(_ f: Family) -> String? {
            guard !f.need.channels.isEmpty, !f.gaps.isEmpty else { return nil }
            let kinds = f.need.kinds.map(\.rawValue).sorted().joined(separator: ",")
            if f.gaps == [.notLoaded] {
                let kindLoaded = all.contains { !$0.loaded.isEmpty && !Set($0.loaded).isDisjoint(with: f.need.kinds) }
                return kindLoaded ? nil : kinds + ":not-loaded"
            }
            guard f.couldRun else { return nil }
            let gaps = f.gaps.map { g -> String? in
                switch g {
                case .startsAfterCampaign: "start"
                case .endsBeforePatch: "end"
                default: nil
                }
            }
            guard gaps.allSatisfy({ $0 != nil }) else { return nil }
            return kinds + ":" + gaps.compactMap { $0 }.joined(separator: ",")
        }
        var order: [String] = [], groups: [String: [Family]] = [:], out: [Family] = []
        for f in families {
            guard let key = signature(f) else { out.append(f); continue }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(f)
        }
        for key in order {
            let group = groups[key]!
            guard group.count > 1 else { out += group; continue }
            out.append(Family(server: group[0].server, need: .reading(group[0].need.kinds), rules: group.flatMap(\.rules),
                              files: group.reduce(0) { $0 + $1.files }, loaded: Set(group.flatMap(\.loaded)),
                              first: group.map(\.first).min()!, last: group.map(\.last).max()!, gaps: group[0].gaps))
        }
        return out
    }
}
