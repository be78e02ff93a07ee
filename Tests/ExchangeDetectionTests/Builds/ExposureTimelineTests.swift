import Testing
@testable import ExchangeDetection
@testable import ExchangeEvidence

/// Build history from the store, exposure windows, and placing findings in them.
@Suite struct ExposureTimelineTests {
    let catalog: BuildCatalog
    init() throws { catalog = try BuildCatalog.bundled() }

    static func t(_ s: String) -> Int64 { Timestamp.parse(s)! }

    /// A store with one HttpProxy file per build (as a server writes a new file after an update),
    /// plus saved ExSetup output as a text file; `patchedOnly`: without the file of the vulnerable build, so the
    /// evidence starts on the patched one.
    static func store(patchedOnly: Bool = false) -> EventStore {
        let store = EventStore()
        let header = "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,UrlStem"
        func proxyFile(_ path: String, version: String, _ rows: [(String, String)]) {
            var text = "#Software: Microsoft Exchange Server\n#Version: \(version)\n#Log-type: HttpProxy Logs\n#Fields: \(header)\n"
            var batch = EventBatch()
            let schema = batch.addSchema(FieldSchema(format: .csv, names: header.split(separator: ",").map(String.init)))
            for (n, (time, build)) in rows.enumerated() {
                let parts = build.split(separator: ".").joined(separator: ",")
                let line = "\(time),id\(n),\(parts),/ecp/y.js"
                batch.append(offset: text.utf8.count, length: line.utf8.count, line: 5 + n, time: t(time), schema: schema)
                batch.set(.serverBuild, build)
                text += line + "\n"
            }
            let file = EvidenceFile(path: path, evidenceSet: "test", location: path, server: "EX01", size: text.utf8.count,
                                    modified: 0, sha256: "", kind: .httpProxy, channel: "Ecp", bytes: Array(text.utf8),
                                    problems: ProblemLog(), facts: ["exchange.version": version])
            store.append(file: file, batch: batch)
        }
        if !patchedOnly { proxyFile("EX01/Logging/HttpProxy/Ecp/HttpProxy_2021022603-1.LOG", version: "15.01.2176.002", [
            ("2021-02-26T03:00:00.000Z", "15.1.2176.2"),
            ("2021-03-04T20:59:10.000Z", "15.1.2176.2"),
        ]) }
        proxyFile("EX01/Logging/HttpProxy/Ecp/HttpProxy_2021030421-1.LOG", version: "15.01.2176.009", [
            ("2021-03-04T21:07:00.000Z", "15.1.2176.9"),
            ("2021-03-10T12:00:00.000Z", "15.1.2176.9"),
        ])
        let exsetup = """
        ProductVersion   FileVersion      FileName
        --------------   -----------      --------
        15.01.2176.009   15.01.2176.009   C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\ExSetup.exe
        """
        var batch = EventBatch()
        let plain = batch.addSchema(FieldSchema(format: .plain, names: ["line"]))
        var offset = 0
        for (n, line) in exsetup.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            batch.append(offset: offset, length: line.utf8.count, line: n + 1, time: Timestamp.unknown, schema: plain)
            offset += line.utf8.count + 1
        }
        store.append(file: EvidenceFile(path: "EX01/exsetup.txt", evidenceSet: "test", location: "exsetup.txt", server: "EX01",
                                        size: exsetup.utf8.count, modified: 0, sha256: "", kind: .text, channel: "",
                                        bytes: Array(exsetup.utf8), problems: ProblemLog(), facts: [:]), batch: batch)
        return store
    }

    @Test func historyShowsTheBuildChange() {
        let evidence = BuildEvidence.collect(from: Self.store())
        #expect(evidence.observations.map(\.build.description) == ["15.1.2176.2", "15.1.2176.9"])
        let before = evidence.observations[0], after = evidence.observations[1]
        #expect(before.first == Self.t("2021-02-26T03:00:00.000Z"))
        #expect(before.last == Self.t("2021-03-04T20:59:10.000Z"))
        #expect(before.sources == [.logRequests])
        #expect(before.events == 2)
        #expect(after.first == Self.t("2021-03-04T21:07:00.000Z"))
        #expect(evidence.reported == [ReportedBuild(server: "EX01", reading: BuildReading(build: ExchangeBuild(15, 1, 2176, 9), source: .exSetup), path: "EX01/exsetup.txt")])
    }

    @Test func headersCountOnlyForFilesWithoutBuildColumns() {
        let store = EventStore()
        // An hourly file opened before the update: its header still says .2 after the update mid-file.
        let header = "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion"
        var text = "#Version: 15.01.2176.002\n#Fields: \(header)\n"
        var batch = EventBatch()
        let csv = batch.addSchema(FieldSchema(format: .csv, names: header.split(separator: ",").map(String.init)))
        for (n, (time, build)) in [("2021-03-04T21:00:05.000Z", "15.1.2176.2"), ("2021-03-04T21:30:00.000Z", "15.1.2176.9"),
                                   ("2021-03-04T21:59:00.000Z", "15.1.2176.9")].enumerated() {
            let line = "\(time),r\(n),\(build.split(separator: ".").joined(separator: ","))"
            batch.append(offset: text.utf8.count, length: line.utf8.count, line: 3 + n, time: Self.t(time), schema: csv)
            batch.set(.serverBuild, build)
            text += line + "\n"
        }
        store.append(file: EvidenceFile(path: "EX01/HttpProxy_2021030421-1.LOG", evidenceSet: "t", location: "", server: "EX01",
                                        size: text.utf8.count, modified: 0, sha256: "", kind: .httpProxy, channel: "Owa",
                                        bytes: Array(text.utf8), problems: ProblemLog(), facts: ["exchange.version": "15.01.2176.002"]), batch: batch)
        // A log without build columns: only its header names the build.
        var oab = EventBatch()
        let plain = oab.addSchema(FieldSchema(format: .plain, names: ["line"]))
        oab.append(offset: 0, length: 1, line: 3, time: Self.t("2021-03-05T02:11:00.000Z"), schema: plain)
        store.append(file: EvidenceFile(path: "EX01/OABGenerator_20210305-1.LOG", evidenceSet: "t", location: "", server: "EX01",
                                        size: 1, modified: 0, sha256: "", kind: .oabGenerator, channel: "", bytes: [0x78],
                                        problems: ProblemLog(), facts: ["exchange.version": "15.01.2176.009"]), batch: oab)
        let evidence = BuildEvidence.collect(from: store)
        let old = evidence.observations.first { $0.build == ExchangeBuild(15, 1, 2176, 2) }
        let new = evidence.observations.first { $0.build == ExchangeBuild(15, 1, 2176, 9) }
        #expect(old?.last == Self.t("2021-03-04T21:00:05.000Z"), "a stale header must not stretch the old build")
        #expect(new?.last == Self.t("2021-03-05T02:11:00.000Z"))
        #expect(new?.sources == [.logRequests, .logHeader])
        #expect(new?.events == 3)
    }

    @Test func proxyLogonWindowClosesAtTheUpdate() throws {
        let timeline = ExposureTimeline(evidence: BuildEvidence.collect(from: Self.store()), catalog: catalog)
        let w = try #require(timeline.windows.first { $0.cve == "CVE-2021-26855" })
        #expect(w.server == "EX01")
        #expect(w.from == Self.t("2021-02-26T03:00:00.000Z"))
        #expect(w.until == Self.t("2021-03-04T21:07:00.000Z"))
        #expect(w.fixedBy == "Mar21SU")
        #expect(w.fixingBuild == ExchangeBuild(15, 1, 2176, 9))
        #expect(w.opensBeforeEvidence)
        // ProxyShell stays open: CU19 Mar21SU is still vulnerable to CVE-2021-34473.
        let shell = try #require(timeline.windows.first { $0.cve == "CVE-2021-34473" })
        #expect(shell.until == nil)
        #expect(shell.vulnerableBuilds == [ExchangeBuild(15, 1, 2176, 2), ExchangeBuild(15, 1, 2176, 9)])
    }

    /// A log writing revision 0 before the March update existed shows a server open to ProxyLogon.
    @Test func revisionZeroBeforeTheUpdateOpensTheWindow() throws {
        let store = EventStore()
        let header = "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,UrlStem"
        var text = "#Fields: \(header)\n"
        var batch = EventBatch()
        let schema = batch.addSchema(FieldSchema(format: .csv, names: header.split(separator: ",").map(String.init)))
        for (n, time) in ["2021-02-26T03:00:00.000Z", "2021-03-07T15:04:04.000Z"].enumerated() {
            let line = "\(time),id\(n),15,1,2176,0,/owa/auth/x.js"
            batch.append(offset: text.utf8.count, length: line.utf8.count, line: 2 + n, time: Self.t(time), schema: schema)
            batch.set(.serverBuild, "15.1.2176.0")
            text += line + "\n"
        }
        store.append(file: EvidenceFile(path: "EX01/HttpProxy_2021022603-1.LOG", evidenceSet: "test", location: "x", server: "EX01",
                                        size: text.utf8.count, modified: 0, sha256: "", kind: .httpProxy, channel: "Owa",
                                        bytes: Array(text.utf8), problems: ProblemLog(), facts: [:]), batch: batch)
        let timeline = ExposureTimeline(evidence: BuildEvidence.collect(from: store), catalog: catalog)
        let w = try #require(timeline.windows.first { $0.cve == "CVE-2021-26855" })
        #expect(w.from == Self.t("2021-02-26T03:00:00.000Z") && w.until == nil)
    }

    @Test func findingsArePlacedInTheWindow() {
        let timeline = ExposureTimeline(evidence: BuildEvidence.collect(from: Self.store()), catalog: catalog,
                                        cves: ["CVE-2021-26855"])
        let placed = timeline.place([
            (server: "ex01.contoso.local", time: Self.t("2021-02-28T03:12:00.000Z"), label: "SSRF hit"),
            (server: "EX01", time: Self.t("2021-03-06T08:00:00.000Z"), label: "SSRF hit"),
            (server: "EX02", time: Self.t("2021-03-01T00:00:00.000Z"), label: "webshell"),
        ])
        #expect(placed[0].explanation == "SSRF hit 2021-02-28 03:12 while on 15.1.2176.2, vulnerable to CVE-2021-26855 until the update installed by 2021-03-04 21:07")
        #expect(placed[1].windows.isEmpty)
        #expect(placed[1].build == ExchangeBuild(15, 1, 2176, 9))
        #expect(placed[1].explanation == "SSRF hit 2021-03-06 08:00 while on 15.1.2176.9, not inside an exposure window")
        #expect(placed[2].build == nil)
        #expect(placed[2].windows.isEmpty)
    }

    /// Before the first build the evidence shows, the build is unknown unless that first build is vulnerable (then
    /// the window reaches back over the finding): a patched build seen an hour after an attack says nothing of
    /// the build the attack met (reviewer: "while on 15.1.2176.9, not inside an exposure window").
    @Test func beforeThePatchedFirstBuildTheBuildIsUnknown() {
        let timeline = ExposureTimeline(evidence: BuildEvidence.collect(from: Self.store(patchedOnly: true)), catalog: catalog)
        let placed = timeline.place([
            (server: "EX01", time: Self.t("2021-03-03T08:00:00.000Z"), label: "SSRF hit", cves: ["CVE-2021-26855"]),
            (server: "EX01", time: Self.t("2021-03-05T08:00:00.000Z"), label: "SSRF hit", cves: ["CVE-2021-26855"]),
        ])
        #expect(placed[0].build == nil && placed[0].windows.isEmpty)
        #expect(placed[0].beforeFirstBuild?.build == ExchangeBuild(15, 1, 2176, 9))
        #expect(placed[0].explanation == "SSRF hit 2021-03-03 08:00, before the first build evidence for EX01 (15.1.2176.9 at 2021-03-04 21:07): build unknown")
        #expect(placed[1].explanation == "SSRF hit 2021-03-05 08:00 while on 15.1.2176.9, not inside an exposure window")
        // Evidence that starts on the vulnerable build: the window opens before it, and the finding is in it.
        let vulnerable = ExposureTimeline(evidence: BuildEvidence.collect(from: Self.store()), catalog: catalog)
            .place([(server: "EX01", time: Self.t("2021-02-20T08:00:00.000Z"), label: "SSRF hit", cves: ["CVE-2021-26855"])])
        #expect(vulnerable[0].beforeFirstBuild == nil && vulnerable[0].windows.map(\.cve) == ["CVE-2021-26855"])
        #expect(vulnerable[0].build == ExchangeBuild(15, 1, 2176, 2))
    }

    @Test func findingsNamingCVEsCountOnlyTheirWindows() {
        let timeline = ExposureTimeline(evidence: BuildEvidence.collect(from: Self.store()), catalog: catalog)
        let t = Self.t("2021-02-28T03:12:00.000Z")
        let placed = timeline.place([
            (server: "EX01", time: t, label: "SSRF hit", cves: ["CVE-2021-26855"]),
            (server: "EX01", time: t, label: "anything", cves: [String]()),
        ])
        #expect(placed[0].windows.map(\.cve) == ["CVE-2021-26855"])
        // ProxyLogon's four: ProxyShell and ProxyNotShell were open on that build but not yet seen in the wild.
        #expect(placed[1].windows.count == 4)
        #expect(placed[1].windows.allSatisfy { $0.campaign == "ProxyLogon" })
    }

    /// A window of a campaign first seen after it is open, not exposed; a finding after the campaign began
    /// counts its windows again.
    @Test func campaignsNotYetSeenAreOpenNotExposed() {
        let timeline = ExposureTimeline(evidence: BuildEvidence.collect(from: Self.store()), catalog: catalog)
        let proxyShell = timeline.windows.filter { $0.server == "EX01" && $0.campaign == "ProxyShell" }
        #expect(!proxyShell.isEmpty && proxyShell.allSatisfy { !$0.campaignBegun && $0.campaignFirstSeen?.description == "2021-08" })
        let proxyLogon = timeline.windows.filter { $0.campaign == "ProxyLogon" }
        #expect(!proxyLogon.isEmpty && proxyLogon.allSatisfy { $0.campaignBegun })
        let late = timeline.place([(server: "EX01", time: Self.t("2021-09-01T00:00:00.000Z"), label: "later", cves: ["CVE-2021-34473"])])
        #expect(late[0].windows.map(\.cve) == ["CVE-2021-34473"], "still on the vulnerable build when the campaign was under way")
    }

    @Test func windowWithoutFixStaysOpen() {
        let evidence = BuildEvidence(observations: [
            BuildObservation(server: "EX19", build: ExchangeBuild(15, 2, 986, 30), first: Self.t("2022-09-29T00:00:00Z"),
                             last: Self.t("2022-10-20T00:00:00Z"), events: 10, sources: [.logRequests]),
        ])
        let timeline = ExposureTimeline(evidence: evidence, catalog: catalog, cves: ["CVE-2022-41082"])
        #expect(timeline.windows.count == 1)
        #expect(timeline.windows[0].until == nil)
        let placed = timeline.place([(server: "EX19", time: Self.t("2022-10-01T10:00:00Z"), label: "ProxyNotShell autodiscover")])
        #expect(placed[0].explanation == "ProxyNotShell autodiscover 2022-10-01 10:00 while on 15.2.986.30, vulnerable to CVE-2022-41082 (not fixed within the evidence)")
    }

    @Test func ecpLogLinesNameTheBuild() {
        let line = "2021-03-03T06:59:20.000Z,EX01,ECP.Request,\"S:TIME=13;S:CMD=Set-OabVirtualDirectory;S:BLD=15.1.2176.2;S:TNAME=<null>\""
        let text = line.utf8.withContiguousStorageIfAvailable { BuildEvidence.ecpBuildText(UnsafeRawBufferPointer($0)) } ?? nil
        #expect(text == "15.1.2176.2")
        let none = "2021-03-03T06:59:20.000Z,EX01,ECP.Request,S:TIME=13".utf8.withContiguousStorageIfAvailable {
            BuildEvidence.ecpBuildText(UnsafeRawBufferPointer($0))
        } ?? nil
        #expect(none == nil)
    }

    @Test func textFilesAreScannedOnlyWithAMarker() {
        #expect(EvidenceBytes(Array("x\nFileVersion : 15.01.2176.009".utf8)).contains(subsequence: Array("FileVersion".utf8)))
        #expect(!EvidenceBytes(Array("ExSetu".utf8)).contains(subsequence: Array("ExSetup".utf8)))
        #expect(!EvidenceBytes(Array("EEEExSetuEx".utf8)).contains(subsequence: Array("ExSetup".utf8)))
        #expect(EvidenceBytes([]).contains(subsequence: Array("ExSetup".utf8)) == false)
    }

    @Test func placeholderHeadersAreIgnored() {
        let evidence = BuildEvidence(observations: [])
        #expect(evidence.servers.isEmpty)
        #expect(ExchangeBuild(dotted: "15.0.0.0")!.isPlaceholder)
    }
}
