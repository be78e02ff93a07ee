import Foundation
import ExchangeEvidence

/// Archives (`.7z .zip .rar`) under `ProgramData`: HAFNIUM staged stolen data as `C:\ProgramData\it.zip` and
/// under `ProgramData\pst` (MSTIC, Sigma `proc_creation_win_apt_hafnium`). Test-ProxyLogon lists every one
/// (Type SuspiciousArchive); security and installer software keep archives there too, so those in a known
/// vendor's folder are reported at `low` (still reported: Microsoft declined name allow-lists, issue #145).
public struct ProgramDataArchiveRule: DetectionRule {
    public init() {}
    public let id = "files.programdata-archive"
    public let title = "Archive under ProgramData"
    public let cves: [String] = []
    public let severity = Severity.high
    public let sources = FilePaths.kinds
    public var needs: EvidenceNeed { .fileListing }
    public let help = "File listings: .7z/.zip/.rar under ProgramData (Test-ProxyLogon Get-SuspiciousFile, Type SuspiciousArchive); vendor folders low, HAFNIUM names high."

    static let extensions = [".7z", ".zip", ".rar"]
    /// Top-level ProgramData folders of software known to keep archives there.
    static let vendors: Set<String> = [
        "mcafee", "microsoft", "symantec", "package cache", "trend micro", "sophos", "kaspersky lab", "eset",
        "veeam", "vmware", "citrix", "adobe", "oracle", "chocolatey", "trellix", "crowdstrike", "sentinelone",
    ]

    public func run(on store: EventStore) -> [Finding] {
        let hits = FilePaths.events(store) { p in Self.extensions.contains { p.hasSuffix($0) } && Self.below(p) != nil }
        var vendorGroups: [String: [EventID]] = [:]
        var out: [Finding] = []
        for id in hits {
            let path = store.value(.urlStem, id)
            guard let rest = Self.below(path.lowercased().replacingOccurrences(of: "\\", with: "/").replacingOccurrences(of: "/", with: "\\")) else { continue }
            let first = rest.split(separator: "\\").first.map(String.init) ?? ""
            let depth = rest.split(separator: "\\").count
            if depth > 1 && Self.vendors.contains(first) {
                vendorGroups[store.server(of: id), default: []].append(id)
                continue
            }
            let hafnium = rest == "it.zip" || first == "pst"
            out.append(Finding(self, store: store, events: [id], severity: hafnium ? .high : .medium,
                               summary: "\(path): archive \(depth == 1 ? "directly in" : "under") ProgramData"
                                   + (hafnium ? " (HAFNIUM staging name)" : "") + WebShellFileRule.details(store, id)))
        }
        for (_, ids) in vendorGroups.sorted(by: { $0.key < $1.key }) {
            let folders = Dictionary(grouping: ids) { id -> String in
                let rest = Self.below(store.value(.urlStem, id).lowercased().replacingOccurrences(of: "/", with: "\\")) ?? ""
                return String(rest.split(separator: "\\").first ?? "")
            }.map { "\($0.key)×\($0.value.count)" }.sorted().joined(separator: ", ")
            out.append(Finding(self, store: store, events: ids, severity: .low, title: "Archives in vendor folders under ProgramData",
                               summary: "\(ids.count) archive\(ids.count == 1 ? "" : "s") in software folders (\(folders)), e.g. \(store.value(.urlStem, ids[0]))"))
        }
        return out
    }

    /// The part of a lower-case `\` path below `\programdata\`, or nil.
    static func below(_ p: String) -> String? {
        guard let r = p.range(of: "\\programdata\\") else { return nil }
        return String(p[r.upperBound...])
    }
}
