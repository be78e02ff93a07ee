/// A loaded rule that ran on a server but cannot match there: the server's evidence of the rule's log source
/// holds no event it selects (a Security log without 4688: process auditing off), or never a value for a field
/// the rule needs (IIS logging without `cs(Cookie)`, Sysmon without `Hashes`). Said beside the coverage gaps:
/// its silence is not "nothing there".
public struct FieldGap: Sendable, Hashable {
    public let server: String
    /// The id the rule's findings carry (`sigma:<id>`).
    public let rule: String
    /// The evidence the rule's log source binds to.
    public let need: EvidenceNeed
    /// The fields the rule needs that no event of `need` on the server holds, as the rule writes them.
    public let fields: [String]
    /// The selections that found no event on the server (`Security event 4688`).
    public let eventsMissing: [String]

    public init(server: String, rule: String, need: EvidenceNeed, fields: [String], eventsMissing: [String] = []) {
        self.server = server
        self.rule = rule
        self.need = need
        self.fields = fields
        self.eventsMissing = eventsMissing
    }
}
