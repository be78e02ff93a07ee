/// Column sets for log lines that arrive without their `#Fields` header (excerpts pasted into advisories,
/// a file whose header was cut off): a set is used only when the line fits it, and the file gets a problem
/// line saying which set was assumed.
enum KnownColumnSets {
    /// IIS's default W3C field set (IIS 8.5 and later; the set Exchange servers log with).
    static let iisDefault = ["date", "time", "s-ip", "cs-method", "cs-uri-stem", "cs-uri-query", "s-port", "cs-username",
                             "c-ip", "cs(User-Agent)", "cs(Referer)", "sc-status", "sc-substatus", "sc-win32-status", "time-taken"]

    /// True when a space-separated line has IIS's default fields: 15 values, a date, a time, an upper-case
    /// method, a path, a port and a three-digit status.
    static func fitsIISDefault(_ line: UnsafeRawBufferPointer) -> Bool {
        // Counted before splitting: every HttpProxy file's first line is asked this while readers score it.
        var spaces = 0
        for b in line where b == 0x20 { spaces += 1 }
        guard spaces == iisDefault.count - 1 else { return false }
        let values = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard values.count == iisDefault.count else { return false }
        let date = UnsafeRawBufferPointer(rebasing: values[0]), time = UnsafeRawBufferPointer(rebasing: values[1])
        guard Timestamp.parse(date: date, time: time) != nil else { return false }
        let method = values[3], stem = values[4], port = values[6], status = values[11]
        return !method.isEmpty && method.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
            && (stem.first == UInt8(ascii: "/") || stem.first == UInt8(ascii: "*"))
            && !port.isEmpty && port.allSatisfy(isDigit)
            && status.count == 3 && status.allSatisfy(isDigit)
    }

    /// The HttpProxy header of Exchange 2016 CU22 (15.01.2375), also written by Exchange 2019: 74 columns.
    static let httpProxy2016 = [
        "DateTime", "RequestId", "MajorVersion", "MinorVersion", "BuildVersion", "RevisionVersion", "ClientRequestId", "Protocol",
        "UrlHost", "UrlStem", "ProtocolAction", "AuthenticationType", "IsAuthenticated", "AuthenticatedUser", "Organization",
        "AnchorMailbox", "UserAgent", "ClientIpAddress", "ServerHostName", "HttpStatus", "BackEndStatus", "ErrorCode", "Method",
        "ProxyAction", "TargetServer", "TargetServerVersion", "RoutingType", "RoutingHint", "BackEndCookie", "ServerLocatorHost",
        "ServerLocatorLatency", "RequestBytes", "ResponseBytes", "TargetOutstandingRequests", "AuthModulePerfContext",
        "HttpPipelineLatency", "CalculateTargetBackEndLatency", "GlsLatencyBreakup", "TotalGlsLatency",
        "AccountForestLatencyBreakup", "TotalAccountForestLatency", "ResourceForestLatencyBreakup", "TotalResourceForestLatency",
        "ADLatency", "SharedCacheLatencyBreakup", "TotalSharedCacheLatency", "ActivityContextLifeTime",
        "ModuleToHandlerSwitchingLatency", "ClientReqStreamLatency", "BackendReqInitLatency", "BackendReqStreamLatency",
        "BackendProcessingLatency", "BackendRespInitLatency", "BackendRespStreamLatency", "ClientRespStreamLatency",
        "KerberosAuthHeaderLatency", "HandlerCompletionLatency", "RequestHandlerLatency", "HandlerToModuleSwitchingLatency",
        "ProxyTime", "CoreLatency", "RoutingLatency", "HttpProxyOverhead", "TotalRequestTime", "RouteRefresherLatency", "UrlQuery",
        "BackEndGenericInfo", "GenericInfo", "GenericErrors", "EdgeTraceId", "DatabaseGuid", "UserADObjectGuid",
        "PartitionEndpointLookupLatency", "RoutingStatus",
    ]
    /// Columns 1–29 (to `BackEndCookie`) are the same in Exchange 2013, 2016 and 2019; the tail differs by
    /// version (a 2013 CU21 line has 68 values), so other widths keep the tail unnamed.
    static let httpProxyCommon = 29

    /// The ECP Server and Activity logs' header, and the two columns advisories keep of it.
    static let ecpServer = ["TimeStamp", "ServerName", "EventId", "EventData"]
    static let ecpExcerpt = ["TimeStamp", "EventData"]

