import Foundation
import ExchangeEvidence

/// CVE-2021-26858: the OAB generator logs `Download failed and temporary file '<path>' needs to be removed`
/// for the file it was made to write. Legitimate downloads go to `<install>\ClientAccess\OAB\Temp`; a UNC
/// path, a path elsewhere, or one that climbs out with `..` is the arbitrary file write.
///
/// Test-ProxyLogon compares against the registry's install path. The evidence does not carry it, so a local
/// path counts as benign when it runs through a `\ClientAccess\OAB\` folder without `..`.
public struct OABDownloadRule: DetectionRule {
    public init() {}
    public let id = "proxylogon.oab-download"
    public let title = "OAB generator wrote outside the OAB folder (CVE-2021-26858)"
    public let cves = ["CVE-2021-26858"]
    public let severity = Severity.high
    public let sources = [SourceKind.oabGenerator, .exchangeLog, .text, .oabDownloadPath]
    /// Needs the OAB generator log; text files are searched too, but are no substitute.
    public var needs: EvidenceNeed { .oabGenerator }
    public let help = "OABGeneratorLog 'Download failed and temporary file <path> needs to be removed' with <path> outside <install>\\ClientAccess\\OAB (Test-ProxyLogon Get-Cve26858)."

    public func run(on store: EventStore) -> [Finding] {
        let logged = store.events(containing: "download failed and temporary file", kinds: sources).compactMap { id in
            OABGeneratorLine.downloadPath(in: store.rawLine(id)).map { (id, $0) }
        }
        // Test-ProxyLogon's `-Cve-2021-26858-DownloadPaths.log` keeps only the paths, one a line.
        let exported = store.events(where: .urlStem, kinds: [.oabDownloadPath]) { _ in true }.map { ($0, store.value(.urlStem, $0)) }
        return (logged + exported).compactMap { id, path in
            guard let why = Self.suspicion(path) else { return nil }
            return Finding(self, store: store, events: [id],
                           summary: "Download failed and temporary file '\(path)' needs to be removed: \(why)")
        }
    }


    /// Why a path is not the OAB download folder, or nil when it is.
    static func suspicion(_ path: String) -> String? {
        let p = path.lowercased().replacingOccurrences(of: "/", with: "\\")
        if p.hasPrefix("\\\\") { return "UNC path" }
        let bytes = Array(p.utf8)
        guard bytes.count >= 3, (97...122).contains(bytes[0]), bytes[1] == UInt8(ascii: ":"), bytes[2] == UInt8(ascii: "\\")
        else { return "not a local absolute path" }
        if p.contains("\\..\\") || p.hasSuffix("\\..") { return "path climbs out with '..'" }
        if !p.contains("\\clientaccess\\oab\\") { return "path is outside <install>\\ClientAccess\\OAB" }
        return nil
    }
}
