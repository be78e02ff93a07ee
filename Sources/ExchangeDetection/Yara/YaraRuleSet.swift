import CYara
import Foundation

/// One rule that matched a buffer, with the strings that matched it.
public struct YaraMatch: Sendable, Hashable {
    public struct Hit: Sendable, Hashable {
        /// `$name` as written in the rule.
        public let string: String
        public let offset: Int
        public let length: Int
        /// The first bytes matched (at most `YaraRuleSet.dataLimit`).
        public let data: [UInt8]
    }
    public let rule: String
    /// The first matches, with their bytes, for the finding's summary.
    public let hits: [Hit]
    /// Matches beyond those kept in `hits`.
    public let moreHits: Int
    /// The offset of every match of the rule's strings, sorted: a log's finding cites each event holding one, not
    /// only those of the matches shown (libyara itself keeps at most 1,000,000 matches of one string).
    public let offsets: [Int]
}

/// A compiled set of YARA rules, shared read-only by scans on both cores (each scan has its own scanner).
public final class YaraRuleSet: @unchecked Sendable {
    let rules: UnsafeMutablePointer<YR_RULES>
    /// Rules whose condition only compares the file's SHA-256: matched against the digests computed at load
    /// time instead of being scanned (they are disabled in the compiled set).
    public let hashOnly: [String: Set<String>]
    /// Strings shown per rule match, and bytes per string.
    static let hitLimit = 8
    static let dataLimit = 64
    /// Seconds libyara may spend on one buffer.
    static let timeout: Int32 = 30

    init(_ rules: OpaquePointer, hashOnly: [String: Set<String>]) {
        self.rules = UnsafeMutablePointer(rules)
        self.hashOnly = hashOnly
        (severities, unknownLevels, firstNamespace) = Self.declaredSeverities(self.rules)
        var r = cyara_rule_is_null(self.rules.pointee.rules_table) == 0 ? self.rules.pointee.rules_table : nil
        while let rule = r {
            if hashOnly[String(cString: cyara_rule_identifier(rule))] != nil { yr_rule_disable(rule) }
            r = cyara_rules_next(rule)
        }
    }

    deinit { yr_rules_destroy(rules) }

    /// The severity each rule declares in its `meta:` section, for its findings; rules that declare none are
    /// `high` (a matching YARA rule is a lead to examine).
    ///
    /// Read from `severity`, `level` or `threat_level` (`critical`, `high`, `medium`, `low`, `info`), else from
    /// a `score` as Loki and THOR write it (0–100: 75 and up alert → high, 60 warning → medium, 40 notice →
    /// low, below → info).
    ///
    /// Two files may define a rule of one name; the meta read is that of the copy whose findings are reported
    /// (`keep(namespace:only:)`), else of the first file's copy, never of a copy `rules load` refused.
    public func severity(of rule: String) -> Severity {
        let namespace = reporting[rule] ?? firstNamespace[rule] ?? ""
        return severities[Self.key(namespace, rule)] ?? .high
    }

    /// Read once at init (by namespace and name): scans on both cores ask it.
    private let severities: [String: Severity]
    /// Rules (by namespace and name) whose level meta holds a value that is not a level word (`"severe"`, `3`,
    /// `true`): the meta key and the value, for the load warning (their findings take the `score`, else `high`).
    private let unknownLevels: [String: (key: String, word: String)]

    /// The unknown level word of `rule` in the first namespace defining it (a file compiled alone), if any.
    func unknownLevel(of rule: String) -> (key: String, word: String)? {
        unknownLevels[Self.key(firstNamespace[rule] ?? "", rule)]
    }

    /// The first namespace defining each rule name.
    private let firstNamespace: [String: String]
    /// The namespace whose copy of a rule name reports findings, once `keep` chose it.
    private var reporting: [String: String] = [:]

    static func key(_ namespace: String, _ rule: String) -> String { namespace + "\u{0}" + rule }

    /// The declared severities and unknown level words by namespace and name, and the first namespace defining each
    /// rule name, in one walk of the rules.
    private static func declaredSeverities(_ rules: UnsafeMutablePointer<YR_RULES>)
        -> (known: [String: Severity], odd: [String: (key: String, word: String)], first: [String: String]) {
        var out: [String: Severity] = [:]
        var odd: [String: (key: String, word: String)] = [:]
        var first: [String: String] = [:]
        var r = cyara_rule_is_null(rules.pointee.rules_table) == 0 ? rules.pointee.rules_table : nil
        while let rule = r {
            let name = String(cString: cyara_rule_identifier(rule)), namespace = String(cString: cyara_rule_namespace(rule))
            if first[name] == nil { first[name] = namespace }
            var named: Severity?, scored: Severity?, unknown: (key: String, word: String)?
            var m = cyara_rule_first_meta(rule)
            while let meta = m {
                let key = String(cString: cyara_meta_identifier(meta)).lowercased()
                switch (key, cyara_meta_type(meta)) {
                case ("severity", let type), ("level", let type), ("threat_level", let type):
                    // A number or boolean (`severity = 3`) is no level word either: warned of, not read as none.
                    let word = type == 2 ? String(cString: cyara_meta_string(meta))
                        : type == 3 ? (cyara_meta_integer(meta) != 0 ? "true" : "false") : String(cyara_meta_integer(meta))
                    if named == nil, let known = RuleLevel.severity(named: word) { named = known } else if named == nil { unknown = unknown ?? (key, word) }
                case ("score", 1):
                    scored = Self.severity(score: Int(cyara_meta_integer(meta)))
                case ("score", 2):
                    scored = Int(String(cString: cyara_meta_string(meta))).map(Self.severity(score:))
                default: break
                }
                m = cyara_next_meta(meta)
            }
            let at = key(namespace, name)
            if let s = named ?? scored { out[at] = s }
            if named == nil, let unknown { odd[at] = unknown }
            r = cyara_rules_next(rule)
        }
        return (out, odd, first)
    }

