/// A path-confused `autodiscover.json` burst aimed only at PowerShell, carrying no `X-Rps-CAT` and naming no user:
/// the line cannot say whether it is ProxyShell (CVE-2021-34473, unauthenticated; its PowerShell step forges
/// `X-Rps-CAT`, but the SSRF alone reaches the back end without it) or ProxyNotShell (CVE-2022-41040, authenticated,
/// its request the same path confusion towards `/powershell`), since an IIS or HttpProxy line with no user does not
/// prove the request had none. Calling it ProxyShell alone put a 2022 request on a CU12 server outside every exposure
/// window (reviewer); naming both lets `check-build` and the report place it in whichever window the server's build
/// left open. A burst that also reached another back-end path (`/mapi/nspi`, the LegacyDN lookup ProxyNotShell has no
/// need of) stays ProxyShell's.
enum PowerShellWithoutUser {
    struct Naming {
        let title: String
        let cves: [String]
        let note: String
    }

    static let both = Naming(
        title: "ProxyShell or ProxyNotShell SSRF to PowerShell (CVE-2021-34473 or CVE-2022-41040)",
        cves: ["CVE-2021-34473", "CVE-2022-41040", "CVE-2022-41082"],
        note: "; aimed at PowerShell with no X-Rps-CAT and no user logged: ProxyShell's SSRF or ProxyNotShell's,"
            + " which the line cannot tell apart (check-build places it in the window the server's build left open)")

    /// `both` for an unauthenticated burst whose every request targets PowerShell, else nil (the rule's own naming).
    static func naming(_ requests: [ExplicitLogonRequest]) -> Naming? {
        !requests.isEmpty && requests.allSatisfy { $0.targetsPowerShell && !$0.authenticated && !$0.rpsCat } ? both : nil
    }
}
