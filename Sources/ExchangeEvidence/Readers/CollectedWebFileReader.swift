import Foundation

/// Copies of files from an Exchange server's web folders, collected into a server mirror.
extension SourceKind {
    public static let webFile = SourceKind("web-file")
}

/// Reads a collected web file as ONE event whose content the web-shell rules inspect (the China Chopper
/// `eval(Request[…], "unsafe")` one-liner, an OAB virtual-directory export carrying script).
///
/// Chosen by path, not content: web pages (`.aspx .ashx .asmx`) wherever they were collected, `.js .config`
/// files under `inetpub/wwwroot/` (any depth, `aspnet_client` included), `FrontEnd/HttpProxy/owa/auth/` or
/// `FrontEnd/HttpProxy/ecp/auth/`, and compiled pages `App_Web_*.dll` under `Temporary ASP.NET Files/` (one
/// event, no content). A page is never a log, whatever its folder: HAFNIUM dropped shells such as
/// `FrontEnd/HttpProxy/OAB/log.aspx`, a folder whose name would otherwise make it an HttpProxy log. The loader
/// tries binary readers first, so this reader wins over every text reader; its score (60) matters only against
/// other binary readers.
///
/// The line holds `Path` (relative to the evidence root), `WebPath` (the URL the file answers on, e.g.
/// `/owa/auth/x.aspx`, so it joins IIS requests), `Name`, `Size`, `Compiled` and `Content` (text, escaped,
/// at most 1 MiB, UTF-16 decoded). `url_stem` holds `WebPath`, or `Path` for compiled
/// pages and pages outside the web roots (no URL known). The time is unknown:
/// a copy's modification time (`EvidenceFile.modified`) is often the collection's, so the event does not take
/// it; rules that need a time (`webshell.content`) prefer the file listing's row and judge the copy's time.
public struct CollectedWebFileReader: EvidenceReader {
    public init() {}
    public var name: String { "web-file" }
    public var readsText: Bool { false }

    /// Web pages: collected anywhere. The other extensions only in the watched folders.
    static let pages: Set<String> = ["aspx", "ashx", "asmx"]
    static let extensions: Set<String> = pages.union(["js", "config"])
    /// Lower-case folders whose files are served, and where their URL path starts.
    static let webRoots = ["/inetpub/wwwroot/", "/frontend/httpproxy/"]
    static let watched = ["/inetpub/wwwroot/", "/frontend/httpproxy/owa/auth/", "/frontend/httpproxy/ecp/auth/"]
    static let contentLimit = 1 << 20

    public func score(path: String, head: UnsafeRawBufferPointer) -> Int {
        // Cheap test first: every file of a load is scored, and almost none are web files.
        guard let dot = path.utf8.lastIndex(of: UInt8(ascii: ".")), path.utf8.distance(from: dot, to: path.utf8.endIndex) <= 7,
              case let ext = String(path[path.index(after: dot)...]).lowercased(), ext == "dll" || Self.extensions.contains(ext)
        else { return 0 }
        return Self.classify(path) == nil ? 0 : 60
    }

    /// nil when the path is not a web file this reader takes; otherwise whether it is a compiled page, and its URL.
    static func classify(_ path: String) -> (compiled: Bool, webPath: String?)? {
        let lower = "/" + path.lowercased().replacingOccurrences(of: "\\", with: "/")
        let name = lower[(lower.lastIndex(of: "/").map { lower.index(after: $0) } ?? lower.startIndex)...]
        if lower.contains("/temporary asp.net files/"), name.hasPrefix("app_web_"), name.hasSuffix(".dll") {
            return (true, nil)
        }
        guard let dot = name.lastIndex(of: "."), case let ext = String(name[name.index(after: dot)...]),
              pages.contains(ext) || (extensions.contains(ext) && watched.contains(where: { lower.contains($0) }))
        else { return nil }
        let normalized = "/" + path.replacingOccurrences(of: "\\", with: "/")
        for root in webRoots {
            if let r = normalized.range(of: root, options: .caseInsensitive) {
                return (false, "/" + normalized[r.upperBound...])
            }
        }
        return (false, nil)
    }

    public func read(_ input: ReaderInput, into output: inout ReaderOutput) {
        output.kind = .webFile
        let kind = Self.classify(input.path)
        let compiled = kind?.compiled ?? false
        let webPath = kind?.webPath ?? ""
        let name = String(input.path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "")
        var pairs: [(String, String)] = [
            ("Path", input.path), ("WebPath", webPath), ("Name", name),
            ("Size", String(input.bytes.count)), ("Compiled", compiled ? "true" : "false"),
        ]
        var notKept = 0
        if !compiled {
            // A page padded with binary data can still hide a script: its content is kept either way.
            let decoded = TextDecoding.decode(Array(input.bytes))
            if decoded.isBinary {
                output.problems.add(LoadProblem("binary data in a web page: content kept as is (shown escaped)"))
            } else if let note = decoded.note {
                output.problems.add(LoadProblem(note))
            }
            var bytes = decoded.bytes
            if bytes.count > Self.contentLimit {
                output.problems.add(LoadProblem("content is \(bytes.count) bytes: the first \(Self.contentLimit) kept"))
                notKept = min(input.bytes.count, bytes.count - Self.contentLimit)
                bytes = Array(bytes.prefix(Self.contentLimit))
            }
            pairs.append(("Content", String(decoding: bytes, as: UTF8.self)))
        }
        let schema = output.batch.addSchema(FieldSchema(format: .keyValue, names: pairs.map(\.0)))
        var rendered: [UInt8] = []
        KeyValueWriter.append(pairs, to: &rendered)
        output.batch.append(offset: 0, length: rendered.count, line: 1, time: Timestamp.unknown, schema: schema)
        output.batch.set(.urlStem, webPath.isEmpty ? input.path : webPath)
        output.rendered = rendered
        // One event stands for the whole file, but for content beyond the limit (reported above).
        output.consumed(offset: 0, length: input.bytes.count - notKept, line: 1)
        output.skipped(offset: input.bytes.count - notKept, length: notKept, line: nil)
    }
}