    /// The column names (and the kind they imply, nil = decided by the path) for a header-less Exchange CSV
    /// line, or nil when the line fits no known set.
    static func exchangeColumns(_ values: [String]) -> (names: [String], kind: SourceKind?, label: String)? {
        guard let first = values.first, Timestamp.parse(first) != nil else { return nil }
        if values.count >= httpProxyCommon, (2...5).allSatisfy({ !values[$0].isEmpty && values[$0].allSatisfy(\.isNumber) }) {
            if values.count == httpProxy2016.count { return (httpProxy2016, .httpProxy, "HttpProxy, Exchange 2016/2019 (74 columns)") }
            let tail = (httpProxyCommon..<values.count).map { "Column\($0 + 1)" }
            return (Array(httpProxy2016.prefix(httpProxyCommon)) + tail, .httpProxy,
                    "HttpProxy, the \(httpProxyCommon) columns common to Exchange 2013/2016/2019 (\(values.count) values)")
        }
        if let names = inferredRequestColumns(values) {
            return (names, .httpProxy, "HttpProxy excerpt, columns inferred from the values (" + names.joined(separator: ",") + ")")
        }
        if values.count == 4, values[2].hasPrefix("ECP.") { return (ecpServer, nil, "ECP log (TimeStamp,ServerName,EventId,EventData)") }
        // Commas inside the cmdlet text (advisories quote it with ') split the line further: still ours, and read
        // with EventData taking the rest of the line (`LineFormat.csvTail`).
        if values.count >= 2, values[1].drop(while: { $0 == "'" || $0 == "\"" }).hasPrefix("S:") {
            return (ecpExcerpt, .ecpServer, "ECP log excerpt (TimeStamp,EventData)")
        }
        return nil
    }

    /// Names for a header-less HttpProxy excerpt that kept only some columns (advisories keep `DateTime`,
    /// `ClientIpAddress`, `UrlStem`, `AnchorMailbox`, `UserAgent`, `HttpStatus` in any order), inferred from
    /// what each value looks like. Only when the line is unmistakably a request: a time first, a URL path, and
    /// an IP address or an anchor mailbox; values of no recognisable kind stay `ColumnN`.
    static func inferredRequestColumns(_ values: [String]) -> [String]? {
        guard values.count >= 3, values.count < httpProxyCommon, Timestamp.parse(values[0]) != nil else { return nil }
        var names = ["DateTime"]
        var used: Set<String> = ["DateTime"]
        for (i, v) in values.enumerated().dropFirst() {
            var name: String?
            if v.hasPrefix("/") { name = "UrlStem" }
            else if isIPAddress(v) { name = "ClientIpAddress" }
            else if ["ServerInfo~", "Sid~", "Smtp~", "Database~", "PrimarySmtpAddress~", "ExternalDirectoryObjectId~", "Server~"]
                        .contains(where: { v.hasPrefix($0) }) { name = "AnchorMailbox" }
            else if v.count == 3, let n = Int(v), (100...599).contains(n) { name = "HttpStatus" }
            else if ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "RPC_IN_DATA", "RPC_OUT_DATA"].contains(v) { name = "Method" }
            else if v.contains("/"), v.first?.isLetter == true, !v.contains("://") { name = "UserAgent" }
            if let n = name, used.insert(n).inserted { names.append(n) } else { names.append("Column\(i + 1)") }
        }
        guard used.contains("UrlStem"), used.contains("ClientIpAddress") || used.contains("AnchorMailbox") else { return nil }
        return names
    }

    /// The column names of a bare CSV header line of an Exchange log or an excerpt of one (`DateTime,…` as
    /// Import-Csv and advisories write it, quoted or not), or nil when the line is not one: the first name is
    /// the log's time column.
    static func bareHeader(_ line: UnsafeRawBufferPointer) -> [String]? {
        guard let first = line.first, first == UInt8(ascii: "D") || first == UInt8(ascii: "T") || first == UInt8(ascii: "d")
                || first == UInt8(ascii: "\"") else { return nil }
        let names = CSVLine.split(UnsafeRawBufferPointer(rebasing: line.prefix(8192))).map { $0.trimmingSpaces() }
        guard names.count >= 2, ["DateTime", "TimeStamp", "date-time"].contains(names[0]) else { return nil }
        return names
    }

    /// The kind a bare header names when the file's path does not: HttpProxy for a request's columns (an excerpt
    /// that kept `UrlStem` or `AnchorMailbox` and at least one other HttpProxy column), ECP for its own header.
    static func kind(ofHeader names: [String]) -> SourceKind? {
        let known = Set(httpProxy2016.map { $0.lowercased() })
        let mine = Set(names.dropFirst().map { $0.lowercased() })
        if names[0] == "DateTime", mine.contains("urlstem") || mine.contains("anchormailbox"), mine.intersection(known).count >= 2 {
            return .httpProxy
        }
        if names[0] == "TimeStamp", mine.contains("eventdata") { return .ecpServer }
        return nil
    }

    static func isIPAddress(_ v: String) -> Bool {
        let parts = v.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4 { return parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) } }
        return v.contains(":") && v.count >= 3 && v.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }

    @inline(__always) private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}
