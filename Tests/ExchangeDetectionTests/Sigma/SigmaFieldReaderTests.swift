@testable import ExchangeDetection
import ExchangeEvidence
import Foundation
import Testing

/// The Sigma field reader's fast path for CSV lines (each needed column found by `ColumnLocator`) against the
/// store's full RFC 4180 split, on HttpProxy lines with quotes before, between and after the needed columns,
/// short lines and empty values.
@Suite struct SigmaFieldReaderTests {
    static let header = "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n"
        + "#Date: 2021-03-04T11:00:00.001Z\r\n#Fields: DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,"
        + "ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,"
        + "AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,"
        + "TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,"
        + "TargetOutstandingRequests\r\n"

    static func line(_ change: [Int: String] = [:], columns: Int = 34) -> String {
        var cells = (0..<34).map { "v\($0)" }
        cells[0] = "2021-03-04T11:02:10.100Z"
        cells[17] = "45.77.252.175"
        for (i, v) in change { cells[i] = v }
        return cells.prefix(columns).joined(separator: ",")
    }

    @Test func csvFastPathEqualsTheFullSplit() throws {
        let lines = [
            Self.line(),
            Self.line([16: "\"Mozilla/5.0 (Windows, like Gecko)\""]),          // quoted between UrlStem and ServerHostName
            Self.line([3: "\"a,b\""]),                                          // quoted before every needed column
            Self.line([30: "\"x,\"\"y\"\"\""]),                                 // quoted after the last needed column
            Self.line([9: "", 18: ""]),                                         // empty values read as absent
            Self.line(columns: 12),                                             // cut short before ServerHostName
            Self.line([9: "/owa/auth/x.js", 24: "EX01.contoso.local"]),
        ]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-sfr-\(UUID().uuidString)/EX01/HttpProxy/Owa")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()) }
        try Data((Self.header + lines.joined(separator: "\r\n") + "\r\n").utf8).write(to: dir.appendingPathComponent("HttpProxy_2021030411-1.LOG"))
        let store = EventStore()
        _ = try EvidenceLoader(workers: 1).load(dir.path, into: store)
        #expect(store.count == lines.count)

        let names = ["urlstem", "serverhostname", "useragent", "targetserver", SigmaFieldReader.keywords]
        let reader = SigmaFieldReader(store: store, names: names)
        for id in 0..<store.count {
            reader.load(id)
            let full = Dictionary(store.fields(of: id).map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
            for (i, name) in names.enumerated() where name != SigmaFieldReader.keywords {
                let fast = reader.withField(i) { $0.map { String(decoding: $0, as: UTF8.self) } }
                let expected = full[name].flatMap { $0.isEmpty ? nil : $0 }
                #expect(fast == expected, "event \(id), \(name): \(fast ?? "nil") vs \(expected ?? "nil")")
            }
            let keywords = reader.withField(names.count - 1) { $0.map { String(decoding: $0, as: UTF8.self) } }
            #expect(keywords == store.withRawLine(id) { String(decoding: $0, as: UTF8.self) }, "event \(id): keywords are the line")
        }
    }
}
