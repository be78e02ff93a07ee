import Foundation

/// Every Exchange build this tool can name, and which update fixes which CVE: the data files
/// `Resources/builds/catalog.json` and `cves.json`, checked and indexed once.
///
/// Kept as data so that a new Microsoft release is a one-line change reviewed against its source,
/// not a code change; the files carry their provenance.
public struct BuildCatalog: Sendable {
    /// One product line (Exchange 2013, 2016, …) and the build range it owns.
    public struct Product: Sendable, Hashable {
        public let id: String
        public let name: String
        /// Builds `from ..< until` belong to this product (Exchange SE starts at 15.2.2562).
        public let from: ExchangeBuild
        public let until: ExchangeBuild
        public let extendedSupportEnds: CatalogDate?
        public let supportNote: String?
        /// How many of the newest levels Microsoft supported at a time (2 = N and N-1).
        public let supportedLevels: Int
        /// CUs (service packs for 2010), ascending by build.
        public let levels: [Level]
    }

    /// A cumulative update (or service pack, or RTM) with the updates released for it.
    public struct Level: Sendable, Hashable {
        public let name: String
        public let build: ExchangeBuild
        public let released: CatalogDate
        /// Ascending by build.
        public let updates: [Update]

        public func update(named name: String) -> Update? { updates.first { $0.name == name } }
    }

    /// A security update, hotfix update or rollup for one level.
    public struct Update: Sendable, Hashable {
        public let name: String
        public let build: ExchangeBuild
        public let released: CatalogDate
        public let kb: String?
        /// Other builds published for the same update (2016 CU8/CU9 Mar21SU: the two sources disagree).
        public let alsoAccept: [ExchangeBuild]
        /// Where the entry came from when it differs from the file's general provenance.
        public let source: String?
        /// Published for everyone although the product had left extended support (2010 SP3 RU32 for ProxyLogon);
        /// other updates after that date went to the paid programme only.
        public var publishedForAll = false
    }

    /// CVEs an update fixes on some products.
    public struct Fix: Sendable, Hashable {
        public let cves: [String]
        public let products: [String]
    }

    public let products: [Product]
    /// Update name → the CVEs it fixes, per product.
    public let fixes: [String: [Fix]]
    /// Named campaigns (`ProxyLogon`) and their CVEs, for labelling.
    public let campaigns: [(name: String, cves: [String])]
    /// When each campaign was first seen exploiting servers (`firstSeen` in cves.json): logs that start later
    /// cannot show its beginning.
    public let campaignFirstSeen: [String: CatalogDate]
    /// The files' provenance notes: where each kind of fact came from.
    public let provenance: [String]

    /// The product a build belongs to.
    public func product(of build: ExchangeBuild) -> Product? {
        products.first { $0.from <= build && build < $0.until }
    }

    /// The level (CU) a build belongs to: the newest level whose base build is not above it.
    public func level(of build: ExchangeBuild, in product: Product) -> Level? {
        placement(of: build, in: product)?.level
    }

    /// Where a build sits: the CU whose build number it carries (security updates keep the CU's number and
    /// raise the revision; an Exchange 2010 rollup has a number of its own), and whether its revision is below
    /// the CU's own, which no installed build has: a log that does not record revisions writes 0
    /// (`15,0,1395,0`), and then which update is installed cannot be told from it. Nil when the number is none
    /// the catalog knows for the product (mistyped, or a CU newer than the catalog): no CVE is judged from it.
    public func placement(of build: ExchangeBuild, in product: Product) -> (level: Level, revisionUnlogged: Bool)? {
        for l in product.levels.reversed() {
            if l.build.sameNumber(as: build) { return (l, build < l.build) }
            if l.updates.contains(where: { $0.build.sameNumber(as: build) || $0.alsoAccept.contains(build) }) { return (l, false) }
        }
        return nil
    }

    /// The campaign a CVE belongs to, if any.
    public func campaign(of cve: String) -> String? {
        campaigns.first { $0.cves.contains(cve) }?.name
    }

    /// The update a level received under `name`, searched across a product's levels (newest first).
    public func levels(with update: String, in product: Product) -> [(level: Level, update: Update)] {
        product.levels.reversed().compactMap { l in l.update(named: update).map { (l, $0) } }
    }
}

// MARK: - Loading

extension BuildCatalog {
    /// The catalog shipped with exhunt (loaded once).
    public static func bundled() throws -> BuildCatalog { try bundledResult.get() }

    private static let bundledResult = Result { () throws -> BuildCatalog in
        guard let c = DetectionData.url("builds/catalog.json"), let v = DetectionData.url("builds/cves.json")
        else { throw CatalogError(message: "build catalog files not found (Resources/builds; see 'exhunt --version')") }
        return try BuildCatalog(catalogJSON: Data(contentsOf: c), cvesJSON: Data(contentsOf: v))
    }