    static func severity(score: Int) -> Severity {
        score >= 75 ? .high : score >= 60 ? .medium : score >= 40 ? .low : .info
    }

    /// Keeps the findings of namespace `namespace` to the rules in `keep`: a rule whose name an earlier file
    /// already loaded was refused by `rules load`, and one that came in through an `include` of a file loaded on
    /// its own, report from that other file. They still run here, so the rules of this file that test them are
    /// never silently false. The kept rules are the copies whose meta (severity) their findings carry.
    func keep(namespace: String, only keep: Set<String>) {
        for name in keep { reporting[name] = namespace }
        var r = cyara_rule_is_null(rules.pointee.rules_table) == 0 ? rules.pointee.rules_table : nil
        while let rule = r {
            let name = String(cString: cyara_rule_identifier(rule))
            if String(cString: cyara_rule_namespace(rule)) == namespace, !keep.contains(name) { silenced.insert(Self.key(namespace, name)) }
            r = cyara_rules_next(rule)
        }
    }

    /// Rules (by namespace and name) that run but report no match (`keep(namespace:only:)`).
    private var silenced: Set<String> = []

    /// Names of every rule, or those of one namespace (one file).
    func ruleNames(namespace: String? = nil) -> [String] {
        var out: [String] = []
        var r = cyara_rule_is_null(rules.pointee.rules_table) == 0 ? rules.pointee.rules_table : nil
        while let rule = r {
            if namespace == nil || String(cString: cyara_rule_namespace(rule)) == namespace {
                out.append(String(cString: cyara_rule_identifier(rule)))
            }
            r = cyara_rules_next(rule)
        }
        return out
    }

    public var allRuleNames: [String] { ruleNames() }

    /// Scans one buffer with the external variables set; the rules that matched, in rule order.
    public func scan(_ bytes: UnsafeRawBufferPointer, externals: [String: String]) throws -> [YaraMatch] {
        var scanner: UnsafeMutablePointer<YR_SCANNER>?
        guard yr_scanner_create(rules, &scanner) == ERROR_SUCCESS, let scanner else { throw YaraError("libyara: cannot create a scanner") }
        defer { yr_scanner_destroy(scanner) }
        for (name, value) in externals { yr_scanner_define_string_variable(scanner, name, value) }
        let sink = MatchSink(silenced: silenced)
        yr_scanner_set_callback(scanner, { context, message, data, user in
            guard message == CALLBACK_MSG_RULE_MATCHING, let context, let data, let user else { return CALLBACK_CONTINUE }
            let sink = Unmanaged<MatchSink>.fromOpaque(user).takeUnretainedValue()
            let rule = data.assumingMemoryBound(to: YR_RULE.self)
            if !sink.silenced.isEmpty, sink.silenced.contains(YaraRuleSet.key(String(cString: cyara_rule_namespace(rule)), String(cString: cyara_rule_identifier(rule)))) {
                return CALLBACK_CONTINUE
            }
            var hits: [YaraMatch.Hit] = []
            var offsets: [Int] = []
            var more = 0
            var s = cyara_rule_first_string(rule)
            while let string = s {
                let name = String(cString: cyara_string_identifier(string))
                var m = cyara_first_match(context, string)
                while let match = m {
                    if !match.pointee.is_private {
                        offsets.append(Int(match.pointee.base + match.pointee.offset))
                        if hits.count < YaraRuleSet.hitLimit {
                            let n = Int(min(match.pointee.data_length, Int32(YaraRuleSet.dataLimit)))
                            let bytes = n > 0 && match.pointee.data != nil ? Array(UnsafeBufferPointer(start: match.pointee.data, count: n)) : []
                            hits.append(YaraMatch.Hit(string: name, offset: Int(match.pointee.base + match.pointee.offset),
                                                      length: Int(match.pointee.match_length), data: bytes))
                        } else {
                            more += 1
                        }
                    }
                    m = match.pointee.next
                }
                s = cyara_next_string(string)
            }
            sink.matches.append(YaraMatch(rule: String(cString: cyara_rule_identifier(rule)), hits: hits.sorted { $0.offset < $1.offset }, moreHits: more,
                                           offsets: offsets.sorted()))
            return CALLBACK_CONTINUE
        }, Unmanaged.passUnretained(sink).toOpaque())
        yr_scanner_set_timeout(scanner, Self.timeout)
        // libyara would otherwise swap the process's SIGBUS/SIGSEGV handlers around every scan, and with scans on
        // several threads it restores the wrong one: the evidence fault guard (a read past the end of a shrunken
        // mapped file reads zeros) was lost and such a read faulted forever. The guard covers what YARA scans.
        yr_scanner_set_flags(scanner, SCAN_FLAGS_NO_TRYCATCH)
        let rc = yr_scanner_scan_mem(scanner, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        if rc == ERROR_SCAN_TIMEOUT { throw YaraError("YARA scan timed out after \(Self.timeout) s") }
        if rc != ERROR_SUCCESS { throw YaraError("libyara scan failed (error \(rc))") }
        return sink.matches
    }

    private final class MatchSink {
        let silenced: Set<String>
        var matches: [YaraMatch] = []
        init(silenced: Set<String>) { self.silenced = silenced }
    }
}
