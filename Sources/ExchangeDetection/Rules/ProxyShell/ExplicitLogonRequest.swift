import ExchangeEvidence
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The front end's "explicit logon" path confusion behind ProxyShell (CVE-2021-34473) and ProxyNotShell
/// (CVE-2022-41040): a request for `/autodiscover/autodiscover.json` whose query carries `@domain/<back-end path>`
/// or `Email=autodiscover/autodiscover.json…` is cut at the `@` and proxied to the back-end path that follows,
/// e.g. `/autodiscover/autodiscover.json?@x.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@x.com`.
///
/// Legitimate clients send `autodiscover.json?Email=user%40contoso.com&Protocol=ActiveSync…`: an address, never
/// a back-end path after an `@`, and never `Email=autodiscover/…`. Reads IIS W3C and HttpProxy lines.
struct ExplicitLogonRequest: Sendable {
    let id: EventID
    let query: String
    /// The back-end path the request was steered to (`/mapi/nspi`, `/powershell`, …), or "" when only the
    /// `Email=autodiscover/autodiscover.json` marker was seen.
    let target: String
    /// The `X-Rps-CAT` token ProxyShell forges to run PowerShell as an Exchange user (CVE-2021-34523).
    let rpsCat: Bool
    let user: String
    /// The query percent-decoded once and lower-cased: `FooProtocol=%50owershell` names PowerShell too.
    let decoded: String

    var authenticated: Bool { !user.isEmpty && user != "-" }
    var targetsPowerShell: Bool { target.lowercased().hasPrefix("/powershell") || decoded.contains("powershell") }

    static let kinds = [SourceKind.iis, .httpProxy]
    static let backEndPaths = ["/mapi", "/powershell", "/ews", "/ecp", "/owa", "/oab", "/rpc", "/autodiscover", "/microsoft-server-activesync", "/api"]

    /// Every path-confused request of the loaded web logs, in id order; computed once per store generation and
    /// shared by the rules that read it (they run concurrently).
    static func all(_ store: EventStore) -> [ExplicitLogonRequest] { Cache.shared.requests(store) }

    /// Stems that carry the path confusion: `autodiscover.json` itself, and the front-end roots the ProxyNotShell
    /// variants use (`/owa/?&Email=autodiscover/autodiscover.json%3F@…`). Tested once per distinct stem; only
    /// these requests' queries are read.
    static func compute(_ store: EventStore) -> [ExplicitLogonRequest] {
        let json = "autodiscover.json".lowerBytes
        let roots: Set<String> = ["/owa", "/owa/", "/ecp", "/ecp/", "/mapi/nspi", "/mapi/nspi/"]
        let candidates = store.events(where: .urlStem, kinds: kinds) { s in
            ByteMatch.find(json, in: s) != nil || (s.count <= 12 && roots.contains(String(decoding: s, as: UTF8.self).lowercased()))
        }
        return candidates.compactMap { classify($0, store: store) }
    }

    /// The marker of explicit-logon path confusion: `autodiscover.json` followed by `?@` (or `%3F@`, `%3F%40`) —
    /// in the query (`?@evil.corp/mapi/nspi`) and in the `Email=autodiscover/autodiscover.json%3F@evil.corp` value
    /// the front end strips from the path — or that value's `autodiscover/autodiscover.json` itself, which the
    /// variants written to slip past the URL-rewrite mitigation keep while dropping the `@`
    /// (`?&Email=autodiscover/autodiscover.json?a..foo.var&…FooProtocol=Powershell`, or `%253F%40`). Found by walking
    /// the rare letter `j` with memchr, so the query (split from the line, the costly part) is read only for lines
    /// that carry it; Outlook's `autodiscover.json?Email=alice%40contoso.com` does not.
    static func plausible(_ line: UnsafeRawBufferPointer) -> Bool {
        queryStartsWithAt(line) || anyOccurrence(of: [UInt8(ascii: "j"), UInt8(ascii: "J")], in: line) { at in
            followsJSON(line, at) || followsEmailValue(line, at)
        }
    }

    /// Whether `test` holds at some occurrence of one of `bytes` in `line`, the occurrences found with memchr.
    private static func anyOccurrence(of bytes: [UInt8], in line: UnsafeRawBufferPointer, where test: (Int) -> Bool) -> Bool {
        guard let base = line.baseAddress else { return false }
        let n = line.count
        for byte in bytes {
            var p = 0
            while p < n, let hit = memchr(base + p, Int32(byte), n - p) {
                let at = base.distance(to: UnsafeRawPointer(hit))
                if test(at) { return true }
                p = at + 1
            }
        }
        return false
    }

    /// `json?@`, `json%3f@`, `json%3f%40` at `at` (case-insensitive).
    private static func followsJSON(_ line: UnsafeRawBufferPointer, _ at: Int) -> Bool {
        func lower(_ i: Int) -> UInt8 { i < line.count ? ByteMatch.lower(line[i]) : 0 }
        guard lower(at + 1) == UInt8(ascii: "s"), lower(at + 2) == UInt8(ascii: "o"), lower(at + 3) == UInt8(ascii: "n") else { return false }
        let q = at + 4
        if lower(q) == UInt8(ascii: "?") { return lower(q + 1) == UInt8(ascii: "@") }
        guard lower(q) == UInt8(ascii: "%"), lower(q + 1) == UInt8(ascii: "3"), lower(q + 2) == UInt8(ascii: "f") else { return false }
        return lower(q + 3) == UInt8(ascii: "@") || (lower(q + 3) == UInt8(ascii: "%") && lower(q + 4) == UInt8(ascii: "4") && lower(q + 5) == UInt8(ascii: "0"))
    }

