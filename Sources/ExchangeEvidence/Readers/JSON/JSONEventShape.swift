/// The JSON shapes Windows events reach responders in, each recognised by its own keys (field-shapes.md)
/// and turned into the `WindowsEvent` the EVTX readers produce: same channel, event id, provider, computer
/// and event-data names, so every event-log rule works on them unchanged.
enum JSONEventShape: String {
    case nxlog, winlogbeat, velociraptor, splunk, powershell, timesketch
    /// An IIS request exported field by field (Sentinel, Filebeat): `WebExportFields`.
    case webExport

    /// The document an Elasticsearch hit or `elasticdump` line wraps in `_source` (its `_index`, `_id` are
    /// the store's), else the object itself.
    static func document(_ o: JSONNode) -> JSONNode {
        if let source = o["_source"], source.isObject { return source }
        return o
    }

    /// A value by an export's field name: a top-level key (`csUriStem`, a flattened `url.path`), else a dotted
    /// path into nested objects.
    static func value(_ o: JSONNode, _ name: String) -> String? {
        (o[name] ?? o.at(name))?.text
    }

    /// The shape of one decoded object, or nil when it is no event of a known shape.
    static func of(_ o: JSONNode) -> JSONEventShape? {
        guard o.isObject else { return nil }
        if o["winlog"]?.isObject == true { return .winlogbeat }
        if let system = o["System"], system.isObject, system["EventID"] != nil || system["Channel"] != nil { return .velociraptor }
        if let r = o["result"], r.isObject, r["_raw"] != nil { return .splunk }
        if o["EventID"] != nil && (o["SourceName"] != nil || o["Channel"] != nil) && o["Hostname"] != nil { return .nxlog }
        if o["Id"] != nil && o["ProviderName"] != nil && (o["LogName"] != nil || o["MachineName"] != nil) { return .powershell }
        if o["message"] != nil && o["datetime"] != nil && o["timestamp_desc"] != nil { return .timesketch }
        if WebExportFields.shipped.family(of: { value(o, $0) }) != nil { return .webExport }
        return nil
    }

    /// The Windows event in the object; nil for shapes that hold no Windows event (Timesketch rows) or when
    /// the object lacks what every event has (an event id).
    func windowsEvent(_ o: JSONNode) -> WindowsEvent? {
        var ev: WindowsEvent
        switch self {
        case .nxlog: ev = Self.nxlog(o)
        case .winlogbeat: ev = Self.winlogbeat(o)
        case .velociraptor: ev = Self.velociraptor(o)
        case .splunk: guard let e = Self.splunk(o) else { return nil }; ev = e
        case .powershell: ev = Self.powershell(o)
        case .timesketch, .webExport: return nil
        }
        guard !ev.eventID.isEmpty else { return nil }
        ev.hasSystem = true
        return ev
    }

    /// The event time when the event's own `TimeCreated` is missing or unreadable.
    func fallbackTime(_ o: JSONNode) -> Int64? {
        switch self {
        case .splunk: JSONTime.parse(o.at("result._time"))
        case .winlogbeat, .nxlog: JSONTime.parse(o["@timestamp"]) ?? JSONTime.parse(o["EventTime"])
        case .timesketch: JSONTime.parse(o["datetime"]) ?? JSONTime.parse(o["timestamp"])
        default: nil
        }
    }

    // MARK: - NXLog im_msvistalog + to_json(): system and event-data keys side by side at the top level.

    /// NXLog's own keys (system values and metadata); every other top-level key is event data.
    static let nxlogKeys: Set<String> = [
        "EventTime", "EventReceivedTime", "@timestamp", "TimeCreated", "Hostname", "Keywords", "EventType", "SeverityValue",
        "Severity", "EventID", "SourceName", "ProviderGuid", "Version", "Task", "OpcodeValue", "RecordNumber", "ActivityID",
        "RelatedActivityID", "ProcessID", "ThreadID", "Channel", "Domain", "AccountName", "UserID", "AccountType", "Category",
        "Opcode", "SourceModuleName", "SourceModuleType", "Level", "Message", "ExecutionProcessID", "ExecutionThreadID",
    ]

