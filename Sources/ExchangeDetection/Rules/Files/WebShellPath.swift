import Foundation

/// Where web shells were planted in March 2021 and which files a standard Exchange install has there.
///
/// Directory rules from Volexity / CISA AA21-062A: any script page under `aspnet_client`; under
/// `FrontEnd\HttpProxy\owa\auth` anything not part of a standard install, and any page under `Current\` or a
/// version folder; under `FrontEnd\HttpProxy\ecp\auth` any file (not only pages) but `TimeoutLogoff.aspx`; on disk, any page
/// elsewhere under a protocol folder of `FrontEnd\HttpProxy` (`OAB\log.aspx` is a published HAFNIUM path, and
/// Splunk's "Detect Exchange Web Shell" watches `HttpProxy\OAB\`): these folders proxy requests to the back
/// end, and a standard install keeps pages there only in the `auth` folders above.
enum WebShellPath {
    /// The standard pages of `FrontEnd\HttpProxy\owa\auth` (the list Microsoft's and Elastic's checks use).
    static let standardOWAAuth: Set<String> = [
        "errorfe.aspx", "expiredpassword.aspx", "frowny.aspx", "getidtoken.htm", "logoff.aspx", "logon.aspx",
        "outlookcn.aspx", "redirsuiteserviceproxy.aspx", "signout.aspx", "svmfeedback.aspx",
    ]
    static let scriptExtensions = [".aspx", ".ashx", ".asmx"]

    /// Why a file path (Windows form, any case) is a likely web shell, or nil. Only script pages count, except
    /// in the front end's `ecp\auth`, where any file but `TimeoutLogoff.aspx` does (Volexity, CISA AA21-062A):
    /// a `TimeoutLogoff.aspx.bak` there is the original kept aside by whoever replaced the page.
    static func reason(file path: String) -> String? {
        let p = path.lowercased().replacingOccurrences(of: "/", with: "\\")
        let script = scriptExtensions.contains(where: { p.hasSuffix($0) })
        // A collected web file is known by the URL it answers on (`/owa/auth/x.aspx`), not a drive path.
        if p.hasPrefix("\\") && !p.hasPrefix("\\\\") { return script ? reason(stem: path.replacingOccurrences(of: "\\", with: "/")) : nil }
        let segments = p.split(separator: "\\").map(String.init)
        guard script || isFrontEndECPAuth(segments) else { return nil }
        let shown = path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).map(String.init)
        return reason(segments: segments, shown: shown, marker: "\\").map { restoringCase($0, of: path) }
    }

    /// `…\FrontEnd\HttpProxy\ecp\auth\NAME` (the file directly in that folder or below it).
    private static func isFrontEndECPAuth(_ s: [String]) -> Bool {
        indexOfPair(s, "ecp", "auth").map { $0 > 0 && s[$0 - 1] == "httpproxy" && $0 + 2 < s.count } ?? false
    }

    /// Why a requested URL stem is web-shell use, or nil.
    static func reason(stem: String) -> String? {
        let p = stem.lowercased()
        guard scriptExtensions.contains(where: { p.hasSuffix($0) }) else { return nil }
        return reason(segments: p.split(separator: "/").map(String.init), shown: stem.split(separator: "/").map(String.init),
                      marker: "/").map { restoringCase($0, of: stem) }
    }

    /// `s` are the path's segments lower-cased, `shown` the same segments as given (to quote a folder).
    private static func reason(segments s: [String], shown: [String], marker m: String) -> String? {
        guard let name = s.last else { return nil }
        if let i = s.firstIndex(of: "aspnet_client"), i < s.count - 1 {
            return "script page under \(m)aspnet_client\(m), which a standard install does not have"
        }
        // On disk only the front end's copies count (`FrontEnd\HttpProxy\owa\auth`); URLs have no such prefix.
        func frontEnd(_ i: Int) -> Bool { m == "/" || (i > 0 && s[i - 1] == "httpproxy") }
        if let i = indexOfPair(s, "owa", "auth"), i + 2 < s.count, frontEnd(i) {
            let below = s[(i + 2)..<(s.count - 1)]
            if let sub = below.first {
                if sub == "current" { return "script page under owa\(m)auth\(m)Current\(m)" }
                if isVersionFolder(sub) { return "script page under the version folder owa\(m)auth\(m)\(sub)\(m)" }
                return "script page in a non-standard folder under owa\(m)auth\(m)"
            }
            return standardOWAAuth.contains(name) ? nil : "'\(name)' is not a standard page of owa\(m)auth\(m)"
        }
        if let i = indexOfPair(s, "ecp", "auth"), i + 2 < s.count, frontEnd(i) {
            if name == "timeoutlogoff.aspx" { return nil }
            let aside = name.contains(".aspx.") ? " ('\(name)' looks like a page's original kept aside: compare the page with a clean server's)" : ""
            return "only TimeoutLogoff.aspx belongs in ecp\(m)auth\(m)" + aside
        }
        // The front end's protocol folders (`FrontEnd\HttpProxy\OAB\`, `…\ecp\`): on disk only, since their URLs
        // (`/ecp/…`) are also the back end's, which has pages of its own.
        if m == "\\", let i = indexOfPair(s, "frontend", "httpproxy"), i + 3 < s.count {
            let folder = shown.count == s.count ? shown[i + 2] : s[i + 2]
            return "script page under FrontEnd\\HttpProxy\\\(folder)\\, a proxy folder where HAFNIUM dropped shells"
        }
        return nil
    }

    /// The reason with the file name quoted as logged rather than lower-cased.
    private static func restoringCase(_ reason: String, of path: String) -> String {
        let name = String(path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last ?? "")
        return reason.replacingOccurrences(of: "'\(name.lowercased())'", with: "'\(name)'")
    }

    private static func indexOfPair(_ s: [String], _ a: String, _ b: String) -> Int? {
        guard s.count >= 2 else { return nil }
        for i in 0..<(s.count - 1) where s[i] == a && s[i + 1] == b { return i }
        return nil
    }

    /// `15.1.2375` and the like: Exchange serves versioned static files from such folders.
    static func isVersionFolder(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}
