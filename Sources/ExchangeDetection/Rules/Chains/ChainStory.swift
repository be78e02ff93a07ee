import ExchangeEvidence

/// An attack told as one story on one server: a start step (the exploit) followed within a day by a step that
/// proves it worked (a write, a cmdlet, code running); the finding names the steps of that story and the public
/// client IPs of its web requests. Further exploit requests belong to it only within the day after the start
/// (mass scanning went on for months after March 2021); the other steps join while each follows the story's
/// previous one within `followUp`, and the title names only the confirming steps of that first day. Activity
/// after a longer pause keeps its own findings: a write eleven days on, or a dump months later, is not evidence
/// of this exploit, and `mark finding` on the chain must not mark it malicious with the rest. A later start that
/// is confirmed within its own day opens a story of its own.
/// `chain.proxylogon`, `chain.proxyshell` and `chain.proxynotshell` are stories over other rules' findings.
struct ChainStory: Sendable {
    struct Step: Sendable {
        let label: String
        let rules: [String]
        /// A step that can open the story (its findings count from high severity, others from medium).
        var starts = false
        /// A step whose presence within the window proves the start succeeded.
        var confirms = false
        /// Its findings rest on web requests, whose client IPs name the attacker.
        var web = false
        /// The least severity of its findings that counts, where it is not the default (high for a step that can
        /// open the story, else medium): web-shell use counts from high, so a scanner's probe for the page (medium)
        /// neither joins the story nor names the scanner as the attacker.
        var least: Severity? = nil
        /// A CVE its findings must name, where the step takes only some of a rule's findings: ProxyNotShell's story
        /// starts from the `proxyshell.ssrf` findings that cannot be told from ProxyNotShell (they name CVE-2022-41040).
        var naming: String? = nil
    }

    let steps: [Step]
    static let window: Int64 = 86_400_000
    /// The longest pause between a story's steps after which web-shell use or post-exploitation still joins it
    /// (web shells planted in the first night were typically used over the following days).
    static let followUp: Int64 = 7 * 86_400_000
    /// How long after its step's first finding a rule's own first finding is named with its time.
    static let apart: Int64 = 3_600_000

    /// Rule id → index of the step it stands for.
    var stepOf: [String: Int] {
        var out: [String: Int] = [:]
        for (i, s) in steps.enumerated() { for r in s.rules { out[r] = i } }
        return out
    }

    var ruleIDs: [String] { steps.flatMap(\.rules).sorted() }

    /// Post-exploitation seen on the host, shared by the stories.
    static let postExploitation = ["process.webserver-shell", "process.lsass-dump", "files.lsass-dump", "process.7zip-programdata",
                                   "process.exchange-snapin", "files.programdata-archive", "exchange.transport-agent", "exchange.mailbox-forwarding"]

    func findings(of rule: any DetectionRule, prior: [Finding], store: EventStore) -> [Finding] {
        let stepOf = self.stepOf
        let relevant = prior.filter { f in
            guard let step = stepOf[f.rule], f.time != Timestamp.unknown else { return false }
            if let cve = steps[step].naming, !f.cves.contains(cve) { return false }
            return f.severity >= (steps[step].least ?? (steps[step].starts ? .high : .medium))
        }
        var out: [Finding] = []
        for (server, findings) in Dictionary(grouping: relevant, by: \.server).sorted(by: { $0.key < $1.key }) {
            let ordered = findings.sorted { $0.time < $1.time }
            // Each start that a confirming step follows within the window opens a story, unless an earlier story
            // already holds it: an exploitation months after the first is a story of its own.
            var told = Set<Int>()
            for (i, s) in ordered.enumerated() where steps[stepOf[s.rule]!].starts && !told.contains(i) {
                guard ordered.contains(where: { f in
                    steps[stepOf[f.rule]!].confirms && f.time >= s.time && f.time - s.time <= Self.window
                }) else { continue }
                let members = story(from: i, in: ordered, stepOf: stepOf, excluding: told)
                told.formUnion(members)
                out.append(chain(rule, server: server, start: s, story: members.map { ordered[$0] }, store: store))
            }
        }
        return out
    }

    /// The findings that belong to the story opened by `ordered[first]` (`ordered` by time): start steps within
    /// `window` of it, other steps while each follows the story's previous one within `followUp`.
    /// Indexes into `ordered`; findings of the same moment as the start belong to it whatever their order, those
    /// an earlier story told do not.
    private func story(from first: Int, in ordered: [Finding], stepOf: [String: Int], excluding told: Set<Int>) -> [Int] {
        let start = ordered[first]
        var out: [Int] = []
        var last = start.time
        for (i, f) in ordered.enumerated() where f.time >= start.time && !told.contains(i) {
            if steps[stepOf[f.rule]!].starts {
                if f.time - start.time <= Self.window { out.append(i) }
            } else if f.time - last <= Self.followUp {
                out.append(i)
                last = f.time
            }
        }
        return out
    }

