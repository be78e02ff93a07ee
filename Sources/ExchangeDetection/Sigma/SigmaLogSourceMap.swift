import ExchangeEvidence
import Foundation
import Yams

/// The data file that binds Sigma log sources to exhunt's evidence (`Resources/sigma/logsources.yml`).
public struct SigmaLogSourceMap: Sendable {
    /// One entry: which rules it takes, which events, and how Sigma field names translate.
    public struct Binding: Sendable, Hashable {
        public let category: String?
        public let product: String?
        public let service: String?
        public let kind: SourceKind
        /// Lower-cased; nil = any channel.
        public let channel: String?
        /// The channel as the mapping writes it, for messages.
        let channelName: String?
        /// Field (as the evidence names it) → accepted values (lower-cased).
        public let conditions: [String: Set<String>]
        /// Lower-cased Sigma field name → where its value comes from.
        let fields: [String: SigmaFieldSource]
        /// Position in the file, for stable ordering and messages.
        public let index: Int

        /// True when the entry reads events of `file`: its kind, and its channel where the entry names one.
        func covers(_ file: EvidenceFile) -> Bool {
            file.kind == kind && (channel.map { file.channel.lowercased() == $0 } ?? true)
        }

        /// True when a rule with this log source belongs to the entry.
        func accepts(_ ls: SigmaLogSource) -> Bool {
            func same(_ mine: String?, _ theirs: String?) -> Bool {
                guard let mine else { return true }
                return mine == theirs
            }
            // A rule that names no product is taken to mean any product.
            guard same(category, ls.category), ls.product == nil || same(product, ls.product), same(service, ls.service) else { return false }
            // A rule naming a category or service the entry does not constrain is about something else.
            if category == nil, ls.category != nil { return false }
            if service == nil, ls.service != nil { return false }
            return true
        }

        func source(of sigmaField: String) -> SigmaFieldSource {
            fields[sigmaField.lowercased()] ?? .column(sigmaField)
        }
    }

    public let bindings: [Binding]

    /// The mapping shipped with exhunt.
    public static let standard: SigmaLogSourceMap = {
        do { return try SigmaLogSourceMap(yaml: String(decoding: try DetectionData.data("sigma/logsources.yml"), as: UTF8.self)) } catch {
            fatalError("the packaged Sigma mapping sigma/logsources.yml is invalid: \(error)")
        }
    }()

    /// The entries a rule binds to (none: its log source is not mapped).
    public func bindings(for ls: SigmaLogSource) -> [Binding] { bindings.filter { $0.accepts(ls) } }

    /// What a rule with this log source needs loaded to run at all: the kinds and channels of its entries, named
    /// as a responder would collect them (`Microsoft-Windows-Sysmon/Operational or Security event logs`). A rule
    /// reading whole kinds shares the built-in rules' need (`IIS or HttpProxy logs`), so coverage lists them
    /// together. Nil when no entry takes the log source.
    public func need(for ls: SigmaLogSource) -> EvidenceNeed? { need(for: [ls]) }

    /// What a rule reading events of any of `sources` needs (a built-in rule taking Sysmon 1, 10 and 11 and
    /// Security 4688): the entries of them all, as for one log source. Nil when none is mapped.
    public func need(for sources: [SigmaLogSource]) -> EvidenceNeed? {
        var mine: [Binding] = []
        for ls in sources { for b in bindings(for: ls) where !mine.contains(b) { mine.append(b) } }
        guard !mine.isEmpty else { return nil }
        var kinds: [SourceKind] = []
        for b in mine where !kinds.contains(b.kind) { kinds.append(b.kind) }
        var channels: [SourceKind: [String]] = [:]
        var names: [String] = []
        for kind in kinds {
            let of = mine.filter { $0.kind == kind }
            guard of.allSatisfy({ $0.channel != nil }) else {
                names.append(EvidenceNeed.reading([kind]).label)
                continue
            }
            var seen: [String] = []
            for b in of where !seen.contains(b.channel!) { seen.append(b.channel!) }
            channels[kind] = seen
            let named = seen.map { c in of.first { $0.channel == c }?.channelName ?? c }
            names.append(named.joined(separator: " or ") + " " + EvidenceNeed.reading([kind]).label)
        }
        if channels.isEmpty { return .reading(kinds) }
        return EvidenceNeed(names.joined(separator: " or "), kinds: kinds, channels: channels)
    }

    struct MappingError: Error, CustomStringConvertible {
        let description: String
    }

    public init(yaml: String) throws {
        guard let root = try Yams.compose(yaml: yaml)?.mapping, let list = root["mappings"]?.sequence else {
            throw MappingError(description: "no 'mappings' list")
        }
        var out: [Binding] = []
        for (i, entry) in list.enumerated() {
            let line = entry.mark?.line ?? 0
            guard let m = entry.mapping, let ls = m["logsource"]?.mapping, let ev = m["evidence"]?.mapping,
                  let kind = ev["kind"]?.string else {
                throw MappingError(description: "line \(line): an entry needs 'logsource' and 'evidence' with 'kind'")
            }
            for (k, _) in m where !["logsource", "evidence", "fields"].contains(k.string ?? "") {
                throw MappingError(description: "line \(k.mark?.line ?? line): unknown key '\(k.string ?? "")'")
            }
            for (k, _) in ls where !["category", "product", "service"].contains(k.string ?? "") {
                throw MappingError(description: "line \(k.mark?.line ?? line): unknown logsource key '\(k.string ?? "")'")
            }
            for (k, _) in ev where !["kind", "channel", "where"].contains(k.string ?? "") {
                throw MappingError(description: "line \(k.mark?.line ?? line): unknown evidence key '\(k.string ?? "")'")
            }
            var conditions: [String: Set<String>] = [:]
            for (k, v) in ev["where"]?.mapping ?? [:] {
                let values = v.sequence.map { $0.compactMap(\.string) } ?? [v.string].compactMap { $0 }
                conditions[k.string ?? ""] = Set(values.map { $0.lowercased() })
            }
            var fields: [String: SigmaFieldSource] = [:]
            for (k, v) in m["fields"]?.mapping ?? [:] {
                guard let name = k.string else { continue }
                if let s = v.string {
                    if s.hasPrefix("@") {
                        guard let f = InternedField.allCases.first(where: { $0.name == s.dropFirst() }) else {
                            throw MappingError(description: "line \(v.mark?.line ?? line): no indexed column '\(s)'")
                        }
                        fields[name.lowercased()] = .interned(f)
                    } else {
                        fields[name.lowercased()] = .column(s)
                    }
                } else if let j = v.mapping, let parts = j["join"]?.sequence?.compactMap(\.string) {
                    fields[name.lowercased()] = .join(parts, j["separator"]?.string ?? "")
                } else {
                    throw MappingError(description: "line \(v.mark?.line ?? line): '\(name)' maps to a name, '@column' or {join: [...]}")
                }
            }
            out.append(Binding(category: ls["category"]?.string?.lowercased(), product: ls["product"]?.string?.lowercased(),
                               service: ls["service"]?.string?.lowercased(), kind: SourceKind(kind),
                               channel: ev["channel"]?.string?.lowercased(), channelName: ev["channel"]?.string, conditions: conditions, fields: fields, index: i))
        }
        bindings = out
    }
}

/// Where a Sigma field's value comes from in one kind of evidence.
enum SigmaFieldSource: Sendable, Hashable {
    /// An indexed column: compared once per distinct value.
    case interned(InternedField)
    /// A field of the event by the evidence's own name.
    case column(String)
    /// Non-empty values of several fields joined (`cs-uri-query` = stem `?` query).
    case join([String], String)
}
