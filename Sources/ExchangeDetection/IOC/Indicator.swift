/// What an indicator names, which decides the fields it is compared with and how.
public enum IndicatorType: String, CaseIterable, Sendable, Codable {
    /// An IPv4 address, matched as a whole address (never as a prefix of a longer one).
    case ip
    /// A user agent, compared whole in both log spellings (IIS `+` for space, HttpProxy spaces without commas).
    case ua
    /// A file path, compared case-insensitively with `/` and `\` equivalent, as a disk path or the URL it is served at.
    case path
    /// A file name, compared with the last segment of paths and URL stems.
    case name
    /// An MD5, SHA-1 or SHA-256 digest (told apart by length).
    case hash
    /// A DNS name; also matches its subdomains.
    case domain
    /// A full URL.
    case url

    /// Parses the names used on the command line and in files (`ipv4`, `sha256`, `filepath`, … are accepted).
    public init?(name: String) {
        switch name.lowercased() {
        case "ip", "ipv4", "ipv4-addr", "ip-src", "ip-dst", "ipaddress", "ip-address": self = .ip
        case "ua", "user-agent", "useragent", "user_agent": self = .ua
        case "path", "filepath", "file-path", "file_path", "directory": self = .path
        case "name", "filename", "file-name", "file_name", "file": self = .name
        case "hash", "sha256", "sha-256", "sha1", "sha-1", "md5", "filehash", "file-hash": self = .hash
        case "domain", "domainname", "domain-name", "hostname", "fqdn": self = .domain
        case "url", "uri-full": self = .url
        default: return nil
        }
    }
}

/// One published (or analyst-added) indicator with its provenance.
///
/// `value` is kept as published so it can be shown and exported verbatim; `normalized` is the form the
/// matcher compares (refanged, lower-cased where case does not matter, `\` turned into `/` for paths).
public struct Indicator: Sendable, Hashable {
    public var type: IndicatorType
    /// The value as written by its publisher (refanged).
    public var value: String
    /// The comparison form, see `IndicatorNormalizer`.
    public var normalized: String
    /// Name of the set the indicator belongs to.
    public var set: String
    /// Who published it (`MSTIC feed`, `Volexity blog 2021-03-02`, a file name for loaded sets).
    public var source: String
    /// When it was published or added (`YYYY-MM-DD`), empty when unknown.
    public var date: String
    /// Free text: the publisher's comment, first-seen time, or the analyst's note.
    public var note: String
    /// STIX `valid_from` / `valid_until` (ISO-8601 text as published), empty when not given.
    public var validFrom: String
    public var validUntil: String

    public init(type: IndicatorType, value: String, normalized: String, set: String, source: String,
                date: String = "", note: String = "", validFrom: String = "", validUntil: String = "") {
        self.type = type
        self.value = value
        self.normalized = normalized
        self.set = set
        self.source = source
        self.date = date
        self.note = note
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    /// A path indicator that names a folder (published with a trailing separator). Shown with its set but not
    /// matched: standard Exchange files live in the same folders, so it takes a baseline, not a string match.
    public var isDirectory: Bool { type == .path && normalized.hasSuffix("/") }
    /// A CIDR block (`198.51.100.0/24`): matched against addresses, never found as the literal text.
    public var isBlock: Bool { type == .ip && normalized.contains("/") }
}

/// A named group of indicators from one source, e.g. the MSTIC feed or a STIX bundle the analyst loaded.
public struct IndicatorSet: Sendable {
    public var name: String
    /// One line saying where the set comes from and when it was published.
    public var provenance: String
    /// True for the sets shipped with exhunt.
    public var builtIn: Bool
    public private(set) var indicators: [Indicator]

    public init(name: String, provenance: String, builtIn: Bool = false, indicators: [Indicator] = []) {
        self.name = name
        self.provenance = provenance
        self.builtIn = builtIn
        self.indicators = []
        for i in indicators { append(i) }
    }

    /// Adds an indicator under this set's name. Duplicates (same type and normalised value) are kept once,
    /// as published feeds repeat rows; returns false for such a repeat, so a loader can say how many it merged.
    @discardableResult
    public mutating func append(_ indicator: Indicator) -> Bool {
        let key = Key(type: indicator.type, normalized: indicator.normalized)
        if seen.contains(key) { return false }
        seen.insert(key)
        var i = indicator
        i.set = name
        indicators.append(i)
        return true
    }

    private struct Key: Hashable { var type: IndicatorType; var normalized: String }
    private var seen: Set<Key> = []

    /// Indicator counts per type, for `ioc sets`.
    public var countsByType: [(type: IndicatorType, count: Int)] {
        IndicatorType.allCases.compactMap { t in
            let n = indicators.reduce(0) { $0 + ($1.type == t ? 1 : 0) }
            return n == 0 ? nil : (t, n)
        }
    }
}
