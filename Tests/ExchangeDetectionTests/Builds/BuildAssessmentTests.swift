import ExchangeEvidence
import Testing
@testable import ExchangeDetection

/// Boundaries per product and CU: the last vulnerable and the first fixed build for each update that matters.
@Suite struct BuildAssessmentTests {
    let catalog: BuildCatalog
    let now = Timestamp.parse("2026-11-30T00:00:00Z")!
    init() throws { catalog = try BuildCatalog.bundled() }

    func b(_ s: String) -> ExchangeBuild { ExchangeBuild(dotted: s)! }

    func state(_ build: String, _ cve: String, source: BuildSource = .exSetup) -> BuildAssessment.State? {
        catalog.assess(b(build), source: source, at: now).status(of: cve)?.state
    }

    /// (CU fixed build, the build just below it) for Mar21SU, per product and CU.
    static let march2021: [String] = [
        "15.0.847.64", "15.0.1395.12", "15.0.1473.6", "15.0.1497.12",
        "15.1.1415.8", "15.1.1466.13", "15.1.1531.12", "15.1.1591.18", "15.1.1713.10", "15.1.1779.8", "15.1.1847.12",
        "15.1.1913.12", "15.1.1979.8", "15.1.2044.13", "15.1.2106.13", "15.1.2176.9",
        "15.2.221.18", "15.2.330.11", "15.2.397.11", "15.2.464.15", "15.2.529.13", "15.2.595.8", "15.2.659.12",
        "15.2.721.13", "15.2.792.10",
    ]

    @Test(arguments: march2021)
    func proxyLogonBoundaryPerCU(_ fixed: String) {
        let f = b(fixed)
        let below = ExchangeBuild(f.major, f.minor, f.build, f.revision - 1)
        for cve in ["CVE-2021-26855", "CVE-2021-26857", "CVE-2021-26858", "CVE-2021-27065"] {
            #expect(state(fixed, cve) == .fixed, "\(fixed) \(cve)")
            #expect(state(below.description, cve) == .vulnerable, "\(below) \(cve)")
        }
        #expect(catalog.assess(f, at: now).update?.name == "Mar21SU")
    }

    @Test(arguments: [
        ("Apr21SU", "CVE-2021-34473", ["15.0.1497.15", "15.1.2176.12", "15.1.2242.8", "15.2.792.13", "15.2.858.10"]),
        ("Apr21SU", "CVE-2021-34523", ["15.0.1497.15", "15.1.2176.12", "15.1.2242.8", "15.2.792.13", "15.2.858.10"]),
        ("May21SU", "CVE-2021-31207", ["15.0.1497.18", "15.1.2176.14", "15.1.2242.10", "15.2.792.15", "15.2.858.12"]),
        ("Nov22SU", "CVE-2022-41040", ["15.0.1497.44", "15.1.2375.37", "15.1.2507.16", "15.2.986.36", "15.2.1118.20"]),
        ("Nov22SU", "CVE-2022-41082", ["15.0.1497.44", "15.1.2375.37", "15.1.2507.16", "15.2.986.36", "15.2.1118.20"]),
    ])
    func laterUpdateBoundaries(_ update: String, _ cve: String, _ fixedBuilds: [String]) {
        for fixed in fixedBuilds {
            let f = b(fixed)
            let below = ExchangeBuild(f.major, f.minor, f.build, f.revision - 1)
            #expect(state(fixed, cve) == .fixed, "\(fixed) \(cve)")
            #expect(state(below.description, cve) == .vulnerable, "\(below) \(cve)")
            #expect(catalog.assess(f, at: now).update?.name == update)
            #expect(catalog.assess(below, at: now).status(of: cve)?.fixedBy == update)
        }
    }

    /// The build just below another one.
    func below(_ x: ExchangeBuild) -> ExchangeBuild {
        x.revision > 0 ? ExchangeBuild(x.major, x.minor, x.build, x.revision - 1) : ExchangeBuild(x.major, x.minor, x.build - 1, 9999)
    }

