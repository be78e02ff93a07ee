/// A loaded rule that ran on a server but cannot match there: in each log-source entry the server has, either
/// no event the entry selects is loaded (a Security log without 4688: process auditing off), or a field the
/// rule needs never holds a value (IIS logging without `cs(Cookie)`, Sysmon without `Hashes`). Said beside the
/// coverage gaps: its silence is not "nothing there".
public struct FieldGap: Sendable, Hashable {
    /// One entry of the rule's log source on the server, and why the rule cannot match in it.
    public struct Source: Sendable, Hashable {
        /// What the entry selects, as a responder names it: `Security event 4688`, `IIS logs`.
        public let selection: String
        /// True when `selection` names several things (`IIS logs`), false for one event type.
        public let plural: Bool
        /// The fields the rule needs that no selected event holds, as the rule writes them, each with the
        /// evidence's own name where the mapping reads another (`ParentImage (ParentProcessName)`); empty when
        /// no event was selected at all.
        public let fields: [String]

        public init(selection: String, plural: Bool, fields: [String]) {
            self.selection = selection
            self.plural = plural
            self.fields = fields
        }

        /// `no Security event 4688 is loaded`, `IIS logs never hold a value for cs-cookie`.
        public var phrase: String {
            if fields.isEmpty { return "no \(selection) \(plural ? "are" : "is") loaded" }
            return "\(selection) never hold\(plural ? "" : "s") a value for \(fields.joined(separator: ", "))"
        }
    }

    public let server: String
    /// The id the rule's findings carry (`sigma:<id>`).
    public let rule: String
    /// The evidence the rule's log source binds to.
    public let need: EvidenceNeed
    /// Every entry of the rule's log source the server has files of, in mapping order.
    public let sources: [Source]
    /// True when the rule can match but a filter it negates cannot apply for want of `sources`' fields: it
    /// fires on what the filter was written to keep out (a misspelt field under `not`).
    public let filterExcludesNothing: Bool

    public init(server: String, rule: String, need: EvidenceNeed, sources: [Source], filterExcludesNothing: Bool = false) {
        self.server = server
        self.rule = rule
        self.need = need
        self.sources = sources
        self.filterExcludesNothing = filterExcludesNothing
    }

    /// Why the rule cannot match: its sources' phrases, sources lacking the same fields named together
    /// (`Sysmon event 1 and Security event 4688 never hold a value for TargetFilename`).
    public var reason: String {
        var merged: [Source] = []
        for s in sources {
            if !s.fields.isEmpty, let i = merged.firstIndex(where: { $0.fields == s.fields }) {
                merged[i] = Source(selection: merged[i].selection + " and " + s.selection, plural: true, fields: s.fields)
            } else {
                merged.append(s)
            }
        }
        return merged.map(\.phrase).joined(separator: " and ")
    }
}
