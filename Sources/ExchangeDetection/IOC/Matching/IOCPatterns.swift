import Foundation

/// How one automaton pattern relates to its indicator, which decides where and how a candidate is confirmed.
/// In fields, IPs and hashes are found as whole tokens and looked up (`IPv4Tokens`, `HexDigests`), which
/// keeps the field automata small and makes long address lists cost nothing extra. In raw bytes they join
/// the one automaton pass while the lists are short (`IOCMatcher.tokenPatternLimit`), which is cheaper than
/// two more passes over every byte.
enum PatternRole: UInt8, Sendable {
    case ip, hash, ua, domain, url, name
    /// The path as it sits on disk, from its anchor (`/frontend/httpproxy/…`, `/inetpub/wwwroot/…`) or in full.
    case diskPath
    /// The URL path a web-served file answers at (`/owa/auth/x.aspx`), for URL stems.
    case webPath
}

/// Where a value was found, which decides the roles that may match it.
enum FieldGroup: Int, CaseIterable, Sendable {
    /// Client addresses (`c-ip`, `ClientIpAddress`, X-Forwarded-For lists); matched by `IPv4Tokens`.
    case ip
    /// User-agent fields.
    case ua
    /// URL stems.
    case stem
    /// Free text that may carry host names and URLs (`AnchorMailbox`).
    case text
    /// File paths of file listings and event records (`TargetFilename`, `Image`, `FullName`).
    case file
    /// Digest fields (`SHA256`, Sysmon `Hashes`); matched by `HexDigests`, not the automaton.
    case hash
    /// Any byte of a loaded file (`--raw`).
    case raw

    func accepts(_ role: PatternRole) -> Bool {
        switch self {
        case .ip: false
        case .ua: role == .ua
        case .stem: role == .webPath || role == .name
        case .text: role == .domain || role == .url
        case .file: role == .diskPath || role == .name
        case .hash: false
        case .raw: true
        }
    }
}

/// The automaton patterns derived from a list of indicators, for one field group.
struct IOCPatterns {
    var bytes: [[UInt8]] = []
    var indicator: [Int32] = []
    var role: [PatternRole] = []
    /// User agents in their comparison form (case kept), per pattern, for exact confirmation.
    var exact: [[UInt8]] = []

    /// Path anchors: the part of an install path from which files are the same on every server.
    static let anchors = ["/frontend/httpproxy/", "/inetpub/wwwroot/"]

    /// Folder indicators (`…\\owa\\auth\\`) yield no pattern: every standard Exchange file sits in those folders,
    /// so "a file below it" is a rule needing a baseline (the web-shell detections), not an indicator match.
    /// Only patterns `group` accepts are kept, so each field is scanned with a small automaton of its own;
    /// IPs and hashes only when `tokens` is set (raw scans of short lists).
    init(_ indicators: [Indicator], for group: FieldGroup, tokens: Bool = false) {
        for (i, ind) in indicators.enumerated() {
            let n = ind.normalized
            switch ind.type {
            case .ip: if tokens { add(n, i, .ip, group) }
            case .hash: if tokens { add(n, i, .hash, group) }
            case .ua: add(n, i, .ua, group)
            case .domain: add(n, i, .domain, group)
            case .url: add(n, i, .url, group)
            case .name: add(n, i, .name, group)
            case .path:
                if ind.isDirectory { continue }
                let keys = Self.pathKeys(n)
                add(keys.disk, i, .diskPath, group)
                if let web = keys.web { add(web, i, .webPath, group) }
                // Raw text of rendered records and JSON escapes backslashes: `C:\\ProgramData\\it.zip`.
                if group == .raw { add(keys.disk.replacingOccurrences(of: "/", with: "//"), i, .diskPath, group) }
            }
        }
    }

    private mutating func add(_ s: String, _ i: Int, _ r: PatternRole, _ group: FieldGroup) {
        guard group.accepts(r) else { return }
        bytes.append(Array(s.utf8))
        indicator.append(Int32(i))
        role.append(r)
        exact.append(r == .ua ? Array(s.utf8) : [])
    }

    /// The disk key (from an anchor, or the whole path with a leading `/`) and, for files under a web root,
    /// the URL path they are served at. Relative paths (`owa/auth/x.aspx`) are both.
    static func pathKeys(_ normalized: String) -> (disk: String, web: String?) {
        let p = normalized.hasPrefix("/") ? normalized : "/" + normalized
        for a in anchors {
            if let r = p.range(of: a) {
                let web = "/" + p[r.upperBound...]
                return (String(p[r.lowerBound...]), web.count > 1 ? web : nil)
            }
        }
        let absolute = normalized.hasPrefix("/") && !normalized.hasPrefix("/owa/") && !normalized.hasPrefix("/ecp/")
            && !normalized.hasPrefix("/aspnet_client/")
        return (p, absolute ? nil : p)
    }

    /// The fold applied to every byte before matching: ASCII lower case, `\` as `/`, and `+` and `,` as spaces
    /// (IIS writes user-agent spaces as `+`; HttpProxy logs replace commas in them with spaces).
    static let fold: [UInt8] = (0..<256).map { b in
        let c = UInt8(b)
        switch c {
        case 0x41...0x5A: return c | 0x20
        case 0x5C: return 0x2F
        case 0x2B, 0x2C: return 0x20
        default: return c
        }
    }
}
