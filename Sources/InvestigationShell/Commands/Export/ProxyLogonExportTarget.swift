import ExchangeDetection
import ExchangeEvidence
import Foundation

/// `export proxylogon DIR`: Test-ProxyLogon's output files per server, from the hunt's findings.
struct ProxyLogonExportTarget: ExportTarget {
    var name: String { "proxylogon" }
    var summary: String { "Test-ProxyLogon's CSV and log files, per server" }
    var usage: String { "export proxylogon DIR [--force]" }
    var options: [OptionSpec] { [.flag("force", "replace the files an earlier export left in DIR")] }

    /// Written beside Test-ProxyLogon's files: the exhunt build, rules and commands that produced them
    /// (named where `load` knows it, so loading the folder back skips it).
    static let provenanceFile = ExhuntFiles.folderFile

    func run(_ words: [String], in ctx: CommandContext) throws {
        guard words.count == 1, let dir = words.first else { throw ShellError("export: usage: \(usage)") }
        try ctx.requireEvidence("export proxylogon")
        let store = ctx.session.store
        let result = HuntFindings.of(ctx.session).result(for: store)
        let url = URL(fileURLWithPath: (dir as NSString).expandingTildeInPath).standardizedFileURL
        // Evidence is never written to: refuse a directory inside a loaded evidence set.
        try ctx.session.refuseInsideEvidence(url.path, command: "export")
        // DIR is a folder to write into, and its provenance file is replaced only on request, never as a folder:
        // checked before anything is written, so no export is left without its provenance (reviewer).
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw ShellError("export: \(TerminalText.escape(dir)) is a file; name a folder for Test-ProxyLogon's files")
        }
        let provenance = url.appendingPathComponent(Self.provenanceFile).path
        try OutputPath.check(provenance, command: "export", creatingFolder: true, force: ctx.args.flag("force"))
        // Like `report` and `export timeline`: an earlier export is not overwritten silently.
        let earlier = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
            .filter { $0.contains("-Cve-2021-") || $0.hasSuffix("-other.csv") }.sorted()
        if !earlier.isEmpty && !ctx.args.flag("force") {
            throw ShellError("export: \(TerminalText.escape(dir)) already holds Test-ProxyLogon files (\(TerminalText.escape(earlier.prefix(3).joined(separator: ", ")))\(earlier.count > 3 ? ", …" : "")); add --force to replace them")
        }
        let names: [String]
        do {
            names = try ProxyLogonExport.write(store: store, findings: result.findings, to: url)
            if !names.isEmpty {
                try Data(Provenance.exportText(ctx.session).utf8)
                    .write(to: url.appendingPathComponent(Self.provenanceFile), options: .atomic)
            }
        } catch {
            throw ShellError("export: cannot write to \(TerminalText.escape(dir)): \(error.localizedDescription)")
        }
        // --force replaces the earlier export as a whole: a file it wrote that this run has no hit for would
        // otherwise stay beside the new ones and read as a current result.
        let stale = earlier.filter { !names.contains($0) } + (names.isEmpty && !earlier.isEmpty ? [Self.provenanceFile] : [])
        var removed = 0
        for name in stale {
            let path = url.appendingPathComponent(name).path
            guard (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular else { continue }
            do { try FileManager.default.removeItem(atPath: path); removed += 1 } catch {
                throw ShellError("export: cannot remove the earlier \(TerminalText.escape(path)): \(error.localizedDescription)")
            }
        }
        if ctx.wantsJSON {
            ctx.json(.object([("directory", .string(url.path)), ("files", .strings(names)), ("removed_earlier", .int(removed)),
                              ("provenance_file", names.isEmpty ? .null : .string(url.appendingPathComponent(Self.provenanceFile).path))]))
            return
        }
        let cleared = removed == 0 ? "" : "; \(removed) file\(removed == 1 ? "" : "s") of the earlier export removed"
        if names.isEmpty {
            ctx.line("nothing to export: no Test-ProxyLogon check has a hit (files are written only for hits, as the script does)" + cleared)
            return
        }
        for n in names { ctx.line(TerminalText.escape(url.appendingPathComponent(n).path)) }
        ctx.status("\(names.count) file\(names.count == 1 ? "" : "s") written" + cleared)
    }
}