    static func nxlog(_ o: JSONNode) -> WindowsEvent {
        var ev = WindowsEvent()
        ev.provider = o["SourceName"]?.text ?? ""
        ev.eventID = o["EventID"]?.text ?? ""
        ev.channel = o["Channel"]?.text ?? ""
        ev.computer = o["Hostname"]?.text ?? ""
        ev.recordID = o["RecordNumber"]?.text ?? ""
        ev.userSID = o["UserID"]?.text ?? ""
        ev.level = level(o["Level"]?.text) ?? level(o["EventType"]?.text) ?? ""
        ev.timeCreated = o["TimeCreated"]?.text ?? ""
        ev.message = o["Message"]?.text
        if case .object(let members) = o {
            for m in members where !nxlogKeys.contains(m.key) { appendData(m.key, m.value, to: &ev) }
        }
        return ev
    }

    // MARK: - winlogbeat / Elastic Agent: `winlog.*`, event data in `winlog.event_data`.

    /// ECS fields winlogbeat's Sysmon and Security processors add, mapped back to the event-data names the
    /// rules use, for exports whose `winlog.event_data` was dropped.
    static let ecsToEventData: [(ecs: String, name: String)] = [
        ("process.executable", "Image"), ("process.command_line", "CommandLine"), ("process.pid", "ProcessId"),
        ("process.parent.executable", "ParentImage"), ("process.parent.command_line", "ParentCommandLine"),
        ("process.parent.pid", "ParentProcessId"), ("file.path", "TargetFilename"),
    ]

    static func winlogbeat(_ o: JSONNode) -> WindowsEvent {
        var ev = WindowsEvent()
        let w = o["winlog"]!
        ev.provider = w["provider_name"]?.text ?? ""
        ev.eventID = w["event_id"]?.text ?? o.at("event.code")?.text ?? ""
        ev.channel = w["channel"]?.text ?? ""
        ev.computer = w["computer_name"]?.text ?? o.at("host.name")?.text ?? ""
        ev.recordID = w["record_id"]?.text ?? ""
        ev.userSID = w.at("user.identifier")?.text ?? ""
        ev.level = level(w["level"]?.text) ?? level(o.at("log.level")?.text) ?? ""
        ev.timeCreated = w["time_created"]?.text ?? ""
        ev.message = o["message"]?.text
        for section in ["event_data", "user_data"] {
            if case .object(let members)? = w[section] {
                for m in members { appendData(m.key, m.value, to: &ev) }
            }
        }
        for (ecs, name) in ecsToEventData where !ev.data.contains(where: { $0.name == name }) {
            if let v = o.at(ecs)?.text { ev.data.append((name, v)) }
        }
        // Sysmon's `User` (`DOMAIN\name`), which Elastic Agent moves to `user.domain` and `user.name`.
        if ev.provider == "Microsoft-Windows-Sysmon", !ev.data.contains(where: { $0.name == "User" }),
           let name = o.at("user.name")?.text, !name.isEmpty {
            let domain = o.at("user.domain")?.text ?? ""
            ev.data.append(("User", domain.isEmpty ? name : domain + "\\" + name))
        }
        return ev
    }

    // MARK: - Velociraptor (`parse_evtx()`, Windows.EventLogs.*): the event's XML as nested objects.

    static func velociraptor(_ o: JSONNode) -> WindowsEvent {
        var ev = WindowsEvent()
        let s = o["System"]!
        ev.provider = s.at("Provider.Name")?.text ?? s["Provider"]?.text ?? ""
        ev.eventID = s.at("EventID.Value")?.text ?? s["EventID"]?.text ?? ""
        ev.channel = s["Channel"]?.text ?? ""
        ev.computer = s["Computer"]?.text ?? ""
        ev.recordID = s["EventRecordID"]?.text ?? ""
        ev.userSID = s.at("Security.UserID")?.text ?? ""
        ev.level = s["Level"]?.text ?? ""
        if let t = JSONTime.parse(s.at("TimeCreated.SystemTime") ?? s["TimeCreated"]) { ev.timeCreated = Timestamp.iso(t) }
        ev.message = o["Message"]?.text
        switch o["EventData"] {
        case .object(let members)?: for m in members { appendData(m.key, m.value, to: &ev) }
        case .array(let items)?: for item in items { ev.data.append((nil, flatText(item))) }
        case let v? where v.text != nil: ev.data.append((nil, v.text!))
        default: break
        }
        if case .object(let members)? = o["UserData"] {
            // UserData holds one element named after the event; its leaves are the values.
            for m in members {
                if case .object(let leaves) = m.value { for l in leaves { appendData(l.key, l.value, to: &ev) } }
                else { appendData(m.key, m.value, to: &ev) }
            }
        }
        return ev
    }

    // MARK: - Splunk search export (`output_mode=json`): the event in `result._raw`.