    /// Several attacker addresses, each with when it first appears and the steps it appears in: a shell used days
    /// later from another address reads as that, not as part of the exploit (instructor review: one list merged
    /// the exploit's client with one seen only two days on).
    private func described(_ ips: [String], in findings: [Finding], stepOf: [String: Int], store: EventStore) -> String {
        var first: [String: Int64] = [:]
        var stepsOf: [String: [Int]] = [:]
        for f in findings {
            let step = stepOf[f.rule]!
            for e in f.events {
                let ip = store.value(.clientIP, e)
                guard ips.contains(ip) else { continue }
                if store.time[e] != Timestamp.unknown { first[ip] = min(first[ip] ?? Int64.max, store.time[e]) }
                if !(stepsOf[ip] ?? []).contains(step) { stepsOf[ip, default: []].append(step) }
            }
        }
        return ips.sorted { (first[$0] ?? Int64.max, $0) < (first[$1] ?? Int64.max, $1) }.map { ip in
            let labels = (stepsOf[ip] ?? []).sorted().map { steps[$0].label }
            return ip + " (" + (first[ip].map { "from \(Timestamp.short($0)), " } ?? "") + labels.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
    }

    private func chain(_ rule: any DetectionRule, server: String, start: Finding, story: [Finding], store: EventStore) -> Finding {
        let stepOf = self.stepOf
        // One part per step with the time it was first seen and the rules that saw it, in time order
        // (steps seen at the same moment keep the attack's order).
        var parts: [(time: Int64, step: Int, text: String)] = []
        for (i, step) in steps.enumerated() {
            let seen = story.filter { stepOf[$0.rule] == i }
            guard let first = seen.min(by: { $0.time < $1.time }) else { continue }
            var rules: [String] = []
            for f in seen where !rules.contains(f.rule) { rules.append(f.rule) }
            // A rule first seen hours after its step began (a second shell written the next night) says when, so
            // the step's one time does not claim it (reviewer).
            let named = rules.map { rule -> String in
                let at = seen.filter { $0.rule == rule }.map(\.time).min()!
                return at - first.time > Self.apart ? "\(rule) \(Timestamp.short(at))" : rule
            }
            parts.append((first.time, i, "\(step.label) \(Timestamp.short(first.time)) (\(named.joined(separator: ", ")))"))
        }
        parts.sort { $0.time != $1.time ? $0.time < $1.time : $0.step < $1.step }
        // The attacker: the clients of the exploit requests up to its confirmation and of the shell's use. Exploit
        // requests after it from other clients (the day's mass scanning) are named apart, not as the intruder
        // (reviewer: two scanners were listed as attacker IPs).
        let confirmedAt = story.filter { steps[stepOf[$0.rule]!].confirms }.map(\.time).min() ?? Int64.max
        func publicIPs(_ findings: [Finding]) -> [String] {
            Grouping.distinct(findings.flatMap(\.events), .clientIP, in: store).filter { !InternalAddress.contains($0) }
        }
        let attackerFindings = story.filter { f in let s = steps[stepOf[f.rule]!]; return s.web && (!s.starts || f.time <= confirmedAt) }
        let ips = publicIPs(attackerFindings)
        let later = publicIPs(story.filter { steps[stepOf[$0.rule]!].starts && $0.time > confirmedAt }).filter { !ips.contains($0) }
        let events = store.sortedByTime(Array(Set(story.flatMap(\.events))))
        let first = story[0]
        // The CVEs of the steps actually seen, in the rule's order.
        let seen = Set(story.flatMap(\.cves))
        // The title says what was seen — the start, then the confirming steps found — not the rule's whole story
        // ("SSRF then file write" over an SSRF and a virtual-directory change claimed a write that was not there).
        let confirmed = parts.filter { steps[$0.step].confirms && $0.time - start.time <= Self.window }.map { steps[$0.step].label }
        let name = rule.title.split(separator: ":").first.map(String.init) ?? rule.title
        let list = confirmed.count < 2 ? confirmed.joined() : confirmed.dropLast().joined(separator: ", ") + " and " + confirmed.last!
        let title = "\(name): \(steps[stepOf[start.rule]!].label) then \(list)"
        return Finding(rule: rule.id, title: title, cves: rule.cves.filter(seen.contains), severity: .critical, server: server,
                       time: first.time, events: events, file: first.file, line: first.line,
                       summary: parts.map(\.text).joined(separator: " → ") + "; attacker IPs: "
                           + (ips.isEmpty ? "none recorded" : ips.count == 1 ? ips[0] : described(ips, in: attackerFindings, stepOf: stepOf, store: store))
                           + (later.isEmpty ? "" : "; exploit requests after the exploit had worked, from other clients: " + later.joined(separator: ", ")))
    }
}
