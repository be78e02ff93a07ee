/// What a build means: product, CU, installed update, support status, and per CVE whether it is fixed.
public struct BuildAssessment: Sendable {
    /// Whether a build is open to one CVE.
    public enum State: String, Sendable {
        case vulnerable, fixed
        /// The build names only the CU (`AdminDisplayVersion`) and that CU did receive a fixing
        /// update, so whether it is installed cannot be told from this build.
        case undetermined
    }

    /// One CVE of the catalog that applies to the build's product.
    public struct CVEStatus: Sendable, Hashable {
        public let cve: String
        public let state: State
        /// The update that fixes it (Health Checker name, `Mar21SU`).
        public let fixedBy: String
        /// The fixed build for this CU, or for the newest CU that received the update when this CU never did.
        public let fixBuild: ExchangeBuild
        /// The level `fixBuild` belongs to (differs from the build's CU when the CU never got the fix).
        public let fixLevel: String
        public let fixReleased: CatalogDate
        /// `ProxyLogon`, `ProxyShell`, `ProxyNotShell`, or nil.
        public let campaign: String?
    }

    /// The update to install next, as of the assessment date.
    public struct Recommendation: Sendable, Hashable {
        public let level: String
        public let update: String?
        public let build: ExchangeBuild
        /// True when it means moving to another CU first.
        public let changesCU: Bool
    }

    public let build: ExchangeBuild
    public let source: BuildSource
    public let product: BuildCatalog.Product?
    public let level: BuildCatalog.Level?
    /// The installed update, when the build is exactly one the catalog names.
    public let update: BuildCatalog.Update?
    /// True when the build is newer than every update the catalog knows for its CU.
    public let newerThanCatalog: Bool
    /// True when the product is known but the build number is none of its CUs' (nor an update's): a mistyped
    /// build, or a CU newer than the catalog. No CVE is judged, so it is never read as patched.
    public var notInCatalog: Bool { product != nil && level == nil }
    /// True when the revision is below its CU's own (a log writing 0): the CU is known, its updates are not.
    public let revisionUnlogged: Bool
    /// The date support and recommendations are judged at (ms since the epoch).
    public let at: Int64
    /// When the build came out, only when the catalog tells it exactly: its update's date (the update's own build
    /// or one it also accepts), or its CU's for the CU's own build (or an unlogged revision, judged as the CU). A
    /// build between or above the known updates (an interim or hotfix build) has no date: guessing one from the
    /// updates below it called a build the logs showed running "not released yet" (reviewer). Nil then, and when
    /// the CU is unknown.
    public let released: CatalogDate?
    /// True when a typed build had surely not come out at `at` (even a month-precision date's first day is
    /// later): no server ran it then, so no CVE is judged and nothing is advised (reviewer: `check-build
    /// 15.1.2176.9 --at 2021-01-01` listed Mar21SU's CVEs as fixed two months before Mar21SU). Never for a build
    /// the evidence shows running: what a server ran had come out, whatever the catalog's day (a 2021-03-01 23:00Z
    /// log of Mar21SU is earlier than its catalog date of 2021-03-02), and evidence beats the catalog.
    public let notReleasedYet: Bool
    /// Nil when the product is unknown.
    public let cuSupported: Bool?
    public let productSupported: Bool?
    public let cves: [CVEStatus]
    public let recommended: Recommendation?
    /// The product to move to when the build's own product is out of extended support at `at` (the newest product
    /// the catalog knows that still is): an update alone no longer makes such a server supported.
    public let migrateTo: String?

    /// `Exchange 2016 CU19 Mar21SU`, as Health Checker's FriendlyName.
    public var friendlyName: String {
        guard let product else { return "unknown Exchange build \(build)" }
        guard let level else { return "\(product.name), build \(build) not in the catalog" }
        return [product.name, level.name, update?.name].compactMap { $0 }.joined(separator: " ")
    }

    public var vulnerable: [String] { cves.filter { $0.state == .vulnerable }.map(\.cve) }
    public var fixed: [String] { cves.filter { $0.state == .fixed }.map(\.cve) }
    public var undetermined: [String] { cves.filter { $0.state == .undetermined }.map(\.cve) }

    /// The status of one CVE, if it applies to this product.
    public func status(of cve: String) -> CVEStatus? { cves.first { $0.cve == cve } }
}

