import ExchangeEvidence

/// A process start from Sysmon event 1 or Security event 4688, with the names both use mapped together.
struct ProcessEvent {
    let id: EventID
    let image: String
    var parentImage: String
    let commandLine: String
    var parentCommandLine: String
    let user: String
    let processID: String
    let parentProcessID: String

    init?(_ store: EventStore, _ id: EventID) {
        let f = EventFields(store, id)
        let eid = f["EventID"] ?? ""
        let provider = (f["Provider"] ?? "").lowercased()
        if eid == "1" && provider.contains("sysmon") {
            image = f["Image"] ?? ""
            parentImage = f["ParentImage"] ?? ""
            parentCommandLine = f["ParentCommandLine"] ?? ""
            user = f["User"] ?? ""
            processID = f["ProcessId"] ?? ""
            parentProcessID = f["ParentProcessId"] ?? ""
        } else if eid == "4688" {
            image = f["NewProcessName"] ?? ""
            parentImage = f["ParentProcessName"] ?? ""
            parentCommandLine = ""
            user = [f["TargetUserName"], f["SubjectUserName"]].compactMap { $0 }.first { !$0.isEmpty && $0 != "-" } ?? ""
            processID = f["NewProcessId"] ?? ""
            parentProcessID = f["ProcessId"] ?? ""
        } else {
            return nil
        }
        self.id = id
        commandLine = f["CommandLine"] ?? ""
    }

    var imageName: String { Self.baseName(image) }
    var parentName: String { Self.baseName(parentImage) }

    static func baseName(_ path: String) -> String {
        String(path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last ?? "").lowercased()
    }

    /// The IIS application pool of a w3wp command line (`-ap "MSExchangeOWAAppPool"`).
    var appPool: String? {
        guard let r = parentCommandLine.range(of: "-ap \"") else { return nil }
        return String(parentCommandLine[r.upperBound...].prefix { $0 != "\"" })
    }
}
