import ExchangeEvidence

/// One record of the `MSExchange Management` cmdlet log (provider `MSExchange CmdletLogs`): event 1 when the
/// cmdlet succeeded, 6 when it failed. Its values have no names of their own; the readers name them by position
/// from `mappings/event-data-names.tsv` (`CmdletName`, `CmdletParameters`, `Caller`, `Process`, e.g. `8372
/// w3wp#MSExchangePowerShellAppPool`, and `Error` on event 6).
struct CmdletEvent {
    let id: EventID
    let cmdlet: String
    let parameters: String
    let caller: String
    let process: String
    let error: String
    let failed: Bool

    init?(_ store: EventStore, _ id: EventID) {
        let f = EventFields(store, id)
        guard (f["Provider"] ?? "").lowercased() == "msexchange cmdletlogs" || (f["Channel"] ?? "").lowercased() == "msexchange management",
              let cmdlet = f["CmdletName"], !cmdlet.isEmpty
        else { return nil }
        self.id = id
        self.cmdlet = cmdlet
        parameters = f["CmdletParameters"] ?? ""
        caller = f["Caller"] ?? ""
        process = f["Process"] ?? ""
        error = f["Error"] ?? ""
        failed = f["EventID"] == "6"
    }

    /// `by CALLER via PROCESS`, and the error's first line when the cmdlet failed.
    var context: String {
        var s = ""
        if !caller.isEmpty { s += " by \(caller)" }
        if !process.isEmpty { s += " via \(process)" }
        if failed { s += "; failed" + (error.isEmpty ? "" : ": \(error.oneLine(160))") }
        return s
    }

    /// Events of the cmdlet log whose stored line mentions `needle` and whose cmdlet is one of `names`.
    static func events(_ store: EventStore, mentioning needle: String, cmdlets names: Set<String>) -> [CmdletEvent] {
        store.events(containing: needle, kinds: [.eventLog]).compactMap { id in
            guard let c = CmdletEvent(store, id), names.contains(c.cmdlet.lowercased()) else { return nil }
            return c
        }
    }
}