    static func splunk(_ o: JSONNode) -> WindowsEvent? {
        guard let r = o["result"], let raw = r["_raw"]?.text else { return nil }
        var ev: WindowsEvent
        if raw.utf8.first == UInt8(ascii: "<") {
            var bytes = Array(raw.utf8)
            ev = bytes.withUnsafeMutableBytes { EventXMLScanner.scan(UnsafeRawBufferPointer($0)) }
            guard ev.hasSystem else { return nil }
        } else {
            ev = classicWinEventLog(raw)
        }
        if ev.computer.isEmpty { ev.computer = r["host"]?.text ?? "" }
        return ev
    }

    /// Splunk's classic `WinEventLog` text: `Key=Value` lines, then `Message=` and the rest of the text.
    static func classicWinEventLog(_ raw: String) -> WindowsEvent {
        var ev = WindowsEvent()
        let lines = raw.textLines()
        for (k, line) in lines.enumerated() {
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq]), value = String(line[line.index(after: eq)...])
            switch key {
            case "LogName": ev.channel = value
            case "EventCode": ev.eventID = value
            case "ComputerName": ev.computer = value
            case "SourceName": ev.provider = value
            case "RecordNumber": ev.recordID = value
            case "Sid": ev.userSID = value
            case "Type": ev.level = level(value) ?? ""
            case "Message":
                ev.message = ([value] + lines[(k + 1)...].map(String.init)).joined(separator: "\n")
                return ev
            default: if !key.contains(" ") { ev.data.append((key, value)) }
            }
        }
        return ev
    }

    // MARK: - PowerShell `Get-WinEvent | ConvertTo-Json`: positional `Properties`.

    static func powershell(_ o: JSONNode) -> WindowsEvent {
        var ev = WindowsEvent()
        ev.provider = o["ProviderName"]?.text ?? ""
        ev.eventID = o["Id"]?.text ?? ""
        ev.channel = o["LogName"]?.text ?? ""
        ev.computer = o["MachineName"]?.text ?? ""
        ev.recordID = o["RecordId"]?.text ?? ""
        ev.userSID = o["UserId"]?.text ?? o.at("UserId.Value")?.text ?? ""
        ev.level = o["Level"]?.text ?? ""
        if let t = JSONTime.parse(o["TimeCreated"]) { ev.timeCreated = Timestamp.iso(t) }
        ev.message = o["Message"]?.text
        if case .array(let props)? = o["Properties"] {
            // Named where the event is appended, as every unnamed event is (`WindowsEvent.namingPositionalData`).
            for p in props { ev.data.append((nil, p["Value"].map(flatText) ?? flatText(p))) }
        }
        return ev
    }

    // MARK: - Shared

    /// Windows' level number from a number or a level name (`Error`, `WARNING`, `information`).
    static func level(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        if s.allSatisfy(\.isNumber) { return s }
        switch s.lowercased() {
        case "critical": return "1"
        case "error": return "2"
        case "warning", "warn": return "3"
        case "information", "info", "informational": return "4"
        case "verbose", "debug": return "5"
        case "audit_success", "audit_failure", "log always": return "0"
        default: return nil
        }
    }

    /// One event-data value: scalars as text, nested objects flattened to `key.sub` names.
    ///
    /// Unnamed (classic) values come as `param1`… (winlogbeat) or `Data1`…, or as a `Data` array
    /// (Velociraptor): they stay unnamed, so they are `Data1`… by position as in the EVTX readers' events.
    static func appendData(_ key: String, _ value: JSONNode, to ev: inout WindowsEvent) {
        let name: String? = isPositional(key) ? nil : key
        switch value {
        case .object(let members): for m in members { appendData(key + "." + m.key, m.value, to: &ev) }
        case .array(let items) where key == "Data": for item in items { ev.data.append((nil, flatText(item))) }
        case .null: ev.data.append((name, ""))
        default:
            if key == "Binary" { ev.binary = flatText(value) } else { ev.data.append((name, flatText(value))) }
        }
    }

    static func isPositional(_ key: String) -> Bool {
        for prefix in ["param", "Data"] where key.hasPrefix(prefix) && key.count > prefix.count {
            return key.dropFirst(prefix.count).allSatisfy(\.isNumber)
        }
        return false
    }

    /// A value as one text: scalars as written, arrays of scalars joined with commas, objects as compact JSON.
    static func flatText(_ v: JSONNode) -> String {
        switch v {
        case .null: return ""
        case .array(let items): return items.map(flatText).joined(separator: ",")
        case .object(let members): return "{" + members.map { "\($0.key)=\(flatText($0.value))" }.joined(separator: ",") + "}"
        default: return v.text ?? ""
        }
    }
}
