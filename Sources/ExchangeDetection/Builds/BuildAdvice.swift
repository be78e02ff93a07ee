extension BuildAssessment {
    /// What to do about the build on the assessment date, in one sentence that `check-build` and `report` both
    /// print, so the two never disagree: move to a supported product when the build's own has left extended
    /// support (an update alone no longer makes it supported), and the newest update meanwhile, saying when that
    /// update came out only for the paid programme; nil when the product is unknown, or when the CU is and the
    /// product is still supported (a build none of the catalog's CUs has: nothing to advise from it), and when the
    /// build had not come out at the date (no server ran it, so no step follows from it).
    public var advice: String? {
        guard let product, !notReleasedYet else { return nil }
        var parts: [String] = []
        let ended = migrateTo == nil ? nil : product.extendedSupportEnds
        if let ended, let to = migrateTo { parts.append("migrate to \(to): \(product.name) extended support ended \(ended)") }
        guard let level else { return parts.isEmpty ? nil : parts[0] }
        if let r = recommended {
            let what = r.update.map { "\($0) for \(r.level)" } ?? r.level
            let target = product.levels.first { $0.name == r.level }
            let update = target.flatMap { l in r.update.flatMap { l.update(named: $0) } }
            var paid = ""
            if let end = ended, let update, update.released > end, !update.publishedForAll {
                // Without the paid programme, the last update published for all is what can be installed.
                let last = target?.updates.last { $0.released <= end || $0.publishedForAll }
                paid = " (published for the paid Extended Security Update programme only"
                    + (last.map { "; the last public one is \($0.name) (\($0.build))" } ?? "") + ")"
            }
            parts.append((ended == nil ? "" : "meanwhile ") + "install \(r.changesCU ? "\(r.level), then " : "")\(what) (\(r.build))\(paid)")
        } else if ended == nil {
            parts.append("nothing newer in the catalog for \(level.name)")
        }
        return parts.joined(separator: "; ")
    }
}
