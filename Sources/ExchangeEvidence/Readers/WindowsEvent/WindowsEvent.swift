/// Windows event logs, read from `.evtx` files or from `wevtutil qe … /f:xml` exports.
extension SourceKind {
    public static let eventLog = SourceKind("eventlog")
}

/// One Windows event as both EVTX readers see it, before it is rendered into a stored line.
///
/// Both the native `.evtx` reader and the XML export reader fill this from the event's XML, so an event
/// looks the same in the store whichever way it was collected.
struct WindowsEvent {
    /// Provider `Name` (not `EventSourceName`: rules key on the provider name).
    var provider = ""
    var eventSourceName = ""
    var eventID = ""
    var level = ""
    /// `SystemTime` as written, e.g. `2021-03-03T06:50:01.123456700Z`.
    var timeCreated = ""
    var recordID = ""
    var channel = ""
    var computer = ""
    var userSID = ""
    /// EventData `<Data>` (name nil for classic events) or UserData leaf elements, in document order.
    var data: [(name: String?, value: String)] = []
    /// The hex text of an EventData `<Binary>` element.
    var binary: String?
    /// `RenderingInfo/Message` of `/f:RenderedXml` exports.
    var message: String?
    /// True when the XML had a `System` element, i.e. it was an event at all.
    var hasSystem = false
    /// True when `data` came from `UserData` leaves rather than `EventData`.
    var isUserData = false

    /// The names of the columns every rendered event starts with, in order.
    static let systemKeys = ["TimeCreated", "EventRecordID", "EventID", "Level", "Provider", "Channel", "Computer", "UserSID"]

    /// The event time in ms UTC from `TimeCreated`, or `Timestamp.unknown`.
    var time: Int64 {
        Timestamp.parse(timeCreated) ?? Timestamp.unknown
    }

    /// The `Name=Value` pairs of the stored line: the system keys, then the event data in order (unnamed
    /// classic values as `Data1`…`DataN` unless `namingPositionalData` named them), then `Binary`, `Message`
    /// and `Recovered` when present.
    /// TimeCreated keeps the seven fractional digits a FILETIME holds, as the `.evtx` reader writes it. Event
    /// data named like one of these columns (`Channel`, `Computer`, …) is kept under `EventData.Name` (or
    /// `UserData.Name`), so it neither replaces nor hides the System value.
    func pairs(time: Int64, recovered: Bool) -> [(String, String)] {
        var out: [(String, String)] = [
            ("TimeCreated", Self.timeText(timeCreated, time)),
            ("EventRecordID", recordID),
            ("EventID", eventID),
            ("Level", level),
            ("Provider", provider.isEmpty ? eventSourceName : provider),
            ("Channel", channel),
            ("Computer", computer),
            ("UserSID", userSID),
        ]
        out.reserveCapacity(out.count + data.count + 3)
        for (i, d) in data.enumerated() {
            var name = Self.safeName(d.name) ?? "Data\(i + 1)"
            if Self.reserved.contains(name.lowercased()) { name = (isUserData ? "UserData." : "EventData.") + name }
            out.append((name, d.value))
        }
        if let binary { out.append(("Binary", binary)) }
        if let message { out.append(("Message", message)) }
        if recovered { out.append(("Recovered", "true")) }
        return out
    }

    /// Column names event data may not take over (compared case-insensitively, as field look-ups are).
    static let reserved = Set((systemKeys + ["Binary", "Message", "Recovered"]).map { $0.lowercased() })

    /// `SystemTime` with seven fractional digits, or the millisecond time when the text does not parse.
    static func timeText(_ systemTime: String, _ time: Int64) -> String {
        var s = systemTime
        if let ticks = s.withUTF8({ BinXMLValue.ticks(fromISO: UnsafeRawBufferPointer($0)) }) {
            var sink = ByteSink(capacity: 32)
            defer { sink.free() }
            BinXMLValue.appendTicks(ticks, into: &sink)
            return String(decoding: sink.buffer, as: UTF8.self)
        }
        return time == Timestamp.unknown ? "" : Timestamp.iso(time)
    }

    /// A data name usable as a key (no `=`, tab or line break), or nil when there is none.
    private static func safeName(_ name: String?) -> String? {
        guard let name, !name.isEmpty else { return nil }
        if !name.contains(where: { $0 == "=" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) { return name }
        return String(name.map { $0 == "=" || $0 == "\t" || $0 == "\n" || $0 == "\r" ? "_" : $0 })
    }

    /// The event's user: `User` (Sysmon), else `SubjectUserName`, else `TargetUserName`; `-` counts as absent. For a
    /// logon (`namesTarget`) the account logged on comes before the service that reported it.
    var user: String? {
        Self.namesTarget(provider: (provider.isEmpty ? eventSourceName : provider).utf8, eventID: eventID.utf8)
            ? firstData(["User", "TargetUserName", "SubjectUserName"])
            : firstData(["User", "SubjectUserName", "TargetUserName"])
    }

    /// True for a successful or failed logon (Security 4624, 4625), whose user is `TargetUserName`: its subject is
    /// the process that handled the logon (the computer account, or `-`), and winlogbeat's `user.name` is the
    /// target too. Other events with both names (4648, 4720, …) keep the subject, the account that acted.
    static func namesTarget(provider: some Sequence<UInt8>, eventID: some Sequence<UInt8>) -> Bool {
        (eventID.elementsEqual("4624".utf8) || eventID.elementsEqual("4625".utf8))
            && provider.elementsEqual("Microsoft-Windows-Security-Auditing".utf8)
    }

    /// The remote address of logon and share events (`IpAddress`); `-` counts as absent.
    var clientIP: String? { firstData(["IpAddress"]) }

    private func firstData(_ names: [String]) -> String? {
        for n in names {
            if let v = data.first(where: { $0.name == n })?.value, !v.isEmpty, v != "-" { return v }
        }
        return nil
    }

    /// The event with its values named from `WindowsEventDataNames` when none has a name of its own and a row
    /// fits their count (`CmdletName`, `CmdletParameters`, … of the cmdlet log); otherwise unchanged. The
    /// `.evtx` reader names its records from the same table (`EventAssembler.positionalNames`).
    func namingPositionalData(_ table: WindowsEventDataNames = .shipped) -> WindowsEvent {
        guard !isUserData, !data.isEmpty, data.allSatisfy({ $0.name == nil }),
              let names = table.names(provider: provider.isEmpty ? eventSourceName : provider, eventID: eventID, count: data.count)
        else { return self }
        var named = self
        for i in named.data.indices { named.data[i].name = names[i] }
        return named
    }

    /// Appends the event to a batch: renders its line into `rendered` and sets the interned fields.
    func append(to output: inout ReaderOutput, rendered: inout [UInt8], schema: UInt16, line: Int,
                time: Int64, recovered: Bool) {
        let ev = namingPositionalData()
        let offset = rendered.count
        KeyValueWriter.append(ev.pairs(time: time, recovered: recovered), to: &rendered)
        output.batch.append(offset: offset, length: rendered.count - offset, line: line, time: time, schema: schema)
        if let record = UInt64(ev.recordID) { output.batch.setRecord(record) }
        rendered.append(0x0A)
        if let user = ev.user { output.batch.set(.user, user) }
        if let clientIP = ev.clientIP { output.batch.set(.clientIP, clientIP) }
    }

    /// The schema of rendered event lines (`keyValue`: names travel with each value).
    static let schema = FieldSchema(format: .keyValue, names: systemKeys)
}
