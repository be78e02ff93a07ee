import Foundation
import Testing

/// Evidence larger than the memory the exhunt process may use loads and is hunted: the files are mapped (the
/// page cache holds them), the process keeps only its index.
///
/// The limit is RLIMIT_DATA (`prlimit --data`), which since Linux 4.7 bounds every private writable mapping:
/// heap, thread stacks, anonymous memory — what copying the evidence would need — but not read-only file
/// mappings. A cgroup `memory.max` would bound the page cache too; this machine class runs cgroup v1 without
/// write access, and the page cache is the system's to evict anyway. The same run with `load --copy` must
/// fail, which proves the limit is enforced.
@Suite struct BiggerThanMemoryTests {
    static let limit = 96 << 20
    static let evidence = 160 << 20

    /// ~160 MiB of HttpProxy logs in 80 files, and one ProxyLogon SSRF line. Lines carry a long GenericInfo
    /// trace (~2 KB, as busy servers write) so that the debug build's hunt stays quick at this size.
    static func makeEvidence() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exhunt-big-\(UUID().uuidString)")
        let fields = "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus"
        var block = ""
        let trace = (0..<40).map { "S:ActivityStep\($0)=Proxy.Latency~\($0 * 37 % 101)" }.joined(separator: ";")
        for i in 0..<1000 {
            let t = String(format: "2021-03-02T%02d:%02d:%02d.%03dZ", (i / 3600) % 24, (i / 60) % 60, i % 60, i % 1000)
            block += "\(t),\(UUID().uuidString.lowercased()),15,1,2176,2,,Ews,mail.contoso.com,/EWS/Exchange.asmx,GetFolder,NTLM,true,CONTOSO\\user\(i % 120),,"
                + "Smtp~user\(i % 120)@contoso.com,Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13801; Pro),203.0.113.\(i % 30 + 10),EX01,200,200,,POST,Proxy,"
                + "ex01.contoso.local,15.01.2176.000,IntraForest,WindowsIdentity,Server~ex01.contoso.local~1941968064~2021-03-02T12:18:34,ex01.contoso.local,0,6581,87345,0,,6,2,,0,,0,,0,2,,0,109,0,0,1,3,796,1,6,0,0,0,44,0,267,3,5,12,136,,"
                + "?cafeReqId=\(UUID().uuidString.lowercased());,,BeginRequest=\(t);CorrelationID=<empty>;ProxyState-Run=None;\(trace);EndRequest=\(t);,,,,,,\r\n"
        }
        let body = Data(block.utf8)
        let files = evidence / body.count + 1
        for f in 0..<files {
            let file = dir.appendingPathComponent(String(format: "EX01/Logging/HttpProxy/Ews/HttpProxy_20210302%02d-%d.LOG", f % 24, f / 24 + 1))
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            var data = Data("#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-02T\(String(format: "%02d", f % 24)):00:00.000Z\r\n#Fields: \(fields)\r\n".utf8)
            data.append(body)
            if f == 7 {
                data.append(Data("2021-03-03T06:49:46.210Z,x,15,1,2176,2,,Ecp,mail.contoso.com,/ecp/y.js,,,false,,,ServerInfo~a]@EX01.contoso.local:444/ecp/proxyLogon.ecp?#,python-requests/2.25.1,167.99.168.251,EX01,241,241,,POST,Proxy,ex01.contoso.local,15.01.2176.000,IntraForest,X-BEResource-Cookie,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n".utf8))
            }
            try data.write(to: file)
        }
        return dir
    }

    @Test func evidenceLargerThanTheProcessMayUseLoadsAndHunts() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") else {
            print("skipped: prlimit (util-linux) is not installed, so no memory limit can be set for exhunt")
            return
        }
        let dir = try Self.makeEvidence()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prlimit = URL(fileURLWithPath: "/usr/bin/prlimit")
        let limited = ["--data=\(Self.limit):\(Self.limit)", "--", ExhuntProcess.binary.path]
        let script = "load \(dir.path) --quiet; hunt; grep-ioc; timeline --limit 3"
        let run = try ExhuntProcess.run(["-c", script], timeout: 300, executable: prlimit, prefix: limited)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("loaded \(dir.lastPathComponent): "))
        #expect(run.stdout.contains("167.99.168.251"), "hunt and grep-ioc find the SSRF line in the middle of the evidence")
        #expect(run.stdout.contains("2021-03-02 00:00:00  EX01    httpproxy/Ews"), "timeline runs")
        let copy = try ExhuntProcess.run(["-c", "load \(dir.path) --copy --quiet"], timeout: 300, executable: prlimit, prefix: limited)
        #expect(copy.status != 0, "copying \(Self.evidence >> 20) MiB into a process limited to \(Self.limit >> 20) MiB cannot work: the limit is real")
    }
}
