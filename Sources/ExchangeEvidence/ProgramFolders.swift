import Foundation

/// Where exhunt's own files are (help, lessons, the training set, detection data, the build record), so
/// that a binary installed by `scripts/install` works from any folder. Looked for, in order:
/// 1. relative to the running binary: `PREFIX/share/exhunt` for `PREFIX/bin/exhunt` (an install), or the
///    SwiftPM build folder and the checkout around it (`swift build`);
/// 2. `$EXHUNT_HOME` (an install's `share/exhunt` or a checkout);
/// 3. the checkout this file was compiled from, if it still exists.
public enum ProgramFolders {
    /// The running executable, from `/proc/self/exe`: `argv[0]` is only a name when found through `PATH`.
    public static var executable: URL? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return Bundle.main.executableURL?.resolvingSymlinksInPath()
    }

    /// A data file in `resources`, e.g. `resource("builds/catalog.json")`; nil when it is not there.
    public static func resource(_ relativePath: String) -> URL? {
        guard let root = resources else { return nil }
        let url = root.appendingPathComponent(relativePath)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// `PREFIX/share/exhunt` of an installed binary, when it exists.
    public static var installedShare: URL? {
        guard let bin = executable?.deletingLastPathComponent() else { return nil }
        let share = bin.deletingLastPathComponent().appendingPathComponent("share/exhunt")
        return FileManager.default.fileExists(atPath: share.appendingPathComponent("help").path) ? share : nil
    }

    /// Folders that may hold `help/`, in the order above: the installed share, the folders above the binary
    /// (a checkout's `.build/debug/exhunt` is three below it), `$EXHUNT_HOME`, the compile-time checkout.
    public static var homes: [URL] {
        var out: [URL] = []
        if let installedShare { out.append(installedShare) }
        if var dir = executable?.deletingLastPathComponent() {
            for _ in 0..<5 { out.append(dir); dir.deleteLastPathComponent() }
        }
        if let home = ProcessInfo.processInfo.environment["EXHUNT_HOME"], !home.isEmpty {
            let url = URL(fileURLWithPath: home)
            out.append(url)
            out.append(url.appendingPathComponent("share/exhunt"))
        }
        out.append(checkout)
        return out
    }

    /// The checkout this library was built from (`Sources/ExchangeEvidence/` is two levels below it).
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// exhunt's data folder (`Resources`: indicator sets, build catalog, field mappings — the readers' too, so it
    /// is found from this lowest layer): an install's `share/exhunt/Resources`, SwiftPM's resource bundle beside
    /// the binary, then `$EXHUNT_HOME` and the checkout's `Sources/ExchangeDetection/Resources` (the package
    /// ships it as the detection library's resources). SwiftPM's own `Bundle.module` is not used: it stops the
    /// process when the bundle is missing.
    public static let resources: URL? = {
        var candidates: [URL] = []
        if let installedShare { candidates.append(installedShare.appendingPathComponent("Resources")) }
        if let bin = executable?.deletingLastPathComponent() {
            let bundle = bin.appendingPathComponent("exhunt_ExchangeDetection.resources")
            candidates += [bundle.appendingPathComponent("Resources"), bundle.appendingPathComponent("Contents/Resources/Resources")]
        }
        let bundle = Bundle.main.bundleURL.appendingPathComponent("exhunt_ExchangeDetection.resources")
        candidates.append(bundle.appendingPathComponent("Resources"))
        if let home = ProcessInfo.processInfo.environment["EXHUNT_HOME"], !home.isEmpty {
            let url = URL(fileURLWithPath: home)
            candidates += [url.appendingPathComponent("Resources"), url.appendingPathComponent("share/exhunt/Resources"),
                           url.appendingPathComponent("Sources/ExchangeDetection/Resources")]
        }
        candidates.append(checkout.appendingPathComponent("Sources/ExchangeDetection/Resources"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("iocs").path) }
    }()
}