extension BuildCatalog {
    /// Assesses a build the way Health Checker does (`Test-ExchangeBuildGreaterOrEqualThanSecurityPatch`):
    /// a build at or above the fixed build of the newest CU that received an update is fixed (later CUs
    /// contain the fix); otherwise it is fixed only if its own CU received the update and the build is at
    /// or above it; a CU that never received the update stays vulnerable.
    /// A build whose revision was not logged is judged as its CU with no update known: a CVE fixed by one of
    /// the CU's updates is `undetermined`, unless that update came out after `at` (the time the build was seen),
    /// when it cannot have been installed: then `vulnerable`.
    /// `typed` says the build comes from the user, not from evidence (nil: when `source` is `.typed`): only such a
    /// build can be one that had not come out yet at `at` (`notReleasedYet`).
    public func assess(_ build: ExchangeBuild, source: BuildSource = .typed, at: Int64, typed: Bool? = nil) -> BuildAssessment {
        guard let product = product(of: build) else {
            return BuildAssessment(build: build, source: source, product: nil, level: nil, update: nil,
                                   newerThanCatalog: false, revisionUnlogged: false, at: at, released: nil, notReleasedYet: false,
                                   cuSupported: nil, productSupported: nil,
                                   cves: [], recommended: nil, migrateTo: nil)
        }
        let placed = placement(of: build, in: product)
        let level = placed?.level
        let unlogged = placed?.revisionUnlogged ?? false
        let judged = unlogged ? level!.build : build
        let update = unlogged ? nil : level?.updates.last { $0.build == build || $0.alsoAccept.contains(build) }
        let newest = level?.updates.last?.build ?? level?.build
        let released = update?.released ?? level.flatMap { unlogged || $0.build == build ? $0.released : nil }
        // A typed build not out yet at `at` is judged for nothing (`notReleasedYet`).
        let notReleasedYet = (typed ?? (source == .typed)) && released.map { $0.start > at } == true
        let judgeable = level != nil && !notReleasedYet
        let productSupported = Self.supported(product, at: at)
        var cuSupported: Bool?
        if let level {
            let out = product.levels.filter { $0.released.start <= at }
            cuSupported = productSupported && out.suffix(product.supportedLevels).contains(level)
        }
        return BuildAssessment(
            build: build, source: source, product: product, level: level, update: update,
            newerThanCatalog: newest.map { build > $0 } ?? false, revisionUnlogged: unlogged, at: at, released: released,
            notReleasedYet: notReleasedYet,
            cuSupported: cuSupported, productSupported: productSupported,
            cves: judgeable ? cveStatuses(judged, product: product, level: level, cuOnly: source.isCUOnly || unlogged,
                                          seenAt: unlogged ? at : nil) : [],
            recommended: judgeable ? level.flatMap { recommend(judged, product: product, level: $0, supported: cuSupported ?? false, at: at) } : nil,
            // Only a product released by then: `--at 2021-03-10` is told of Exchange 2019, not of the Subscription
            // Edition of July 2025 (reviewer).
            migrateTo: productSupported ? nil : products.filter { Self.supported($0, at: at) && ($0.levels.first.map { $0.released.start <= at } ?? false) }.last?.name)
    }

    /// Whether `product` is in extended support at `at`: through the whole day support ends on (Microsoft's "ends on
    /// October 14, 2025" is that day's updates still shipping).
    private static func supported(_ product: Product, at: Int64) -> Bool {
        product.extendedSupportEnds.map { at < $0.start + 86_400_000 } ?? true
    }

    /// Whether `build` is at or above the fix for `updateName` (Health Checker's test); nil when no CU
    /// of the build's product received that update (the product is not affected).
    public func isFixed(_ build: ExchangeBuild, by updateName: String) -> Bool? {
        guard let product = product(of: build) else { return nil }
        let having = levels(with: updateName, in: product)
        guard let newest = having.first else { return nil }
        if build >= newest.update.build { return true }
        guard let own = level(of: build, in: product), let u = own.update(named: updateName) else { return false }
        return build >= u.build || u.alsoAccept.contains(build)
    }

    private func cveStatuses(_ build: ExchangeBuild, product: Product, level: Level?, cuOnly: Bool, seenAt: Int64?) -> [BuildAssessment.CVEStatus] {
        var out: [BuildAssessment.CVEStatus] = []
        var seen = Set<String>()
        // Oldest update first, so a CVE listed by two updates is attributed to the first fix.
        let names = fixes.keys.compactMap { name in levels(with: name, in: product).first.map { (name, $0.update.released) } }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map(\.0)
        for name in names {
            let cves = (fixes[name] ?? []).filter { $0.products.contains(product.id) }.flatMap(\.cves)
            guard !cves.isEmpty, let fixedNow = isFixed(build, by: name) else { continue }
            let own = level?.update(named: name)
            let newest = levels(with: name, in: product)[0]
            let target = own.map { (level!.name, $0) } ?? (newest.level.name, newest.update)
            var state: BuildAssessment.State = fixedNow ? .fixed : .vulnerable
            if cuOnly, !fixedNow, let own, seenAt.map({ own.released.start <= $0 }) ?? true { state = .undetermined }
            for cve in cves where seen.insert(cve).inserted {
                out.append(.init(cve: cve, state: state, fixedBy: name, fixBuild: target.1.build, fixLevel: target.0,
                                 fixReleased: target.1.released, campaign: campaign(of: cve)))
            }
        }
        return out
    }

    private func recommend(_ build: ExchangeBuild, product: Product, level: Level, supported: Bool,
                           at: Int64) -> BuildAssessment.Recommendation? {
        let releasedLevels = product.levels.filter { $0.released.start <= at }
        let target = supported ? level : (releasedLevels.last ?? level)
        let latest = target.updates.last { $0.released.surelyBy <= at }
        let goal = latest?.build ?? target.build
        guard build < goal else { return nil }
        return .init(level: target.name, update: latest?.name, build: goal, changesCU: target != level)
    }
}
