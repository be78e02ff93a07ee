/// A loaded rule that ran on a server but cannot match there, because a field it needs never holds a value in
/// that server's evidence of its kind (IIS logging without `cs(Cookie)`, Sysmon without `Hashes`, 4688 without
/// the command line). Said beside the coverage gaps: its silence is not "nothing there".
public struct FieldGap: Sendable, Hashable {
    public let server: String
    /// The id the rule's findings carry (`sigma:<id>`).
    public let rule: String
    /// The evidence the rule's log source binds to.
    public let need: EvidenceNeed
    /// The fields the rule names that no event of `need` on the server holds, as the rule writes them.
    public let fields: [String]

    public init(server: String, rule: String, need: EvidenceNeed, fields: [String]) {
        self.server = server
        self.rule = rule
        self.need = need
        self.fields = fields
    }
}
