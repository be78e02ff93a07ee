import ExchangeEvidence

/// The one-line message the timeline, the export and the report show for an event, built per source
/// so each line says what happened: a request (`POST /ecp/y.js 200 from 5.2.69.14 "python-requests/2.25.1"`),
/// the cmdlet an ECP log or the cmdlet event log recorded, an event log entry's ID and key data, a listed file,
/// or the text line.
///
/// Messages hold evidence text unescaped; whoever prints them escapes (terminal, HTML, CSV).
public enum EventMessage {
    /// Longest message kept; the raw line is always available through `show`.
    public static let maxLength = 400

    public static func build(_ store: EventStore, _ e: EventID) -> String {
        let text: String
        switch store.kind(of: e).rawValue {
        case "httpproxy", "iis":
            // A line without a URL stem (cut off by the end of its file before it) shows as it is.
            text = store.valueID(.urlStem, e) == 0 ? store.rawLine(e) : request(store, e)
        case "ecp-server": text = ecpCommand(store, e) ?? generic(store, e)
        case "eventlog": text = windowsEvent(store, e)
        case "file-listing": text = listedFile(store, e)
        case "file-hash": text = hashedFile(store, e)
        case "web-file": text = "collected web file " + (store.field("Path", of: e) ?? store.value(.urlStem, e))
        case "text": text = store.rawLine(e)
        case "json": text = store.field("message", of: e) ?? generic(store, e)  // a Timesketch row keeps its message
        default: text = store.valueID(.method, e) != 0 ? request(store, e) : generic(store, e)
        }
        return clip(text)
    }

    /// The message as UTF-8 bytes appended to `out`: the same text as `build`, without building Strings for
    /// requests (most events), which is what makes exporting millions of events fast. `kind` is the event's
    /// source kind and `requests` the store's request columns, both taken once by the caller.
    static func append(_ store: EventStore, _ e: EventID, kind: SourceKind, requests: RequestColumns, into out: inout [UInt8]) {
        switch kind {
        case .httpProxy, .iis:
            let start = out.count
            // A line without a URL stem (cut off by the end of its file before it) shows as it is.
            if store.valueID(.urlStem, e) == 0 { out.append(contentsOf: clip(store.rawLine(e)).utf8) } else { requests.append(e, into: &out) }
            if out.count - start > maxLength {
                let text = clip(String(decoding: out[start...], as: UTF8.self))
                out.removeSubrange(start...)
                out.append(contentsOf: text.utf8)
            }
        default:
            out.append(contentsOf: build(store, e).utf8)
        }
    }

    static func clip(_ s: String) -> String {
        guard s.utf8.count > maxLength else { return s }
        return String(s.prefix(maxLength - 1)) + "…"
    }

    static func request(_ store: EventStore, _ e: EventID) -> String {
        var bytes: [UInt8] = []
        RequestColumns(store).append(e, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The `S:CMD=` part of an ECP server log line: the cmdlet and its parameters.
    static func ecpCommand(_ store: EventStore, _ e: EventID) -> String? {
        let line = store.rawLine(e)
        guard let start = line.range(of: "S:CMD=") else { return nil }
        let rest = line[start.upperBound...]
        let end = rest.range(of: ";S:")?.lowerBound ?? rest.endIndex
        let cmd = rest[..<end].replacingOccurrences(of: "\"\"", with: "\"")
        return cmd.isEmpty ? nil : cmd
    }

    /// `EventID N Provider: key data` with the data that matters for the event id, else the first values.
    static func windowsEvent(_ store: EventStore, _ e: EventID) -> String {
        let fields = store.fields(of: e)
        func value(_ name: String) -> String? {
            fields.first { $0.name == name }.flatMap { $0.value.isEmpty || $0.value == "-" ? nil : $0.value }
        }
        // Lines of an event export that were no event (kept as text or as a JSON record) read as they are.
        guard let id = value("EventID") else { return generic(store, e) }
        let provider = value("Provider") ?? ""
        if provider == "MSExchange CmdletLogs", let text = cmdlet(value, eventID: id) { return "EventID \(id) \(provider): " + text }
        let keys: [String]
        switch (provider, id) {
        case ("Microsoft-Windows-Sysmon", "1"): keys = ["Image", "CommandLine", "ParentImage", "User"]
        case ("Microsoft-Windows-Sysmon", "3"): keys = ["Image", "DestinationIp", "DestinationPort"]
        case ("Microsoft-Windows-Sysmon", "7"): keys = ["Image", "ImageLoaded"]
        case ("Microsoft-Windows-Sysmon", "8"), ("Microsoft-Windows-Sysmon", "10"): keys = ["SourceImage", "TargetImage", "GrantedAccess"]
        case ("Microsoft-Windows-Sysmon", "11"): keys = ["TargetFilename", "Image"]
        case ("Microsoft-Windows-Sysmon", "13"): keys = ["Image", "TargetObject", "Details"]
        case ("Microsoft-Windows-Sysmon", "22"): keys = ["Image", "QueryName", "QueryResults"]
        case (_, "4656"), (_, "4663"): keys = ["ProcessName", "ObjectName", "AccessMask", "SubjectUserName"]
        case (_, "5140"), (_, "5145"): keys = ["IpAddress", "ShareName", "RelativeTargetName", "SubjectUserName"]
        case (_, "4104"): keys = ["ScriptBlockText"]
        case (_, "4688"): keys = ["NewProcessName", "CommandLine", "ParentProcessName", "SubjectUserName"]
        case (_, "4624"), (_, "4625"): keys = ["TargetUserName", "IpAddress", "LogonType"]
        case (_, "4720"), (_, "4732"), (_, "4728"): keys = ["TargetUserName", "SubjectUserName"]
        case (_, "7045"): keys = ["ServiceName", "ImagePath"]
        default: keys = []
        }
        let system: Set<String> = ["TimeCreated", "EventRecordID", "EventID", "Level", "Provider", "Channel", "Computer", "UserSID"]
        var parts: [String] = []
        if keys.isEmpty {
            for f in fields where !system.contains(f.name) && !f.value.isEmpty && f.value != "-" {
                parts.append(f.name.hasPrefix("Data") || f.name == "Message" ? f.value : "\(f.name)=\(f.value)")
                if parts.count == 3 { break }
            }
        } else {
            for k in keys { if let v = value(k) { parts.append("\(k)=\(v)") } }
        }
        return "EventID \(id) \(provider)" + (parts.isEmpty ? "" : ": " + parts.joined(separator: " "))
    }

    static func listedFile(_ store: EventStore, _ e: EventID) -> String {
        let path = store.field("FullName", of: e) ?? store.value(.urlStem, e)
        let length = store.field("Length", of: e) ?? ""
        return "file " + path + (length.isEmpty ? "" : " (\(length) bytes)")
    }

    static func hashedFile(_ store: EventStore, _ e: EventID) -> String {
        let path = store.field("Path", of: e) ?? store.value(.urlStem, e)
        let hash = store.field("Hash", of: e) ?? ""
        let algo = store.field("Algorithm", of: e) ?? "hash"
        return "file " + path + (hash.isEmpty ? "" : " \(algo) \(hash)")
    }

    /// The values of the line without its time and server columns.
    static func generic(_ store: EventStore, _ e: EventID) -> String {
        let server = store.server(of: e)
        var parts: [String] = []
        for f in store.fields(of: e) {
            let name = f.name.lowercased()
            if f.value.isEmpty || f.value == server || name.contains("time") || name == "date" { continue }
            parts.append(f.value)
        }
        return parts.isEmpty ? store.rawLine(e) : parts.joined(separator: " ")
    }
}