    /// Decodes and checks the two data files; errors name the entry at fault.
    public init(catalogJSON: Data, cvesJSON: Data) throws {
        let raw: RawCatalog
        let rawFixes: RawCVEs
        do {
            raw = try JSONDecoder().decode(RawCatalog.self, from: catalogJSON)
            rawFixes = try JSONDecoder().decode(RawCVEs.self, from: cvesJSON)
        } catch {
            throw CatalogError(message: "build catalog is not valid: \(error)")
        }
        func build(_ s: String, _ at: String) throws -> ExchangeBuild {
            guard let b = ExchangeBuild(dotted: s) else { throw CatalogError(message: "bad build '\(s)' at \(at)") }
            return b
        }
        func date(_ s: String, _ at: String) throws -> CatalogDate {
            guard let d = CatalogDate(s) else { throw CatalogError(message: "bad date '\(s)' at \(at)") }
            return d
        }
        var products: [Product] = []
        for p in raw.products {
            var levels: [Level] = []
            for l in p.levels {
                let at = "\(p.id) \(l.name)"
                var updates: [Update] = []
                for u in l.updates ?? [] {
                    let uat = "\(at) \(u.name)"
                    updates.append(Update(name: u.name, build: try build(u.build, uat), released: try date(u.released, uat),
                                          kb: u.kb, alsoAccept: try (u.alsoAccept ?? []).map { try build($0, uat) },
                                          source: u.source, publishedForAll: u.publishedForAll ?? false))
                }
                updates.sort { $0.build < $1.build }
                levels.append(Level(name: l.name, build: try build(l.build, at), released: try date(l.released, at),
                                    updates: updates))
            }
            levels.sort { $0.build < $1.build }
            products.append(Product(id: p.id, name: p.name, from: try build(p.from, p.id), until: try build(p.until, p.id),
                                    extendedSupportEnds: try p.extendedSupportEnds.map { try date($0, p.id) },
                                    supportNote: p.supportNote, supportedLevels: p.supportedLevels, levels: levels))
        }
        let ids = Set(products.map(\.id))
        for (name, list) in rawFixes.updates {
            for f in list where !f.products.allSatisfy(ids.contains) {
                throw CatalogError(message: "cves.json \(name) names an unknown product in \(f.products)")
            }
        }
        self.products = products
        self.fixes = rawFixes.updates.mapValues { $0.map { Fix(cves: $0.cves, products: $0.products) } }
        self.campaigns = rawFixes.campaigns.map { ($0.name, $0.cves) }
        var firstSeen: [String: CatalogDate] = [:]
        for c in rawFixes.campaigns { if let d = c.firstSeen { firstSeen[c.name] = try date(d, c.name) } }
        self.campaignFirstSeen = firstSeen
        self.provenance = raw.provenance + rawFixes.provenance
    }
}

/// The catalog files could not be read; a packaging or data error, not an evidence problem.
public struct CatalogError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

private struct RawCatalog: Decodable {
    struct Product: Decodable {
        let id, name, from, until: String
        let extendedSupportEnds, supportNote: String?
        let supportedLevels: Int
        let levels: [Level]
    }
    struct Level: Decodable {
        let name, build, released: String
        let updates: [Update]?
    }
    struct Update: Decodable {
        let name, build, released: String
        let kb, source: String?
        let alsoAccept: [String]?
        let publishedForAll: Bool?
    }
    let provenance: [String]
    let products: [Product]
}

private struct RawCVEs: Decodable {
    struct Fix: Decodable { let cves, products: [String] }
    struct Campaign: Decodable { let name: String; let cves: [String]; let firstSeen: String? }
    let provenance: [String]
    let campaigns: [Campaign]
    let updates: [String: [Fix]]
}

// MARK: - Update display names

extension BuildCatalog {
    /// The build an update's uninstall `DisplayName` stands for when it carries no build number, e.g.
    /// `Security Update for Exchange Server 2019 Cumulative Update 8 (KB5000871)`: product year, CU and
    /// KB number identify the update. Nil when any of the three is missing or the KB is not in the catalog.
    public func build(forDisplayName text: String) -> BuildReading? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" }).map(String.init)
        guard let kb = words.first(where: { $0.uppercased().hasPrefix("KB") && $0.count >= 8 })?.uppercased(),
              let year = words.first(where: { ["2010", "2013", "2016", "2019"].contains($0) }),
              let product = products.first(where: { $0.id == "Exchange" + year }) else { return nil }
        var cu: String?
        for (i, w) in words.enumerated() {
            if w.uppercased().hasPrefix("CU"), Int(w.dropFirst(2)) != nil { cu = w.uppercased() }
            if w.lowercased() == "update", i > 0, words[i - 1].lowercased() == "cumulative", i + 1 < words.count,
               let n = Int(words[i + 1]) { cu = "CU\(n)" }
        }
        guard let cu, let level = product.levels.first(where: { $0.name == cu }),
              let update = level.updates.first(where: { $0.kb == kb }) else { return nil }
        return BuildReading(build: update.build, source: .updateDisplayName, kb: kb)
    }
}