    @Test func everyUpdateOfEveryCUIsItsOwnBoundary() {
        var checked = 0
        for product in catalog.products {
            for level in product.levels {
                for update in level.updates {
                    #expect(catalog.isFixed(update.build, by: update.name) == true, "\(product.name) \(level.name) \(update.name)")
                    for other in update.alsoAccept {
                        #expect(catalog.isFixed(other, by: update.name) == true, "\(product.name) \(level.name) \(update.name) \(other)")
                    }
                    #expect(catalog.isFixed(below(update.build), by: update.name) == false, "\(product.name) \(level.name) below \(update.name)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 299)
    }

    @Test func cuThatNeverGotTheFixStaysVulnerable() {
        // 2016 CU7 got no Mar21SU, and no build of it reaches the newest CU's fix.
        #expect(state("15.1.1261.39", "CVE-2021-26855") == .vulnerable)
        let s = catalog.assess(b("15.1.1261.39"), at: now).status(of: "CVE-2021-26855")!
        #expect(s.fixLevel == "CU19")
        #expect(s.fixBuild == b("15.1.2176.9"))
        // 2016 CU18 got Mar21SU but never Apr21SU: even its newest build is open to ProxyShell.
        #expect(state("15.1.2106.13", "CVE-2021-34473") == .vulnerable)
        // 2013 CU22 never got Nov22SU.
        #expect(state("15.0.1473.6", "CVE-2022-41082") == .vulnerable)
    }

    @Test func laterCUContainsTheFix() {
        #expect(state("15.1.2242.4", "CVE-2021-26855") == .fixed)   // 2016 CU20 RTM
        #expect(state("15.2.858.5", "CVE-2021-26855") == .fixed)    // 2019 CU9 RTM
        #expect(state("15.2.922.7", "CVE-2021-31207") == .fixed)    // 2019 CU10 RTM
        #expect(state("15.2.1258.12", "CVE-2022-41040") == .fixed)  // 2019 CU13 RTM
        #expect(state("15.1.2308.8", "CVE-2021-34473") == .fixed)   // 2016 CU21 RTM
    }

    @Test func cu8AndCu9AcceptBothPublishedMarchBuilds() {
        for build in ["15.1.1415.8", "15.1.1415.10", "15.1.1466.13", "15.1.1466.16"] {
            #expect(state(build, "CVE-2021-26855") == .fixed, "\(build)")
            #expect(catalog.assess(b(build), at: now).update?.name == "Mar21SU", "\(build)")
        }
    }

    @Test func exchange2010RollupThirtyTwo() {
        let ru32 = catalog.assess(b("14.3.513.0"), at: now)
        #expect(ru32.product?.id == "Exchange2010")
        #expect(ru32.friendlyName == "Exchange 2010 SP3 RU32")
        #expect(ru32.fixed == ["CVE-2021-26857"])
        #expect(ru32.vulnerable.isEmpty)
        #expect(ru32.status(of: "CVE-2021-26855") == nil)  // no CAS proxy on 2010
        #expect(ru32.productSupported == false)
        let ru31 = catalog.assess(b("14.3.509.0"), at: now)
        #expect(ru31.vulnerable == ["CVE-2021-26857"])
        #expect(ru31.status(of: "CVE-2021-26857")?.fixedBy == "RU32")
    }

    @Test func namesProductCUAndUpdate() {
        #expect(catalog.assess(b("15.1.2176.9"), at: now).friendlyName == "Exchange 2016 CU19 Mar21SU")
        #expect(catalog.assess(b("15.1.2176.2"), at: now).friendlyName == "Exchange 2016 CU19")
        #expect(catalog.assess(b("15.2.1118.20"), at: now).friendlyName == "Exchange 2019 CU12 Nov22SU")
        #expect(catalog.assess(b("15.1.2507.39"), at: now).friendlyName == "Exchange 2016 CU23 Apr24HU")
        #expect(catalog.assess(b("15.1.2507.44"), at: now).friendlyName == "Exchange 2016 CU23 Nov24SUv2")
        #expect(catalog.assess(b("15.2.1118.37"), at: now).friendlyName == "Exchange 2019 CU12 Aug23SUv2")
        #expect(catalog.assess(b("15.2.2562.17"), at: now).friendlyName == "Exchange Server Subscription Edition RTM")
        #expect(catalog.assess(b("15.2.2562.17"), at: now).product?.id == "ExchangeSE")
        #expect(catalog.assess(b("15.2.1748.10"), at: now).product?.id == "Exchange2019")
        #expect(catalog.assess(b("15.0.847.64"), at: now).friendlyName == "Exchange 2013 CU4 Mar21SU")
        #expect(catalog.assess(b("8.3.517.0"), at: now).product == nil)
    }

    @Test func displayNameWithoutBuildIsFoundByKB() {
        #expect(catalog.build(forDisplayName: "Security Update for Exchange Server 2019 Cumulative Update 8 (KB5000871)")?.build == b("15.2.792.10"))
        #expect(catalog.build(forDisplayName: "Security Update for Exchange Server 2016 CU19 (KB5001779)")?.build == b("15.1.2176.12"))
        #expect(catalog.build(forDisplayName: "Security Update for Exchange Server 2016 CU18 (KB5001779)") == nil)  // CU18 got no Apr21SU
        #expect(catalog.build(forDisplayName: "Security Update for Exchange Server 2016 CU19 (KB1234567)") == nil)
    }

    /// Logs that do not record the revision write 0 (`15,0,1395,0`): that is the CU's own number, not "newer
    /// than the previous CU", and which update is installed cannot be told, unless it came out later.
    @Test func revisionZeroIsTheCUWithItsUpdatesUnknown() {
        let a = catalog.assess(b("15.1.2176.0"), source: .logRequests, at: now)
        #expect(a.level?.name == "CU19" && a.revisionUnlogged && a.update == nil && !a.newerThanCatalog)
        #expect(a.status(of: "CVE-2021-26855")?.state == .undetermined)
        #expect(a.status(of: "CVE-2020-0688")?.state == .fixed, "fixed before CU19 was built")
        let feb = catalog.assess(b("15.1.2176.0"), source: .logRequests, at: Timestamp.parse("2021-02-26T03:00:00Z")!)
        #expect(feb.status(of: "CVE-2021-26855")?.state == .vulnerable, "Mar21SU was not out yet")
        #expect(catalog.assess(b("15.0.1395.0"), source: .logRequests, at: now).level?.name == "CU21")
        // Near miss: a logged revision between the CU and its first update is judged as it is.
        #expect(!catalog.assess(b("15.1.2176.3"), source: .logRequests, at: now).revisionUnlogged)
    }

    /// A build number none of the product's CUs (or rollups) carries is not judged: never "patched".
    @Test func buildNumbersOutsideTheCatalogAreNotJudged() {
        for text in ["15.1.9999.1", "15.1.2200.1", "15.2.793.1"] {
            let a = catalog.assess(b(text), source: .typed, at: now)
            #expect(a.notInCatalog && a.cves.isEmpty && a.recommended == nil, "\(text)")
            #expect(a.friendlyName.hasSuffix("not in the catalog"))
        }
        #expect(!catalog.assess(b("15.1.2507.99"), at: now).notInCatalog, "a newer update of a known CU is that CU")
        #expect(!catalog.assess(b("14.3.513.0"), at: now).notInCatalog, "an Exchange 2010 rollup has its own number")
    }

    @Test func adminDisplayVersionLeavesInstalledUpdatesOpen() {
        let a = catalog.assess(b("15.1.2176.2"), source: .adminDisplayVersion, at: now)
        #expect(a.status(of: "CVE-2021-26855")?.state == .undetermined)
        // CU19 never got Nov22SU, so that is decided even from the CU alone.
        #expect(a.status(of: "CVE-2022-41040")?.state == .vulnerable)
        // Fixed before CU19 was built.
        #expect(a.status(of: "CVE-2020-0688")?.state == .fixed)
    }

    @Test func supportAndRecommendationDependOnTheDate() throws {
        let mar1 = Timestamp.parse("2021-03-01T12:00:00Z")!
        let a = catalog.assess(b("15.1.2176.2"), at: mar1)
        #expect(a.cuSupported == true)
        #expect(a.recommended?.update == "Feb21SU")   // dated by month only: surely out by March
        #expect(a.status(of: "CVE-2021-26855")?.state == .vulnerable)   // a zero-day on that date
        let apr2021 = Timestamp.parse("2021-04-20T00:00:00Z")!
        let later = catalog.assess(b("15.1.2176.9"), at: apr2021)
        #expect(later.recommended == .init(level: "CU19", update: "Apr21SU", build: b("15.1.2176.12"), changesCU: false))
        // CU17 was out of support in March 2021: move to the newest CU.
        let old = catalog.assess(b("15.1.2044.13"), at: apr2021)
        #expect(old.cuSupported == false)
        #expect(old.recommended?.changesCU == true)
        #expect(old.recommended?.level == "CU20")
        #expect(old.recommended?.update == "Apr21SU")
        // A month-precision update is not recommended before its month is over.
        let se = catalog.assess(b("15.2.2562.17"), at: Timestamp.parse("2025-08-20T00:00:00Z")!)
        #expect(se.recommended == nil)
        #expect(catalog.assess(b("15.2.2562.17"), at: Timestamp.parse("2025-09-01T00:00:00Z")!).recommended?.update == "Aug25SU")
        // On the newest update of a supported CU there is nothing to recommend.
        #expect(catalog.assess(b("15.1.2176.12"), at: apr2021).recommended == nil)
    }

    /// A typed build is judged only from the day it came out: its update's date (Mar21SU, 2021-03-02), or its CU's
    /// for the CU's own build. A build the catalog does not date exactly (above or between its CU's updates) and a
    /// build the evidence shows running are never "not released yet" (reviewer: 15.1.2176.99 in a 2021 log).
    @Test func aBuildIsJudgedOnlyOnceItCameOut() {
        let newYear = Timestamp.parse("2021-01-01T00:00:00Z")!, release = Timestamp.parse("2021-03-02T00:00:00Z")!
        let before = catalog.assess(b("15.1.2176.9"), at: newYear)
        #expect(before.notReleasedYet && before.released?.description == "2021-03-02")
        #expect(before.cves.isEmpty && before.recommended == nil && before.advice == nil)
        let on = catalog.assess(b("15.1.2176.9"), at: release)
        #expect(!on.notReleasedYet && on.status(of: "CVE-2021-26855")?.state == .fixed)
        // The CU alone was out on New Year's day (2020-12-15): judged, and open to ProxyLogon.
        #expect(catalog.assess(b("15.1.2176.2"), at: newYear).status(of: "CVE-2021-26855")?.state == .vulnerable)
        let interim = catalog.assess(b("15.1.2176.99"), at: newYear)
        #expect(!interim.notReleasedYet && interim.released == nil, "no date inferred from the updates below it")
        #expect(interim.status(of: "CVE-2022-41040")?.state == .vulnerable)
        let seen = catalog.assess(b("15.1.2176.9"), source: .logRequests, at: newYear)
        #expect(!seen.notReleasedYet && seen.status(of: "CVE-2021-26855")?.state == .fixed, "the logs show it running")
        #expect(catalog.assess(b("15.1.2176.9"), source: .exSetup, at: newYear, typed: true).notReleasedYet)
        #expect(catalog.assess(b("15.1.2176.0"), source: .logRequests, at: newYear).released?.description == "2020-12-15",
                "an unlogged revision is the CU")
    }

    /// A product past its extended support is advised to migrate, with the last update meanwhile; while supported,
    /// the update alone (instructor review: the report said "install CU23" where check-build said unsupported).
    @Test func adviceMigratesAProductPastItsSupport() throws {
        let dec2026 = Timestamp.parse("2026-12-07T00:00:00Z")!
        let old = catalog.assess(b("15.1.2176.9"), at: dec2026)
        #expect(old.migrateTo == "Exchange Server Subscription Edition")
        let advice = try #require(old.advice)
        #expect(advice.hasPrefix("migrate to Exchange Server Subscription Edition: Exchange 2016 extended support ended 2025-10-14; meanwhile install CU23, then "))
        #expect(advice.hasSuffix("(published for the paid Extended Security Update programme only; the last public one is Oct25SU (15.1.2507.61))"))
        // Near miss: the same build in 2021 is supported; the advice is the update, with no migration.
        let then = catalog.assess(b("15.1.2176.9"), at: Timestamp.parse("2021-04-20T00:00:00Z")!)
        #expect(then.migrateTo == nil)
        #expect(then.advice == "install Apr21SU for CU19 (15.1.2176.12)")
        #expect(catalog.assess(b("15.1.2176.12"), at: Timestamp.parse("2021-04-20T00:00:00Z")!).advice == "nothing newer in the catalog for CU19")
        #expect(catalog.assess(b("15.2.2562.17"), at: dec2026).migrateTo == nil)
        // Support ends at the end of its last day; a build of a known product the catalog lacks still gets the migration.
        #expect(catalog.assess(b("15.1.2507.6"), at: Timestamp.parse("2025-10-14T12:00:00Z")!).migrateTo == nil)
        #expect(catalog.assess(b("15.1.2507.6"), at: Timestamp.parse("2025-10-15T00:00:00Z")!).migrateTo != nil)
        // Only a product released by then is advised (reviewer: Exchange 2010 in March 2021 was told of the
        // Subscription Edition of July 2025); RU32 was published for everyone, not for the paid programme.
        let march2021 = catalog.assess(b("14.3.509.0"), at: Timestamp.parse("2021-03-10T00:00:00Z")!)
        #expect(march2021.migrateTo == "Exchange 2019")
        #expect(march2021.advice == "migrate to Exchange 2019: Exchange 2010 extended support ended 2020-10-13; meanwhile install RU32 for SP3 (14.3.513.0)")
        #expect(catalog.assess(b("15.0.1497.2"), at: Timestamp.parse("2023-05-01T00:00:00Z")!).migrateTo == "Exchange 2019")
        let odd = catalog.assess(b("15.1.9999.1"), at: dec2026)
        #expect(odd.notInCatalog && odd.advice == "migrate to Exchange Server Subscription Edition: Exchange 2016 extended support ended 2025-10-14")
    }
}
