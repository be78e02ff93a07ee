import Testing
@testable import ExchangeDetection

/// Every security update row of Microsoft's build-number page for 2021 to March 2023 (as scraped on
/// 2023-03-22 by xasz/exchange-version-table), and the June 2023 to March 2024 rows as kept in Exchangy's
/// build DB (2024-03), against the catalog built from Health Checker's table: same build, same day.
@Suite struct MicrosoftPageCrossCheckTests {
    let catalog: BuildCatalog
    init() throws { catalog = try BuildCatalog.bundled() }

    /// `PRODUCT CU: UPDATE=BUILD …`, builds as published.
    static let rows = """
    Exchange2019 CU12: May22SU=15.2.1118.9 Aug22SU=15.2.1118.12 Oct22SU=15.2.1118.15 Nov22SU=15.2.1118.20 Jan23SU=15.2.1118.21 Feb23SU=15.2.1118.25 Mar23SU=15.2.1118.26 Jun23SU=15.2.1118.30 Aug23SU=15.2.1118.36 Aug23SUv2=15.2.1118.37 Oct23SU=15.2.1118.39 Nov23SU=15.2.1118.40
    Exchange2019 CU11: Oct21SU=15.2.986.9 Nov21SU=15.2.986.14 Jan22SU=15.2.986.15 Mar22SU=15.2.986.22 May22SU=15.2.986.26 Aug22SU=15.2.986.29 Oct22SU=15.2.986.30 Nov22SU=15.2.986.36 Jan23SU=15.2.986.37 Feb23SU=15.2.986.41 Mar23SU=15.2.986.42
    Exchange2019 CU10: Jul21SU=15.2.922.13 Oct21SU=15.2.922.14 Nov21SU=15.2.922.19 Jan22SU=15.2.922.20 Mar22SU=15.2.922.27
    Exchange2019 CU9: Apr21SU=15.2.858.10 May21SU=15.2.858.12 Jul21SU=15.2.858.15
    Exchange2019 CU8: Mar21SU=15.2.792.10 Apr21SU=15.2.792.13 May21SU=15.2.792.15
    Exchange2019 CU13: Jun23SU=15.2.1258.16 Aug23SU=15.2.1258.23 Aug23SUv2=15.2.1258.25 Oct23SU=15.2.1258.27 Nov23SU=15.2.1258.28 Mar24SU=15.2.1258.32
    Exchange2019 CU14: Mar24SU=15.2.1544.9
    Exchange2016 CU23: May22SU=15.1.2507.9 Aug22SU=15.1.2507.12 Oct22SU=15.1.2507.13 Nov22SU=15.1.2507.16 Jan23SU=15.1.2507.17 Feb23SU=15.1.2507.21 Mar23SU=15.1.2507.23 Jun23SU=15.1.2507.27 Aug23SU=15.1.2507.31 Aug23SUv2=15.1.2507.32 Oct23SU=15.1.2507.34 Nov23SU=15.1.2507.35 Mar24SU=15.1.2507.37
    Exchange2016 CU22: Oct21SU=15.1.2375.12 Nov21SU=15.1.2375.17 Jan22SU=15.1.2375.18 Mar22SU=15.1.2375.24 May22SU=15.1.2375.28 Aug22SU=15.1.2375.31 Oct22SU=15.1.2375.32 Nov22SU=15.1.2375.37
    Exchange2016 CU21: Jul21SU=15.1.2308.14 Oct21SU=15.1.2308.15 Nov21SU=15.1.2308.20 Jan22SU=15.1.2308.21 Mar22SU=15.1.2308.27
    Exchange2016 CU20: Apr21SU=15.1.2242.8 May21SU=15.1.2242.10 Jul21SU=15.1.2242.12
    Exchange2016 CU19: Mar21SU=15.1.2176.9 Apr21SU=15.1.2176.12 May21SU=15.1.2176.14
    Exchange2013 CU23: Mar21SU=15.0.1497.12 Apr21SU=15.0.1497.15 May21SU=15.0.1497.18 Jul21SU=15.0.1497.23 Oct21SU=15.0.1497.24 Nov21SU=15.0.1497.26 Jan22SU=15.0.1497.28 Mar22SU=15.0.1497.33 May22SU=15.0.1497.36 Aug22SU=15.0.1497.40 Oct22SU=15.0.1497.42 Nov22SU=15.0.1497.44 Jan23SU=15.0.1497.45 Feb23SU=15.0.1497.47 Mar23SU=15.0.1497.48
    """

    /// Release days of those rows (the page gives one day per update for every CU).
    static let days = [
        "Mar21SU": "2021-03-02", "Apr21SU": "2021-04-13", "May21SU": "2021-05-11", "Jul21SU": "2021-07-13",
        "Oct21SU": "2021-10-12", "Nov21SU": "2021-11-09", "Jan22SU": "2022-01-11", "Mar22SU": "2022-03-08",
        "May22SU": "2022-05-10", "Aug22SU": "2022-08-09", "Oct22SU": "2022-10-11", "Nov22SU": "2022-11-08",
        "Jan23SU": "2023-01-10", "Feb23SU": "2023-02-14", "Mar23SU": "2023-03-14", "Jun23SU": "2023-06-13",
        "Aug23SU": "2023-08-08", "Aug23SUv2": "2023-08-15", "Oct23SU": "2023-10-10", "Nov23SU": "2023-11-14",
        "Mar24SU": "2024-03-12",
    ]

    /// CU base builds and days from the same page for the CUs released from 2021.
    static let cus = [
        ("Exchange2016", "CU20", "15.1.2242.4", "2021-03-16"), ("Exchange2016", "CU21", "15.1.2308.8", "2021-06-29"),
        ("Exchange2016", "CU22", "15.1.2375.7", "2021-09-28"), ("Exchange2016", "CU23", "15.1.2507.6", "2022-04-20"),
        ("Exchange2019", "CU9", "15.2.858.5", "2021-03-16"), ("Exchange2019", "CU10", "15.2.922.7", "2021-06-29"),
        ("Exchange2019", "CU11", "15.2.986.5", "2021-09-28"), ("Exchange2019", "CU12", "15.2.1118.7", "2022-04-20"),
        ("Exchange2019", "CU13", "15.2.1258.12", "2023-05-03"), ("Exchange2019", "CU14", "15.2.1544.4", "2024-02-13"),
    ]

    @Test func everyPublishedUpdateRowMatches() throws {
        var checked = 0
        for line in Self.rows.split(separator: "\n") {
            let head = line.split(separator: ":")[0].split(separator: " ")
            let product = try #require(catalog.products.first { $0.id == String(head[0]) })
            let level = try #require(product.levels.first { $0.name == String(head[1]) }, "\(line)")
            for pair in line.split(separator: ":")[1].split(separator: " ") {
                let parts = pair.split(separator: "=").map(String.init)
                let update = level.update(named: parts[0])
                #expect(update?.build == ExchangeBuild(dotted: parts[1]), "\(product.id) \(level.name) \(parts[0]): page \(parts[1]), catalog \(update?.build.description ?? "missing")")
                #expect(update?.released.description == Self.days[parts[0]], "\(product.id) \(level.name) \(parts[0]) date")
                checked += 1
            }
        }
        #expect(checked == 88)
    }

    @Test func cuBaseBuildsAndDaysMatch() throws {
        for (id, name, build, day) in Self.cus {
            let level = try #require(catalog.products.first { $0.id == id }?.levels.first { $0.name == name })
            #expect(level.build == ExchangeBuild(dotted: build), "\(id) \(name)")
            #expect(level.released.description == day, "\(id) \(name)")
        }
    }
}
