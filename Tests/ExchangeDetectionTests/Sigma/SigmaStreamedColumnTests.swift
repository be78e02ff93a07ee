@testable import ExchangeDetection
import Testing

/// The streamed column scans values in batches joined by the matcher's reset byte: a literal must be found in
/// the value holding it, at that value's position, and never across two neighbouring values.
@Suite struct SigmaStreamedColumnTests {
    func item(_ text: String, leading: Bool = true, trailing: Bool = true) -> SigmaItem {
        let test = SigmaTest.pattern(SigmaPattern(sigma: text, cased: false, leading: leading, trailing: trailing))
        return SigmaItem(field: "cs-uri-query", groups: [[test]], all: false, key: "cs-uri-query|contains")
    }

    func scanned(_ values: [String], items: [SigmaItem]) -> SigmaStreamedColumn {
        let column = SigmaStreamedColumn(source: .column("cs-uri-query"), tests: items.flatMap { $0.groups.flatMap { $0 } })
        for (i, v) in values.enumerated() { Array(v.utf8).withUnsafeBytes { column.scan($0, at: Int32(i)) } }
        column.flush()
        return column
    }

    @Test func aLiteralIsFoundAtItsOwnValueAndNotAcrossTwo() throws {
        let across = item("x.js/owa"), inside = item("/ecp/"), suffix = item(".aspx", trailing: false)
        let values = ["/owa/auth/x.js", "/owa/auth/logon.aspx", "/ECP/y.js", "/a.aspx?x=1", "/b.ASPX"]
        let column = scanned(values, items: [across, inside, suffix])
        #expect(try #require(column.candidates(across)).positions == [])
        #expect(try #require(column.candidates(inside)).positions == [2])
        let ends = try #require(column.candidates(suffix))
        #expect(ends.positions == [1, 4])
        #expect(ends.exact)
    }

    @Test func batchesLargerThanOneScanKeepEveryPosition() throws {
        let probe = item("/owa/")
        let values = (0..<5000).map { i in i % 3 == 0 ? "/owa/service.svc?id=\(i)" : "/ews/exchange.asmx?id=\(i)" }
        #expect(values.reduce(0) { $0 + $1.utf8.count + 1 } > SigmaStreamedColumn.batchBytes)
        let column = scanned(values, items: [probe])
        #expect(try #require(column.candidates(probe)).positions == (0..<5000).filter { $0 % 3 == 0 }.map(Int32.init))
    }
}