    /// A column starting with `@` or `%40`, after a `?` or not: the query of a bare `?@evil.com/mapi/nspi` probe,
    /// which carries no `Email=` value. (IIS writes the query right after the stem without its `?`; HttpProxy
    /// writes it with its `?` as column 66, far from the stem.) An address's `@` follows its name, never a separator.
    private static func queryStartsWithAt(_ line: UnsafeRawBufferPointer) -> Bool {
        anyOccurrence(of: [UInt8(ascii: "@"), UInt8(ascii: "%")], in: line) { at in
            if line[at] == UInt8(ascii: "%") && !(at + 2 < line.count && line[at + 1] == UInt8(ascii: "4") && line[at + 2] == UInt8(ascii: "0")) {
                return false
            }
            var b = at - 1
            if b >= 0 && line[b] == UInt8(ascii: "?") { b -= 1 }
            return b >= 0 && (line[b] == UInt8(ascii: ",") || line[b] == UInt8(ascii: " "))
        }
    }

    /// `=autodiscover/autodiscover.` (the slash also as `%2F`, the `=` also as `%3D`) just before the `j` at `at`
    /// (case-insensitive): a value in the query. Without the `=`, every request for the stem
    /// `/autodiscover/autodiscover.json` itself (Outlook's, thousands a day) passed, and each had its query split
    /// and decoded: half of `hunt`'s time on the bench's logs.
    private static func followsEmailValue(_ line: UnsafeRawBufferPointer, _ at: Int) -> Bool {
        let before = UnsafeRawBufferPointer(rebasing: line[..<at])
        for value in [emailValue, emailValueEncoded] where ByteMatch.hasSuffix(value, before) {
            let lead = UnsafeRawBufferPointer(rebasing: before[..<(before.count - value.count)])
            if lead.last == UInt8(ascii: "=") || ByteMatch.hasSuffix(assignEncoded, lead) { return true }
        }
        return false
    }

    private static let emailValue = Array("autodiscover/autodiscover.".utf8)
    private static let emailValueEncoded = Array("autodiscover%2fautodiscover.".utf8)
    private static let assignEncoded = Array("%3d".utf8)

    static func classify(_ id: EventID, store: EventStore) -> ExplicitLogonRequest? {
        guard store.withRawLine(id, plausible) else { return nil }
        let query = store.urlQuery(of: id)
        let decoded = (query.removingPercentEncoding ?? query)
        let lower = decoded.lowercased()
        let stem = store.value(.urlStem, id).lowercased()
        let marker = lower.contains("email=autodiscover/autodiscover.json") || lower.contains("autodiscover.json?@")
        var target = ""
        if stem.contains("autodiscover.json"), let at = lower.firstIndex(of: "@") {
            // `?@domain/path…`: the path after the first `/` following the `@`.
            let after = lower[lower.index(after: at)...]
            if let slash = after.firstIndex(of: "/") {
                let path = String(after[slash...].prefix { $0 != "?" && $0 != "&" && $0 != "#" })
                if backEndPaths.contains(where: { path.hasPrefix($0) }) { target = path }
            }
        }
        guard marker || !target.isEmpty else { return nil }
        return ExplicitLogonRequest(id: id, query: query, target: target, rpsCat: lower.contains("x-rps-cat="),
                                    user: store.value(.user, id), decoded: lower)
    }

    /// The last store's requests (one store is hunted at a time; a new generation recomputes).
    final class Cache: @unchecked Sendable {
        static let shared = Cache()
        private let lock = NSLock()
        private weak var store: EventStore?
        private var generation = -1
        private var value: [ExplicitLogonRequest] = []

        func requests(_ store: EventStore) -> [ExplicitLogonRequest] {
            lock.lock()
            defer { lock.unlock() }
            if self.store === store && generation == store.generation { return value }
            value = ExplicitLogonRequest.compute(store)
            self.store = store
            generation = store.generation
            return value
        }
    }

    /// `POST /autodiscover/autodiscover.json → /mapi/nspi ×3 from 1.2.3.4 (status 200×3; UA python-requests/2.25.1)`
    static func describe(_ requests: [ExplicitLogonRequest], store: EventStore) -> String {
        let ids = requests.map(\.id)
        var targets: [String] = []
        for r in requests where !targets.contains(r.target.isEmpty ? "Email=autodiscover/…" : r.target) {
            targets.append(r.target.isEmpty ? "Email=autodiscover/…" : r.target)
        }
        let ip = Grouping.distinct(ids, .clientIP, in: store)
        let users = Grouping.distinct(ids, .user, in: store).filter { $0 != "-" }
        return "\(Grouping.tally(ids, .method, in: store, limit: 2)) \(Grouping.tally(ids, .urlStem, in: store, limit: 2)) → "
            + targets.prefix(4).joined(separator: ", ") + (targets.count > 4 ? " +\(targets.count - 4) more" : "")
            + " from \(ip.isEmpty ? "unknown IP" : ip.prefix(4).joined(separator: ", "))"
            + (users.isEmpty ? ", unauthenticated" : " as \(users.prefix(2).joined(separator: ", "))")
            + "; status \(Grouping.tally(ids, .status, in: store)); UA \(Grouping.tally(ids, .userAgent, in: store, limit: 2))"
            + "; e.g. query '\(requests[0].query.oneLine(160))'"
    }

    /// High when a request was answered 2xx, medium when every one failed.
    static func severity(_ requests: [ExplicitLogonRequest], store: EventStore, high: Severity = .high) -> Severity {
        RequestMatch.succeeded(requests.map(\.id), store: store) ? high : .medium
    }
}
