import CYara
import ExchangeEvidence
import Foundation

/// Resolves a rule file's `include "NAME"` the way the `yara` tool does for a file it was given: relative to the
/// folder of the file that holds the directive (an absolute NAME as written), never from the working directory,
/// so a rule set loads the same from wherever exhunt was started. The files read are kept with their SHA-256.
///
/// libyara compiles exhunt's sources from memory (so the bytes run are those whose SHA-256 was recorded), which
/// leaves it no file name to resolve against; this callback supplies it.
final class YaraIncludes {
    /// An included file as read.
    struct File: Hashable {
        let path: String
        let sha256: String
        let bytes: [UInt8]
    }

    /// The top-level file being compiled: the folder its own includes are resolved in.
    var current = ""
    private(set) var files: [File] = []
    /// The path each include name resolved to, by the name libyara keeps for the file it then reads (the name as
    /// written): a nested include is resolved against that file's folder.
    private var resolved: [String: String] = [:]
    /// Where an include that could not be read was looked for, by name, for the error message.
    private(set) var missing: [String: String] = [:]

    /// Installs the callback on `compiler`; `self` must outlive the compilation.
    func install(on compiler: UnsafeMutablePointer<YR_COMPILER>) {
        yr_compiler_set_include_callback(compiler, { name, caller, _, user in
            guard let name, let user else { return nil }
            let me = Unmanaged<YaraIncludes>.fromOpaque(user).takeUnretainedValue()
            return me.read(String(cString: name), from: caller.map { String(cString: $0) })
        }, { text, _ in free(UnsafeMutableRawPointer(mutating: text)) }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// The included file's text as a C string libyara frees through the free callback; nil when it cannot be read.
    private func read(_ name: String, from caller: String?) -> UnsafePointer<CChar>? {
        let base = caller.map { resolved[$0] ?? $0 } ?? current
        let path = name.hasPrefix("/") ? name
            : URL(fileURLWithPath: base).deletingLastPathComponent().appendingPathComponent(name).standardizedFileURL.path
        guard let data = FileManager.default.contents(atPath: path) else {
            missing[name] = path
            return nil
        }
        let bytes = [UInt8](data)
        resolved[name] = path
        let file = File(path: path, sha256: SHA256.hex(bytes), bytes: bytes)
        if !files.contains(file) { files.append(file) }
        let out = malloc(bytes.count + 1)!.assumingMemoryBound(to: CChar.self)
        data.copyBytes(to: UnsafeMutableRawBufferPointer(start: out, count: bytes.count))
        out[bytes.count] = 0
        return UnsafePointer(out)
    }

    /// The path an include written as `name` was read from, if it was.
    func path(named name: String) -> String? { resolved[name] }

    /// libyara's error for an include this callback could not read, saying which file it looked for.
    func explain(_ d: YaraDiagnostic) -> YaraDiagnostic {
        let prefix = "callback failed to provide include resource: "
        let name = String(d.message.dropFirst(prefix.count))
        guard d.message.hasPrefix(prefix), let path = missing[name] else { return d }
        return YaraDiagnostic(file: d.file, line: d.line, message: "can't open include file: \(name) (no file \(path); includes are read relative to the including file)",
                              isWarning: d.isWarning)
    }
}
