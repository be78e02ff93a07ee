import ExchangeEvidence
import Testing
@testable import ExchangeDetection

/// Compares the catalog with independent published lists of fixed builds, and fails on any
/// disagreement that is not one of the known special cases listed here.
@Suite struct CatalogCrossCheckTests {
    let catalog: BuildCatalog
    init() throws { catalog = try BuildCatalog.bundled() }

    /// `versionEndExcluding` of the ProxyLogon-era CVE records (CVEProject/cvelistV5, CVE-2021-27078.json),
    /// also hard-coded by the nmap script.
    static let cveRecordMarch2021 = ["15.00.1497.012", "15.01.2106.013", "15.01.2176.009", "15.02.0721.013", "15.02.0792.010"]
    /// EOMTv2's thresholds on ExSetup `FileVersion` for ProxyNotShell, the same as CVE-2022-41082.json.
    static let eomtV2November2022 = ["15.00.1497.044", "15.01.2375.037", "15.01.2507.016", "15.02.0986.036", "15.02.1118.020"]
    /// Health Checker 2021 (Invoke-AnalyzerEngine.ps1 @8251aef) fixed builds for the four ProxyLogon CVEs, Build.Revision.
    static let healthChecker2021: [String: [String]] = [
        "Exchange2013": ["1395.12", "1473.6", "1497.12"],
        "Exchange2016": ["1415.8", "1466.13", "1531.12", "1591.18", "1713.10", "1779.8", "1847.12", "1913.12", "1979.8",
                         "2044.13", "2106.13", "2176.9"],
        "Exchange2019": ["221.18", "330.11", "397.11", "464.15", "529.13", "595.8", "659.12", "721.13", "792.10"],
    ]
    /// Microsoft's build-number page, Mar21SU rows (as mirrored in 2021 and 2023).
    static let microsoftPageMarch2021 = [
        "15.0.847.64", "15.0.1395.12", "15.0.1473.6", "15.0.1497.12",
        "15.1.1415.10", "15.1.1466.16", "15.1.1531.12", "15.1.1591.18", "15.1.1713.10", "15.1.1779.8", "15.1.1847.12",
        "15.1.1913.12", "15.1.1979.8", "15.1.2044.13", "15.1.2106.13", "15.1.2176.9",
        "15.2.221.18", "15.2.330.11", "15.2.397.11", "15.2.464.15", "15.2.529.13", "15.2.595.8", "15.2.659.12",
        "15.2.721.13", "15.2.792.10",
    ]
    /// Known special cases: builds a source lists that the catalog holds differently, with the reason.
    static let knownSpecialCases: [String: String] = [
        "15.0.847.64": "2013 SP1 (CU4) Mar21SU: on Microsoft's page, not in Health Checker's lists",
        "15.1.1415.10": "2016 CU8 Mar21SU: Microsoft's page; Health Checker says 15.1.1415.8 (both accepted)",
        "15.1.1466.16": "2016 CU9 Mar21SU: Microsoft's page; Health Checker says 15.1.1466.13 (both accepted)",
    ]

    func builds(of update: String) -> [ExchangeBuild] {
        catalog.products.flatMap { catalog.levels(with: update, in: $0).map(\.update.build) }
    }

    @Test func marchFixedBuildsMatchTheCVERecords() throws {
        for text in Self.cveRecordMarch2021 {
            let bound = try #require(ExchangeBuild(dotted: text))
            let product = try #require(catalog.product(of: bound))
            let level = try #require(catalog.level(of: bound, in: product))
            #expect(level.update(named: "Mar21SU")?.build == bound,
                    "CVE record bound \(text) vs catalog \(product.name) \(level.name) Mar21SU \(level.update(named: "Mar21SU")?.build.description ?? "missing")")
        }
    }

    @Test func marchFixedBuildsMatchHealthChecker() {
        for product in catalog.products where Self.healthChecker2021[product.id] != nil {
            let catalogSet = Set(catalog.levels(with: "Mar21SU", in: product).map { "\($0.update.build.build).\($0.update.build.revision)" })
            let checker = Set(Self.healthChecker2021[product.id]!)
            let onlyCatalog = catalogSet.subtracting(checker).filter {
                Self.knownSpecialCases["\(product.from.major).\(product.from.minor).\($0)"] == nil
            }
            #expect(onlyCatalog.isEmpty, "\(product.name): catalog has Mar21SU builds Health Checker lacks: \(onlyCatalog.sorted())")
            #expect(checker.subtracting(catalogSet).isEmpty,
                    "\(product.name): Health Checker has Mar21SU builds the catalog lacks: \(checker.subtracting(catalogSet).sorted())")
        }
    }

    @Test func everyMarchBuildOnMicrosoftsPageIsNamedAndFixed() throws {
        let primaries = Set(builds(of: "Mar21SU"))
        for text in Self.microsoftPageMarch2021 {
            let build = try #require(ExchangeBuild(dotted: text))
            // Judged once all of them were out (in 1970 no build is: nothing would be judged fixed).
            let a = catalog.assess(build, at: Timestamp.parse("2021-04-01T00:00:00Z")!)
            #expect(a.update?.name == "Mar21SU", "\(text) not named Mar21SU")
            #expect(a.status(of: "CVE-2021-26855")?.state == .fixed, "\(text) not fixed")
            if !primaries.contains(build) {
                #expect(Self.knownSpecialCases[text] != nil, "\(text): differs from the catalog and is not a known special case")
            }
        }
    }

    @Test func novemberFixedBuildsMatchEOMTv2() throws {
        let thresholds = Set(try Self.eomtV2November2022.map { try #require(ExchangeBuild(dotted: $0)) })
        let catalogSet = Set(builds(of: "Nov22SU"))
        #expect(catalogSet == thresholds,
                "Nov22SU: only in catalog \(catalogSet.subtracting(thresholds).map(\.description).sorted()), only in EOMTv2 \(thresholds.subtracting(catalogSet).map(\.description).sorted())")
    }

    @Test func catalogIsWellFormed() {
        for product in catalog.products {
            #expect(product.levels.allSatisfy { product.from <= $0.build && $0.build < product.until }, "\(product.name) level outside range")
            for level in product.levels {
                for u in level.updates {
                    #expect(u.build >= level.build, "\(product.name) \(level.name) \(u.name) below its CU")
                    #expect(catalog.level(of: u.build, in: product) == level, "\(product.name) \(level.name) \(u.name) falls in another CU")
                }
                #expect(Set(level.updates.map(\.name)).count == level.updates.count, "\(product.name) \(level.name) duplicate update name")
            }
        }
        for (name, _) in catalog.fixes {
            #expect(!builds(of: name).isEmpty, "cves.json names \(name), which no CU received")
        }
        #expect(catalog.campaigns.map(\.name) == ["ProxyLogon", "ProxyShell", "ProxyNotShell"])
    }
}
