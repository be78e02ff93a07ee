/// An Exchange build number such as `15.1.2176.9`: major, minor, build and revision.
///
/// Exchange writes the same build in several spellings (`15.1.2176.9`, zero-padded `15.01.2176.009`,
/// `Version 15.1 (Build 2176.9)`); they all become one comparable value so that "is this build at
/// least the fixed one" is a plain `>=`, the comparison Health Checker makes with `[System.Version]`.
public struct ExchangeBuild: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let build: Int
    public let revision: Int

    public init(_ major: Int, _ minor: Int, _ build: Int, _ revision: Int) {
        self.major = major
        self.minor = minor
        self.build = build
        self.revision = revision
    }

    /// Parses exactly four dot-separated decimal parts (`15.1.2176.9` or `15.01.2176.009`); nil otherwise.
    public init?(dotted text: some StringProtocol) {
        var parts: [Int] = []
        parts.reserveCapacity(4)
        for piece in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !piece.isEmpty, piece.count <= 6, piece.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  let v = Int(piece) else { return nil }
            parts.append(v)
        }
        guard parts.count == 4 else { return nil }
        self.init(parts[0], parts[1], parts[2], parts[3])
    }

    /// True when both have the same major, minor and build number, whatever the revision.
    public func sameNumber(as other: ExchangeBuild) -> Bool {
        major == other.major && minor == other.minor && build == other.build
    }

    /// The short form Microsoft's tables use: `15.1.2176.9`.
    public var description: String { "\(major).\(minor).\(build).\(revision)" }

    /// The zero-padded form of `FileVersion` and log headers: `15.01.2176.009`.
    public var longForm: String {
        "\(major).\(Self.pad(minor, 2)).\(Self.pad(build, 4)).\(Self.pad(revision, 3))"
    }

    /// True for the placeholder builds some logs carry (`#Version: 15.0.0.0`, `Version 15.0 (Build 0.0)`),
    /// which name no real release.
    public var isPlaceholder: Bool { build == 0 }

    public static func < (a: ExchangeBuild, b: ExchangeBuild) -> Bool {
        (a.major, a.minor, a.build, a.revision) < (b.major, b.minor, b.build, b.revision)
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
